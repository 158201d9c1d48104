"""Order lists (scoping per role, filters, search, pagination) and the order timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.core.audit import record_event
from marketplace.extensions import db
from marketplace.procurement.services import queries
from marketplace.procurement.states import ORDER, OrderStatus
from tests.factories import seller, user_with_role
from tests.procurement.conftest import make_order


@pytest.fixture
def orders(market):
    """Three orders of the market's work unit (rice+oil, oil only, batik of the other cooperative) and one of
    another work unit, created one minute apart (oldest first)."""
    mine = make_order(market)
    oil_only = make_order(market, items=[(market.oil, 5)])
    batik = make_order(market, items=[(market.batik, 1)])
    elsewhere = make_order(market, items=[(market.rice, 1)])
    elsewhere.work_unit_id = market.other_work_unit.id
    elsewhere.ppk_id = market.other_ppk.id
    start = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    for index, order in enumerate((mine, oil_only, batik, elsewhere)):
        order.created_at = start + timedelta(minutes=index)
    db.session.flush()
    return {"mine": mine, "oil_only": oil_only, "batik": batik, "elsewhere": elsewhere}


def ids(page) -> list[int]:
    return [order.id for order in page.items]


def test_operator_sees_every_order_newest_first(market, orders) -> None:
    found = queries.list_orders(market.operator)
    expected = [orders[name].id for name in ("elsewhere", "batik", "oil_only", "mine")]
    assert ids(found) == expected
    assert found.total == 4


@pytest.mark.parametrize("officer", ["pp", "ppk", "bendahara"])
def test_officers_see_their_work_unit_orders_only(market, orders, officer) -> None:
    found = queries.list_orders(getattr(market, officer))
    assert set(ids(found)) == {orders["mine"].id, orders["oil_only"].id, orders["batik"].id}
    assert orders["elsewhere"].id not in ids(found)


def test_ppk_of_another_work_unit_sees_only_that_unit(market, orders) -> None:
    assert ids(queries.list_orders(market.other_ppk)) == [orders["elsewhere"].id]


def test_manager_sees_their_cooperative_orders(market, orders) -> None:
    assert set(ids(queries.list_orders(market.manager))) == {
        orders["mine"].id,
        orders["oil_only"].id,
        orders["elsewhere"].id,
    }
    assert ids(queries.list_orders(market.other_manager)) == [orders["batik"].id]


def test_seller_sees_only_orders_with_their_lines(market, orders) -> None:
    assert set(ids(queries.list_orders(market.seller_a))) == {orders["mine"].id, orders["elsewhere"].id}
    assert set(ids(queries.list_orders(market.seller_b))) == {orders["mine"].id, orders["oil_only"].id}
    assert ids(queries.list_orders(market.other_seller)) == [orders["batik"].id]


def test_users_without_an_order_role_or_unit_see_nothing(market, orders) -> None:
    stranger = seller(market.coop, full_name="Tanpa Produk")
    unplaced_pp = user_with_role(Role.PP)
    assert queries.list_orders(stranger).total == 0
    assert queries.list_orders(unplaced_pp).total == 0


def test_status_filter(market, orders) -> None:
    orders["oil_only"].status = OrderStatus.ON_PROCESS
    db.session.flush()
    found = queries.list_orders(market.pp, status=OrderStatus.ON_PROCESS)
    assert ids(found) == [orders["oil_only"].id]
    assert queries.list_orders(market.pp, status=OrderStatus.COMPLETED).total == 0


def test_dates_are_wib_days_both_included(market, orders) -> None:
    # 2026-11-02 16:59 UTC is 23:59 WIB on the 2nd; 17:00 UTC is already the 3rd in WIB.
    orders["mine"].created_at = datetime(2026, 11, 2, 16, 59, tzinfo=UTC)
    orders["oil_only"].created_at = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
    orders["batik"].created_at = datetime(2026, 11, 1, 16, 59, tzinfo=UTC)  # 23:59 WIB on the 1st
    db.session.flush()
    day = date(2026, 11, 2)
    assert ids(queries.list_orders(market.pp, date_from=day, date_to=day)) == [orders["mine"].id]
    assert set(ids(queries.list_orders(market.pp, date_from=date(2026, 11, 3)))) == {orders["oil_only"].id}
    assert set(ids(queries.list_orders(market.pp, date_to=date(2026, 11, 1)))) == {orders["batik"].id}


def test_number_search_is_a_case_insensitive_prefix(market, orders) -> None:
    orders["mine"].number = "SP-2031-00042"
    orders["oil_only"].number = "SP-2031-00420"
    orders["batik"].number = "SP-2030-00042"
    db.session.flush()
    assert set(ids(queries.list_orders(market.pp, number="sp-2031-00"))) == {
        orders["mine"].id,
        orders["oil_only"].id,
    }
    assert ids(queries.list_orders(market.pp, number=" SP-2031-00042 ")) == [orders["mine"].id]
    assert queries.list_orders(market.pp, number="00042").total == 0  # a prefix, not a part
    assert queries.list_orders(market.pp, number="SP-2031-0004%").total == 0  # wildcards are literal


def test_search_never_reaches_past_the_scope(market, orders) -> None:
    orders["elsewhere"].number = "SP-2026-99999"
    db.session.flush()
    assert queries.list_orders(market.pp, number="SP-2026-99999").total == 0
    assert queries.list_orders(market.other_ppk, number="SP-2026-99999").total == 1


def test_pagination(market, orders) -> None:
    first = queries.list_orders(market.operator, page=1, per_page=3)
    second = queries.list_orders(market.operator, page=2, per_page=3)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (4, 2, 3, 1)
    assert ids(second) == [orders["mine"].id]


def test_iter_orders_reads_every_row_in_batches(market, orders, monkeypatch) -> None:
    monkeypatch.setattr(queries, "EXPORT_BATCH", 2)
    assert [order.id for order in queries.iter_orders(market.operator)] == [
        orders[name].id for name in ("elsewhere", "batik", "oil_only", "mine")
    ]
    assert [order.id for order in queries.iter_orders(market.seller_b, number=orders["mine"].number)] == [
        orders["mine"].id
    ]


def test_timeline_lists_the_order_events_oldest_first_with_who_and_why(market) -> None:
    order = make_order(market, OrderStatus.WAITING_PPK_REVIEW)
    other = make_order(market, OrderStatus.WAITING_PPK_REVIEW)
    ORDER.move(order, "approve", actor_id=market.ppk.id)
    ORDER.move(other, "reject", actor_id=market.ppk.id, reason="Not this one")
    ORDER.move(order, "refuse", actor_id=market.manager.id, reason="Stok habis untuk periode ini, mohon maaf")
    record_event("order.note", subject_type="order", subject_id=order.id, actor_id=None, after={"x": 1})
    record_event("order.approve", subject_type="product", subject_id=order.id, actor_id=market.pp.id)
    db.session.flush()

    entries = queries.timeline(order)

    assert [entry.action for entry in entries] == ["order.approve", "order.refuse", "order.note"]
    approve, refuse, note = entries
    assert (approve.label, approve.actor_name, approve.status) == (
        "Disetujui PPK",
        "PPK Dinsos",
        "WAITING_SELLER_CONFIRMATION",
    )
    assert (refuse.actor_name, refuse.reason, refuse.status) == (
        "Hadi Pengurus",
        "Stok habis untuk periode ini, mohon maaf",
        "CANCELLED",
    )
    assert (note.label, note.actor_name, note.details) == ("order.note", None, {"x": 1})
    assert approve.at.tzinfo is not None
