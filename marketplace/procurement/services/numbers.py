"""Numbers people read on orders and documents: `{prefix}-{year}-{seq:05d}` per cooperative, never reused."""

from __future__ import annotations

from marketplace.core.db import upsert_insert
from marketplace.core.timeutil import to_jakarta, utcnow
from marketplace.extensions import db
from marketplace.procurement.models import NumberSequence


def next_number(cooperative_id: int, prefix: str, year: int | None = None) -> str:
    """The next number of the cooperative's `prefix` sequence for `year` (the current year in WIB by default).

    One upsert creates the sequence at 1 or adds one to it, in the caller's transaction: the row's lock is held
    until commit, so concurrent callers queue and never get the same number; a rolled-back transaction gives its
    number back unused."""
    year = year or to_jakarta(utcnow()).year
    insert = upsert_insert(db.session)
    statement = (
        insert(NumberSequence)
        .values(cooperative_id=cooperative_id, prefix=prefix, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=["cooperative_id", "prefix", "year"],
            set_={"last_value": NumberSequence.last_value + 1},
        )
        .returning(NumberSequence.last_value)
    )
    return f"{prefix}-{year}-{db.session.execute(statement).scalar_one():05d}"
