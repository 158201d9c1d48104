"""Create the test database schema by running every migration, as production does; fresh databases for tests
that migrate one themselves."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from marketplace.extensions import db


def reset_schema(app: Flask) -> None:
    """Drop everything in the database so migrations start from empty."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    else:
        db.session.remove()
        engine.dispose()
        path = engine.url.database
        if path and path != ":memory:":
            from pathlib import Path

            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)


def prepare_database(app: Flask) -> None:
    reset_schema(app)
    upgrade()


#: Reference rows that the migrations insert (every later test expects them).
MIGRATION_DATA_TABLES = frozenset({"units"})


def truncate_all(app: Flask) -> None:
    """Remove every row (for tests whose data must be committed, e.g. with a real worker or browser), except the
    reference data the migrations created."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in MIGRATION_DATA_TABLES]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # products ↔ revisions point at each other
            for table in [*tables, "catalog_fts"]:
                connection.exec_driver_sql(f'DELETE FROM "{table}"')  # noqa: S608 - names from our metadata


def fresh_database_url(tmp_path: Path, suffix: str) -> str:
    """A new empty database: a SQLite file under `tmp_path`, or on PostgreSQL (DATABASE_URL set) the database
    `<suite's database>_<suffix>`, dropped and created again."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / f'{suffix}.db'}"
    name = f"{sa.make_url(url).database}_{suffix}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


@contextmanager
def app_migrated_to(tmp_path: Path, suffix: str, revision: str) -> Iterator[Flask]:
    """An app (in its app context) on a fresh database (`fresh_database_url`) migrated up to `revision`: a data
    migration's test inserts rows the old way, then upgrades."""
    from marketplace import create_app

    url = fresh_database_url(tmp_path, suffix)
    app = create_app("testing", {"INSTANCE_PATH": tmp_path, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision=revision)
        yield app
        db.session.remove()
        db.engine.dispose()
