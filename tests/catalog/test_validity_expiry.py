"""Products whose price validity passed are marked for the feeds (`feed_changed_at`), once per expiry, robust to
missed runs, on WIB dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from marketplace.catalog.models import Product
from marketplace.catalog.services import mark_expired_validity, withdraw_product
from marketplace.core.timeutil import wib_day_start
from marketplace.extensions import db
from tests.factories import listing

TODAY = date(2026, 12, 10)
#: 00:05 WIB on TODAY, when the daily task runs.
RUN_AT = wib_day_start(TODAY) + timedelta(minutes=5)
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def on_sale(maker, reference, sku: str, *, valid_until: date, changed_at: datetime | None = LONG_AGO) -> Product:
    """A product on sale whose price is valid until `valid_until`, last changed for the feeds at `changed_at`."""
    product = listing(maker, reference, sku=sku)
    product.valid_until = valid_until
    product.feed_changed_at = changed_at
    db.session.flush()
    return product


def changed_at(product: Product) -> datetime | None:
    db.session.refresh(product)
    return product.feed_changed_at


def test_a_product_whose_validity_ended_yesterday_is_marked(maker, reference) -> None:
    product = on_sale(maker, reference, "EXP-1", valid_until=TODAY - timedelta(days=1))

    assert mark_expired_validity(today=TODAY, now=RUN_AT) == 1
    assert changed_at(product) == RUN_AT


def test_validity_ending_today_or_later_is_not_marked(maker, reference) -> None:
    today = on_sale(maker, reference, "EXP-TODAY", valid_until=TODAY)
    later = on_sale(maker, reference, "EXP-LATER", valid_until=TODAY + timedelta(days=30))

    assert mark_expired_validity(today=TODAY, now=RUN_AT) == 0
    assert changed_at(today) == changed_at(later) == LONG_AGO


def test_each_expiry_is_marked_once(maker, reference) -> None:
    product = on_sale(maker, reference, "EXP-ONCE", valid_until=TODAY - timedelta(days=1))
    mark_expired_validity(today=TODAY, now=RUN_AT)

    assert mark_expired_validity(today=TODAY, now=RUN_AT + timedelta(hours=1)) == 0
    assert mark_expired_validity(today=TODAY + timedelta(days=1), now=RUN_AT + timedelta(days=1)) == 0
    assert changed_at(product) == RUN_AT


def test_missed_runs_are_made_up(maker, reference) -> None:
    """No run for a week: every expiry of that week is marked by the next run."""
    products = [
        on_sale(maker, reference, f"EXP-MISSED-{days}", valid_until=TODAY - timedelta(days=days)) for days in (1, 4, 7)
    ]
    never_changed = on_sale(maker, reference, "EXP-NULL", valid_until=TODAY - timedelta(days=3), changed_at=None)

    assert mark_expired_validity(today=TODAY, now=RUN_AT) == 4
    assert {changed_at(product) for product in [*products, never_changed]} == {RUN_AT}


def test_a_product_changed_since_its_expiry_is_not_marked_again(maker, reference) -> None:
    """Changed on the first day past its validity (WIB) or later: a feed already carried it as it is."""
    expired_on = TODAY - timedelta(days=3)
    first_day_after = wib_day_start(expired_on + timedelta(days=1))
    changed = on_sale(maker, reference, "EXP-CHANGED", valid_until=expired_on, changed_at=first_day_after)
    just_before = on_sale(
        maker, reference, "EXP-BEFORE", valid_until=expired_on, changed_at=first_day_after - timedelta(seconds=1)
    )

    assert mark_expired_validity(today=TODAY, now=RUN_AT) == 1
    assert changed_at(changed) == first_day_after
    assert changed_at(just_before) == RUN_AT


def test_a_validity_renewed_then_ended_again_is_marked_again(maker, reference) -> None:
    product = on_sale(maker, reference, "EXP-AGAIN", valid_until=TODAY - timedelta(days=10))
    mark_expired_validity(today=TODAY - timedelta(days=9), now=RUN_AT - timedelta(days=9))
    product.valid_until = TODAY - timedelta(days=1)  # renewed (a quick update marks it too), ended again
    product.feed_changed_at = RUN_AT - timedelta(days=5)
    db.session.flush()

    assert mark_expired_validity(today=TODAY, now=RUN_AT) == 1
    assert changed_at(product) == RUN_AT


def test_the_day_is_the_wib_day(maker, reference) -> None:
    """At 23:30 UTC on the 9th it is already the 10th in Jakarta (UTC+7): a price valid until the 9th has passed."""
    now = datetime(2026, 12, 9, 23, 30, tzinfo=UTC)
    product = on_sale(maker, reference, "EXP-WIB", valid_until=date(2026, 12, 9))
    not_yet = on_sale(maker, reference, "EXP-WIB-10", valid_until=date(2026, 12, 10))

    assert mark_expired_validity(now=now) == 1
    assert changed_at(product) == now and changed_at(not_yet) == LONG_AGO


def test_withdrawn_and_draft_products_are_left_alone(maker, manager, reference, draft) -> None:
    withdrawn = on_sale(maker, reference, "EXP-GONE", valid_until=TODAY - timedelta(days=1))
    withdraw_product(actor=manager, product=withdrawn, reason="Tidak diproduksi lagi")
    withdrawn.feed_changed_at = LONG_AGO
    draft.valid_until = TODAY - timedelta(days=1)
    db.session.flush()

    assert mark_expired_validity(today=TODAY, now=RUN_AT) == 0
    assert changed_at(withdrawn) == LONG_AGO and changed_at(draft) is None
