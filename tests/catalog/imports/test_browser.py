"""In a real browser: the progress bar follows the work without reloading the page, and the page shows the result
once the check and the import are done. The worker's work is done by the test between the page's polls."""

from __future__ import annotations

import io
import os

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from marketplace.catalog.imports import processing, services
from marketplace.catalog.models import ProductImport
from marketplace.extensions import db
from tests.browser.conftest import browser_context, live_server, page, playwright  # noqa: F401
from tests.catalog.imports.files import product_row, products_xlsx
from tests.factories import PASSWORD, CooperativeFactory, catalog_reference, seller

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("IMPORT_SCREENSHOTS")  # a folder, to look at the pages while working on them


def shot(tab: Page, name: str) -> None:
    if SCREENSHOTS:
        tab.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def test_the_progress_bar_moves_without_reloading_and_the_result_follows(app, live_server, page: Page) -> None:  # noqa: F811
    with app.app_context():
        catalog_reference()
        maker = seller(CooperativeFactory(name="KKMP Gununggedangan"), full_name="Bu Siti Beras")
        maker.locale = "en"
        rows = [product_row(n) for n in range(1, 301)] + [product_row(301, harga_pemerintah="0")]
        record = services.start_import(actor=maker, filename="katalog.xlsx", stream=io.BytesIO(products_xlsx(rows)))
        import_id, email = record.id, maker.email

    page.goto(live_server("/masuk"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form[action='/keluar']")).to_be_visible()

    page.goto(live_server(f"/produk-saya/unggah/{import_id}"))
    expect(page.locator("[data-import-progress] h2")).to_have_text("Checking the rows…")
    page.evaluate("window.stillTheSamePage = true")

    with app.app_context():  # the worker's first progress report
        db.session.execute(
            update(ProductImport).where(ProductImport.id == import_id).values(total_rows=301, processed_rows=100)
        )
        db.session.commit()
    page.wait_for_function("document.querySelector('[data-import-progress] progress').value === 100")
    expect(page.locator("[data-field=processed_rows]")).to_have_text("100")
    expect(page.locator("[data-field=total_rows]")).to_have_text("301")
    assert page.evaluate("window.stillTheSamePage") is True
    shot(page, "1-progress")

    with app.app_context():
        processing.validate_import(import_id=import_id)
    expect(page.locator("[data-action=import]")).to_have_text("Import the 300 good rows as drafts")
    expect(page.locator("tr[data-row='302'][data-column=harga_pemerintah]")).to_be_visible()
    shot(page, "2-result")

    page.locator("[data-action=import]").click()
    expect(page.locator("[data-import-progress] h2")).to_have_text("Creating the drafts…")
    with app.app_context():
        processing.apply_import(import_id=import_id)
    expect(page.locator("[data-count=imported_rows]")).to_have_text("300")
    expect(page.locator(".badge[data-status=completed]")).to_be_visible()
    shot(page, "3-completed")

    page.goto(live_server("/produk-saya/unggah"))
    expect(page.locator(f"tr[data-import-id='{import_id}'] .badge")).to_have_text("Imported")
    shot(page, "4-index")
