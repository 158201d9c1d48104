"""Test fixtures in layers: app → database → per-test transaction → client → factories and sign-in.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set; Celery uses the broker in
CELERY_BROKER_URL (kombu's in-memory transport by default). Each test runs inside a transaction that is rolled
back; code under test may commit (it commits a SAVEPOINT).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession

from tests.support.database import prepare_database

TEST_DATABASE_URL = os.environ.get("DATABASE_URL")


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def database_url(instance_path: Path) -> str:
    return TEST_DATABASE_URL or f"sqlite:///{instance_path / 'test.db'}"


@pytest.fixture(scope="session")
def app(instance_path: Path, database_url: str) -> Iterator[Flask]:
    from marketplace import create_app

    flask_app = create_app(
        "testing",
        {"INSTANCE_PATH": instance_path, "SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": None},
    )
    flask_app.test_client_class = MarketplaceClient
    import workers.tasks  # noqa: F401  registers the tasks on the app's Celery instance

    with flask_app.app_context():
        prepare_database(flask_app)
    yield flask_app
    with flask_app.app_context():
        from marketplace.extensions import db

        db.session.remove()
        db.engine.dispose()


class BoundSession(FlaskSession):
    """Flask-SQLAlchemy's session, but honouring an explicit `bind` (the test's connection)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@pytest.fixture
def db(app: Flask) -> Iterator:
    """The database, with everything the test does rolled back afterwards."""
    from marketplace.extensions import db as database

    with app.app_context():
        connection = database.engine.connect()
        transaction = connection.begin()
        original = database.session
        database.session = database._make_scoped_session(
            {"class_": BoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
        )
        try:
            yield database
        finally:
            database.session.remove()
            database.session = original
            if transaction.is_active:
                transaction.rollback()
            connection.close()


@pytest.fixture
def committed_db(app: Flask) -> Iterator:
    """The database without the rollback: what the test writes is committed, so other processes and threads (a
    real worker, a live server) see it; every table is emptied after the test."""
    from marketplace.extensions import db as database
    from tests.support.database import truncate_all

    with app.app_context():
        try:
            yield database
        finally:
            database.session.remove()
            truncate_all(app)


@pytest.fixture(autouse=True)
def _isolated_db(request: pytest.FixtureRequest) -> None:
    """Every test gets the rolled-back database unless it manages committed data itself."""
    if "committed_db" not in request.fixturenames and "app" in request.fixturenames:
        request.getfixturevalue("db")


class MarketplaceClient(FlaskClient):
    """A test client that can sign in and send forms with their CSRF token."""

    def open(self, *args, **kwargs):
        """Start each request with an empty `g`, as a real request would.

        Requests reuse the test's app context (pushed by the `db` fixture), so without this a request would see
        what the previous one cached on `g`: its signed-in user, language or CSRF token.
        """
        if has_app_context():
            for key in list(g):
                g.pop(key)
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        page = self.get("/").get_data(as_text=True)
        match = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert match, "no CSRF token on the home page"
        return match.group(1)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        payload = {"csrf_token": self.csrf_token(), **(data or {})}
        return self.post(url, data=payload, **kwargs)

    def login(self, user) -> None:
        """Sign `user` in the way Flask-Login does it, without a password round trip."""

        app = self.application
        with app.test_request_context(environ_base=self.environ_base):
            ident = app.login_manager._session_identifier_generator()
        with self.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["_id"] = ident


@pytest.fixture
def client(app: Flask, db) -> MarketplaceClient:
    return app.test_client()


@pytest.fixture
def login_as(client: MarketplaceClient):
    """Create a user with the role (or take the given user), sign them in and return them."""
    from tests.factories import user_with_role

    def _login(role_or_user, **kwargs):
        user = role_or_user if not isinstance(role_or_user, str) else user_with_role(role_or_user, **kwargs)
        client.login(user)
        return user

    return _login


@pytest.fixture
def sent_tasks(app: Flask) -> Iterator[list[tuple[str, dict]]]:
    """Tasks published to the broker during the test, as (name, kwargs)."""
    from celery.signals import before_task_publish

    published: list[tuple[str, dict]] = []

    def on_publish(sender=None, body=None, headers=None, **kwargs):
        published.append((sender, body[1] if isinstance(body, tuple) else headers.get("kwargsrepr")))

    before_task_publish.connect(on_publish, weak=False)
    yield published
    before_task_publish.disconnect(on_publish)


@pytest.fixture
def run_tasks(app: Flask, sent_tasks: list):
    """Run every task published so far through Celery's `apply()` (the real task code, in process)."""

    def _run() -> list:
        results = []
        celery = app.extensions["celery"]
        while sent_tasks:
            name, kwargs = sent_tasks.pop(0)
            results.append(celery.tasks[name].apply(kwargs=kwargs).get())
        return results

    return _run


@pytest.fixture
def mailbox(app: Flask, run_tasks) -> Iterator:
    """Read the emails the file backend wrote during this test (after running queued tasks)."""
    from tests.support.mail import Mailbox

    box = Mailbox(Path(app.config["MAIL_FILE_DIR"]), run_tasks)
    box.clear()
    yield box
    box.clear()
