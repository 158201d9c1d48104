"""Numbers people read on orders and documents: `{prefix}-{year}-{seq:05d}` per cooperative, never reused."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from marketplace.core.timeutil import to_jakarta, utcnow
from marketplace.extensions import db
from marketplace.procurement.models import NumberSequence


def next_number(cooperative_id: int, prefix: str, year: int | None = None) -> str:
    """The next number of the cooperative's `prefix` sequence for `year` (the current year in WIB by default).

    The sequence row is updated in the caller's transaction (its lock is held until commit, so concurrent
    callers queue and never get the same number); a rolled-back transaction gives its number back unused."""
    year = year or to_jakarta(utcnow()).year
    value = _increment(cooperative_id, prefix, year)
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.add(NumberSequence(cooperative_id=cooperative_id, prefix=prefix, year=year, last_value=1))
            value = 1
        except IntegrityError:  # another transaction created the row first
            value = _increment(cooperative_id, prefix, year)
    return f"{prefix}-{year}-{value:05d}"


def _increment(cooperative_id: int, prefix: str, year: int) -> int | None:
    return db.session.execute(
        update(NumberSequence)
        .where(
            NumberSequence.cooperative_id == cooperative_id,
            NumberSequence.prefix == prefix,
            NumberSequence.year == year,
        )
        .values(last_value=NumberSequence.last_value + 1)
        .returning(NumberSequence.last_value)
    ).scalar_one_or_none()
