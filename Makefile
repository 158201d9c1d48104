# Pasar UMKM: `make run` serves the demo, `make test` runs every test. `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app marketplace
PORT ?= 5000
export PORT
# localstripe, the Stripe emulator `make run` serves on 127.0.0.1 beside the app (card payments in test mode).
LOCALSTRIPE_PORT ?= 8420
export LOCALSTRIPE_PORT

.DEFAULT_GOAL := help
.PHONY: help run test test-fast lint format messages translations install install-test browser pdf-libs db-upgrade seed clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@bash scripts/ensure-pdf-libs.sh
	$(BIN)/pip install --quiet -e '.[emulator]'
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed ## Create the virtualenv and install the app

install-test: $(VENV)/.installed-test ## Install what the tests need

translations: $(VENV)/.installed ## Compile the message catalogs
	@$(BIN)/pybabel compile --statistics -d marketplace/translations -D messages
	@$(BIN)/pybabel compile --statistics -d marketplace/translations -D wtforms

messages: $(VENV)/.installed ## Extract messages and update the catalogs (then translate the .po files)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o marketplace/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i marketplace/translations/messages.pot -d marketplace/translations --no-fuzzy-matching --ignore-obsolete

db-upgrade: translations ## Apply the database migrations
	$(FLASK) db upgrade

seed: db-upgrade ## Load the Kota Mojokerto demo data into an empty database and print the demo logins
	@$(FLASK) seed-demo --if-empty

run: seed ## Set everything up and serve web + worker + beat + localstripe on http://127.0.0.1:$(PORT)
	@echo
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl+C stops web, worker, beat and localstripe)"
	@echo "Emails are written as .eml files to $${INSTANCE_PATH:-instance}/mail/"
	@echo "Card payments (test mode, unless STRIPE_SECRET_KEY is set): localstripe on 127.0.0.1:$(LOCALSTRIPE_PORT),"
	@echo "test card 4242 4242 4242 4242, any future date, any CVC"
	LOCALSTRIPE_URL=http://127.0.0.1:$(LOCALSTRIPE_PORT) MARKETPLACE_WEB_PORT=$(PORT) PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)} \
		$(BIN)/honcho start -f Procfile

pdf-libs: ## Make sure the system libraries of PDF documents (Pango, HarfBuzz's subsetter) are installed
	@bash scripts/ensure-pdf-libs.sh

browser: ## Make sure headless Chromium (Debian package) is installed for the browser tests
	@bash scripts/ensure-chromium.sh

test: install-test translations pdf-libs browser ## Install test dependencies and run lint and the whole suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

test-fast: install-test translations ## Run the suite without browser and worker tests
	$(BIN)/pytest -m "not browser and not worker"

lint: install-test ## ruff check
	$(BIN)/ruff check .

format: install-test ## ruff format and fix
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove the virtualenv, the instance folder (database, broker, mail) and test artifacts
	rm -rf $(VENV) instance test-artifacts
