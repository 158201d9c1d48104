"""Demo history: orders completed in the earlier months of the year, made through the services and dated back
whole (their documents, shipments, ledger and timeline with them), so the dashboards show months of sales."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.core.timeutil import to_jakarta
from marketplace.demo.history import seed_history
from marketplace.demo.orders import seed_orders
from marketplace.extensions import db
from marketplace.procurement.models import Order
from marketplace.procurement.services.sales import SalesScope, monthly_sales
from marketplace.procurement.states import OrderStatus
from tests.demo.test_demo_orders import demo  # noqa: F401  (a fixture)


def test_each_earlier_month_gets_completed_orders_dated_in_it(demo) -> None:  # noqa: F811
    seed_orders()
    made = seed_history(today=date(2026, 5, 20))
    history = list(db.session.scalars(select(Order).where(Order.rup_name.not_like("%Bantuan%")).order_by(Order.id)))
    history = [order for order in history if to_jakarta(order.completed_at or order.created_at).month < 5]
    assert made == len(history) == 8  # January to April: 1 + 3 + 2 + 2 (ORDERS_PER_MONTH by months back)
    assert {order.status for order in history} == {OrderStatus.COMPLETED}
    months = monthly_sales(SalesScope(), months=5, today=date(2026, 5, 20))
    assert [month.orders for month in months[:4]] == [1, 3, 2, 2]
    for order in history:
        assert order.created_at < order.completed_at
        assert to_jakarta(order.created_at).month == to_jakarta(order.completed_at).month
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.subject_type == "order", AuditEvent.subject_id == order.id)
        ).all()
        assert events and max(event.created_at for event in events) <= order.completed_at + timedelta(seconds=1)
        assert all(document.issued_at <= order.completed_at for document in order.documents)


def test_no_history_in_january(demo) -> None:  # noqa: F811
    assert seed_history(today=date(2027, 1, 15)) == 0
