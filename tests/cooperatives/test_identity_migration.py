"""The unique-identities migration: blank cooperative numbers become NULL (they may repeat), and repeated numbers
stop the upgrade naming the rows, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from marketplace.extensions import db
from tests.support.database import app_migrated_to

BEFORE = "ee8424df5576"


@pytest.fixture
def old_schema_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on a fresh database migrated up to the revision before unique identities."""
    with app_migrated_to(tmp_path, "identities", BEFORE) as app:
        yield app


def add_cooperatives(*identifiers: tuple[str | None, str | None]) -> None:
    """Insert cooperatives with these (nib, npwp) pairs, as the old schema allowed."""
    now = datetime.now(UTC)
    rows = [
        {
            "code": f"kkmp-{n}",
            "name": f"KKMP {n}",
            "nib": nib,
            "npwp": npwp,
            "region_code": "35.76.02.1001",
            "datafeed_key": f"key-{n}",
            "created_at": now,
            "updated_at": now,
        }
        for n, (nib, npwp) in enumerate(identifiers)
    ]
    table = sa.Table("cooperatives", sa.MetaData(), autoload_with=db.engine)
    with db.engine.begin() as connection:
        connection.execute(table.insert(), rows)


def test_blank_numbers_become_null_and_may_repeat(old_schema_app) -> None:
    add_cooperatives(("", " "), ("", None), ("9120000000001", "0011111111613000"))
    upgrade()
    with db.engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT nib, npwp FROM cooperatives ORDER BY id")).all()
    assert [tuple(row) for row in stored] == [(None, None), (None, None), ("9120000000001", "0011111111613000")]


def test_repeated_numbers_stop_the_upgrade_naming_the_rows(old_schema_app, capfd) -> None:
    add_cooperatives(("9120000000001", None), ("9120000000002", None), ("9120000000001", None))
    with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
        upgrade()
    logged = capfd.readouterr().err  # Alembic's logging writes to stderr
    assert "cooperatives.nib holds the same value in several rows (ids 1, 3)" in logged
    assert "9120000000001" not in logged
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == BEFORE
