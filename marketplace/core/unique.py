"""Values no two rows may share (a seller's NIB, a cooperative's NPWP…): looked up before a write, so the form says
which field is taken, and claimed when the write is flushed, so that of two requests saving the same value at once
the second gets the same field error from the unique constraint instead of a 500."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.core.errors import ValidationFailed


def taken_columns(
    session: Session,
    model: type,
    columns: tuple[str, ...],
    values: Mapping[str, Any],
    *,
    own_id: int | None,
    skip: Collection[str] = (),
) -> list[str]:
    """The names among `columns` (not in `skip`) whose value in `values` a row of `model` other than `own_id` holds."""
    taken = []
    for name in columns:
        value = values.get(name)
        if not value or name in skip:
            continue
        holder = session.scalar(select(model.id).where(getattr(model, name) == value).limit(1))
        if holder is not None and holder != own_id:
            taken.append(name)
    return taken


def violated_unique_column(error: IntegrityError, table: str, columns: tuple[str, ...]) -> str | None:
    """Which of `table`'s single-column unique constraints `error` reports, or None.

    PostgreSQL names the constraint (`uq_<table>_<column>`, the naming convention), SQLite the column
    (`UNIQUE constraint failed: <table>.<column>`).
    """
    text = str(error.orig)
    for column in columns:
        if f"uq_{table}_{column}" in text or f"{table}.{column}" in text:
            return column
    return None


@contextmanager
def unique_values_claimed(
    session: Session, table: str, columns: tuple[str, ...], message: Callable[[str], object]
) -> Iterator[None]:
    """Flush the block's writes; a value of `columns` that another request saved a moment ago becomes the field
    error `message(column)` (ValidationFailed, after a rollback: nothing of the block is kept). Other integrity
    errors pass unchanged."""
    try:
        yield
        session.flush()
    except IntegrityError as exc:
        name = violated_unique_column(exc, table, columns)
        if name is None:
            raise
        session.rollback()
        raise ValidationFailed(_("Please correct the fields marked below."), {name: str(message(name))}) from exc
