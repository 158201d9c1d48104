"""Record the SQL statements the application sends, to assert that work is set-based (a fixed number of statements
whatever the number of rows)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from marketplace.extensions import db


@contextmanager
def recorded_statements() -> Iterator[list[str]]:
    """Yield a list that collects every statement sent to the database inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
