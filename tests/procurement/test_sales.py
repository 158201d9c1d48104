"""Sales figures: completed orders by WIB month, totals of a period, sales under way, best-selling products and
members, each scoped to a cooperative, a member's lines, a work unit or everything."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from marketplace.extensions import db
from marketplace.procurement.services import sales
from marketplace.procurement.services.sales import MonthSales, SalesScope, SalesTotal
from marketplace.procurement.states import OrderStatus
from tests.procurement.conftest import make_order

TODAY = date(2026, 11, 15)


def completed(market, at: datetime, items=None):
    order = make_order(market, OrderStatus.COMPLETED, items=items)
    for line in order.lines:
        line.quantity_received = line.quantity
    order.completed_at = at
    db.session.flush()
    return order


def amount(*orders, seller=None) -> int:
    return sum(line.total for order in orders for line in order.lines if seller is None or line.seller_id == seller.id)


@pytest.fixture
def history(market):
    """Rice+oil completed on 1 November 00:30 WIB (still 31 October in UTC), rice+oil on 31 October 23:00 WIB,
    batik (the other cooperative) in November, and orders that are not sales: one under way, one cancelled."""
    november = completed(market, datetime(2026, 10, 31, 17, 30, tzinfo=UTC))
    october = completed(market, datetime(2026, 10, 31, 16, 0, tzinfo=UTC))
    batik = completed(market, datetime(2026, 11, 10, 3, 0, tzinfo=UTC), items=[(market.batik, 2)])
    under_way = make_order(market, OrderStatus.WAITING_PAYMENT)
    make_order(market, OrderStatus.CANCELLED)
    return {"november": november, "october": october, "batik": batik, "under_way": under_way}


def test_months_are_wib_months_oldest_first_with_empty_months(market, history) -> None:
    months = sales.monthly_sales(SalesScope(cooperative_id=market.coop.id), months=3, today=TODAY)
    assert months == [
        MonthSales(date(2026, 9, 1), 0, 0),
        MonthSales(date(2026, 10, 1), 1, amount(history["october"])),
        MonthSales(date(2026, 11, 1), 1, amount(history["november"])),
    ]


def test_a_members_sales_are_their_lines_only(market, history) -> None:
    months = sales.monthly_sales(SalesScope(seller_id=market.seller_b.id), months=2, today=TODAY)
    assert [month.amount for month in months] == [
        amount(history["october"], seller=market.seller_b),
        amount(history["november"], seller=market.seller_b),
    ]
    assert 0 < months[1].amount < amount(history["november"])


def test_everything_and_a_work_unit(market, history) -> None:
    everything = sales.completed_sales(SalesScope(), since=date(2026, 11, 1))
    assert everything == SalesTotal(2, amount(history["november"], history["batik"]))
    elsewhere = sales.completed_sales(SalesScope(work_unit_id=market.other_work_unit.id), since=date(2026, 1, 1))
    assert elsewhere == SalesTotal(0, 0)


def test_a_period_ends_before_its_until_day(market, history) -> None:
    october = sales.completed_sales(
        SalesScope(cooperative_id=market.coop.id), since=date(2026, 10, 1), until=date(2026, 11, 1)
    )
    assert october == SalesTotal(1, amount(history["october"]))


def test_sales_under_way_are_signed_and_unpaid_orders(market, history) -> None:
    assert sales.sales_under_way(SalesScope(cooperative_id=market.coop.id)) == SalesTotal(
        1, amount(history["under_way"])
    )


def test_best_sellers_and_members_largest_first(market, history) -> None:
    since = date(2026, 10, 1)
    products = sales.best_selling_products(SalesScope(cooperative_id=market.coop.id), since=since)
    rice, oil = history["november"].lines
    assert [(p.product_id, p.quantity, p.amount) for p in products] == sorted(
        [(rice.product_id, 2 * rice.quantity, 2 * rice.total), (oil.product_id, 2 * oil.quantity, 2 * oil.total)],
        key=lambda row: -row[2],
    )
    members = sales.sales_by_member(SalesScope(cooperative_id=market.coop.id), since=since)
    assert [m.member_id for m in members] == [
        seller.id
        for seller in sorted((market.seller_a, market.seller_b), key=lambda s: -amount(history["november"], seller=s))
    ]
    assert sum(m.amount for m in members) == amount(history["october"], history["november"])


def test_best_sellers_count_the_units_received_when_less_arrived(market) -> None:
    order = completed(market, datetime(2026, 11, 10, 3, 0, tzinfo=UTC), items=[(market.oil, 10)])
    order.lines[0].quantity_received = 7  # the BAST's quantity (the line was billed for 7)
    db.session.flush()
    [best] = sales.best_selling_products(SalesScope(seller_id=market.seller_b.id), since=date(2026, 11, 1))
    assert best.quantity == 7


def test_first_of_month_goes_back_across_years() -> None:
    assert sales.first_of_month(date(2026, 2, 28), 3) == date(2025, 11, 1)
    assert sales.first_of_month(date(2026, 1, 31)) == date(2026, 1, 1)
