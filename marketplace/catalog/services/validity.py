"""Price validity running out: a product whose `berlaku_sampai` has passed is marked as changed for the feeds.

Nothing else changes a product when its `valid_until` passes, so without this mark the product would never enter a
delta feed and e-Katalog would keep its last version on sale. `mark_expired_validity` (the daily
`catalog.mark_expired_validity` task) sets `feed_changed_at` on every product on sale whose validity ended before
today (WIB), unless it was already changed on or after the first day past its validity: each expiry is marked
exactly once, and a run that was missed is made up by the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, case, literal, or_, select, update

from marketplace.catalog.models import Product
from marketplace.catalog.states import ProductStatus
from marketplace.core.timeutil import to_jakarta, utcnow, wib_day_start
from marketplace.extensions import db

#: Expiry dates handled by one UPDATE statement.
DAYS_PER_STATEMENT = 200


def mark_expired_validity(*, today: date | None = None, now: datetime | None = None) -> int:
    """Mark the products on sale whose price validity ended before `today` (WIB; default: the date at `now`) as changed
    for the feeds (`feed_changed_at` = `now`), once per expiry; commit and return how many were marked."""
    now = now or utcnow()
    today = today or to_jakarta(now).date()
    days = db.session.scalars(
        select(Product.valid_until).where(_on_sale(), Product.valid_until < today).distinct()
    ).all()
    days = sorted(days)
    marked = sum(_mark(days[at : at + DAYS_PER_STATEMENT], now) for at in range(0, len(days), DAYS_PER_STATEMENT))
    db.session.commit()
    return marked


def _on_sale() -> ColumnElement[bool]:
    """Products the feeds carry as active (published, not withdrawn)."""
    return (Product.status == ProductStatus.ACTIVE) & Product.live_revision_id.is_not(None)


def _mark(days: Sequence[date], now: datetime) -> int:
    """Mark the products on sale that expired on one of `days` and were not changed since their expiry."""
    expired_at = case(
        {day: literal(wib_day_start(day + timedelta(days=1)), Product.feed_changed_at.type) for day in days},
        value=Product.valid_until,
    )
    statement = (
        update(Product)
        .where(
            _on_sale(),
            Product.valid_until.in_(days),
            or_(Product.feed_changed_at.is_(None), Product.feed_changed_at < expired_at),
        )
        .values(feed_changed_at=now)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).rowcount
