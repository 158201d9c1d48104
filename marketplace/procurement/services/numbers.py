"""Numbers people read on orders and documents: `{prefix}-{year}-{seq:05d}` per cooperative, never reused."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam
from sqlalchemy.sql.dml import Insert

from marketplace.core.db import dialect_insert
from marketplace.core.timeutil import to_jakarta, utcnow
from marketplace.extensions import db
from marketplace.procurement.models import NumberSequence


def next_number(cooperative_id: int, prefix: str, year: int | None = None) -> str:
    """The next number of the cooperative's `prefix` sequence for `year` (the current year in WIB by default).

    One upsert creates the sequence at 1 or adds one to it, in the caller's transaction: the row's lock is held
    until commit, so concurrent callers queue and never get the same number; a rolled-back transaction gives its
    number back unused."""
    year = year or to_jakarta(utcnow()).year
    statement = _increment(db.session.get_bind().dialect.name)
    value = db.session.execute(statement, {"cooperative_id": cooperative_id, "prefix": prefix, "year": year})
    return f"{prefix}-{year}-{value.scalar_one():05d}"


@cache
def _increment(dialect_name: str) -> Insert:
    """INSERT … ON CONFLICT DO UPDATE that adds one to the sequence (built once per dialect)."""
    table = NumberSequence.__table__
    return (
        dialect_insert(dialect_name)(table)
        .values(
            cooperative_id=bindparam("cooperative_id"), prefix=bindparam("prefix"), year=bindparam("year"), last_value=1
        )
        .on_conflict_do_update(
            index_elements=["cooperative_id", "prefix", "year"], set_={"last_value": table.c.last_value + 1}
        )
        .returning(table.c.last_value)
    )
