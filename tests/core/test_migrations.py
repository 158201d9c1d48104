"""Migrations build the schema the models describe, on SQLite and PostgreSQL, and downgrade cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from marketplace import create_app
from marketplace.catalog.models import SEARCH_INDEX_OBJECTS
from marketplace.extensions import db
from tests.support.database import fresh_database_url


@pytest.fixture
def empty_database_url(tmp_path: Path) -> str:
    """A fresh empty database of the suite's kind."""
    return fresh_database_url(tmp_path, "migrations")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave out the full-text search objects that live outside the ORM metadata."""
    return not (name and name.startswith(SEARCH_INDEX_OBJECTS))


def test_migrations_match_models_and_downgrade(empty_database_url: str, tmp_path: Path) -> None:
    app = create_app("testing", {"INSTANCE_PATH": tmp_path, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object}),
                db.metadata,
            )
        assert differences == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()
