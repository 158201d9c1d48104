"""Declarative base with a constraint naming convention and timestamp columns; dialect helpers (upserts, batched
writes, months in WIB)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    bindparam,
    event,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.functions import FunctionElement

from marketplace.core.timeutil import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite returns naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use marketplace.core.timeutil.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime(), int: BigInteger().with_variant(Integer(), "sqlite")},
    )


class TimestampMixin:
    """`created_at` and `updated_at` in UTC, set by the application."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def _configure_sqlite_connection(dbapi_connection: object, connection_record: object) -> None:
    """SQLite: enforce foreign keys, allow a web server and a worker at once, and let SQLAlchemy own BEGIN."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _begin_sqlite)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    """BEGIN; in a request that may write (not GET, HEAD or OPTIONS), BEGIN IMMEDIATE: it takes SQLite's write
    lock at once, waiting (`busy_timeout`) for another writer to finish. A plain BEGIN that read first and writes
    later fails at once with "database is locked" when another write committed meanwhile (SQLite cannot wait there
    without risking a deadlock), so simultaneous sign-ins or orders would be 500s. Reads stay concurrent."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _request_may_write() else "BEGIN")


def _request_may_write() -> bool:
    return has_request_context() and request.method not in {"GET", "HEAD", "OPTIONS"}


def install_sqlite_recipe() -> None:
    """Register the pysqlite transaction recipe from SQLAlchemy's docs (SAVEPOINT works, BEGIN is ours)."""
    if not event.contains(Engine, "connect", _configure_sqlite_connection):
        event.listen(Engine, "connect", _configure_sqlite_connection)
        event.listen(Engine, "begin", _begin_sqlite)


def upsert_insert(session: Session) -> Callable:
    """The dialect's `insert` (PostgreSQL's or SQLite's) that has `on_conflict_do_nothing/do_update`."""
    return dialect_insert(session.get_bind().dialect.name)


def dialect_insert(dialect_name: str) -> Callable:
    """PostgreSQL's or SQLite's `insert` (with `on_conflict_do_nothing/do_update`) for a dialect's name."""
    return postgresql.insert if dialect_name == "postgresql" else sqlite.insert


@contextmanager
def pipelined(session: Session) -> Iterator[None]:
    """Send the statements run inside the block together and wait for the server once, at the end (PostgreSQL's
    pipeline mode, psycopg); elsewhere they simply run one by one.

    For writes whose results the block does not read: no RETURNING, so INSERTs go as `insert(...).inline()` with
    a list of rows. A failing statement (e.g. a CHECK constraint) aborts the rest of the transaction and raises
    when the block ends, as SQLAlchemy's error for it (IntegrityError, …); the caller rolls back."""
    connection = session.connection()
    if connection.dialect.driver != "psycopg":
        yield
        return
    import psycopg

    failure: Exception | None = None
    try:
        with connection.connection.driver_connection.pipeline():
            try:
                yield
            except Exception as error:  # a statement's failure read back while the block still ran
                failure = error
    except psycopg.Error as error:
        if failure is None:
            raise DBAPIError.instance(None, None, error, psycopg.Error) from error
        # else the pipeline's end only reports that `failure` aborted it: nothing to add (nor to log)
    if failure is not None:
        raise failure


def insert_under_parents(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    link: str,
    parent_id: Column,
    match: dict[str, Column],
) -> None:
    """INSERT `rows` into `table`, each with its `link` column set to the id of the parent row whose `match` columns
    equal the row's values for `match`'s keys: one executemany INSERT … SELECT without RETURNING (so it can run
    pipelined right after the parents' INSERT). Each row holds `table`'s columns and the match keys."""
    if not rows:
        return
    columns = tuple(name for name in rows[0] if name not in match)
    key = (table.name, columns, link, str(parent_id), tuple((name, str(column)) for name, column in match.items()))
    statement = _UNDER_PARENTS.get(key)
    if statement is None:
        parents = select(parent_id, *(bindparam(name, type_=table.c[name].type) for name in columns)).where(
            *(column == bindparam(name, type_=column.type) for name, column in match.items())
        )
        statement = _UNDER_PARENTS[key] = insert(table).from_select([link, *columns], parents)
    session.execute(statement, rows)


#: `insert_under_parents` statements, built once per table, columns and match.
_UNDER_PARENTS: dict[tuple, Insert] = {}


class wib_month(FunctionElement):  # lower case: used like a SQL function
    """`'YYYY-MM'` of a stored UTC timestamp's month in WIB, for grouping by month in SQL."""

    type = String()
    inherit_cache = True


@compiles(wib_month, "postgresql")
def _wib_month_postgresql(element: wib_month, compiler: Any, **kw: Any) -> str:
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM')"


@compiles(wib_month, "sqlite")
def _wib_month_sqlite(element: wib_month, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)}, '+7 hours')"  # WIB has no summer time
