"""Demo history: the orders the city's work units completed in the earlier months of this year, so the dashboards
and reports have months of sales to show. Each is made through the services as the stories' completed orders are
(cart, checkout, signatures, shipment, receipt, invoice, payment outside the system, confirmation), then its
times (and its documents', signatures', shipments', ledger entries' and audit events') are moved back to its month.
Only months of the current year: order numbers carry the year they were issued in."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import inspect, select

from marketplace.core.audit import AuditEvent
from marketplace.core.timeutil import JAKARTA, today_wib
from marketplace.demo.orders import COMPLETED, Story, play, products_by_cooperative
from marketplace.demo.seeding import tasks_dropped
from marketplace.extensions import db
from marketplace.payments.models import LedgerEntry
from marketplace.procurement.models import Order
from marketplace.procurement.services.sales import first_of_month

#: Completed orders per earlier month: a few, more towards the end of the budget year.
ORDERS_PER_MONTH = (1, 2, 2, 3)
UNITS = ("dinsos", "dindik", "setda")
RUP_NAMES = ("Konsumsi rapat rutin", "Bahan makanan kegiatan", "Cinderamata kunjungan", "Perlengkapan kegiatan")
#: Story numbers of the history (after the dozen stories: distinct checkout keys).
FIRST_NUMBER = 100


def seed_history(today: date | None = None) -> int:
    """Complete a few orders for each month of this year before `today`'s (WIB; today by default), each dated on a
    working morning of its month; return how many."""
    today = today or today_wib()
    made = 0
    with tasks_dropped():
        for back in range(today.month - 1, 0, -1):
            first = first_of_month(today, back)
            for slot in range(ORDERS_PER_MONTH[back % len(ORDERS_PER_MONTH)]):
                products = products_by_cooperative()  # again each time: the stock left decides
                cooperatives = sorted(products)
                if not cooperatives:
                    return made
                number = FIRST_NUMBER + made
                story = Story(
                    UNITS[number % len(UNITS)], "ppk", COMPLETED, lines=1 + slot % 2,
                    rup_name=RUP_NAMES[number % len(RUP_NAMES)],
                )  # fmt: skip
                order = play(story, number, products[cooperatives[number % len(cooperatives)]][: story.lines])
                completed = datetime.combine(first + timedelta(days=4 + 7 * slot), time(10), tzinfo=JAKARTA)
                move_back(order, order.completed_at - completed.astimezone(UTC))
                made += 1
    db.session.commit()
    return made


def move_back(order: Order, delta: timedelta) -> None:
    """Move every time of the order and of what hangs on it `delta` into the past."""
    rows: list[Any] = [order, *order.documents, *order.shipments]
    rows += [signature for document in order.documents for signature in document.signatures]
    rows += list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.order_id == order.id)))
    rows += list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.subject_type == "order", AuditEvent.subject_id == order.id)
        )
    )
    for row in rows:
        _shift_times(row, delta)
    db.session.flush()


def _shift_times(row: Any, delta: timedelta) -> None:
    for column in inspect(type(row)).columns:
        value = getattr(row, column.key, None)
        if isinstance(value, datetime):
            setattr(row, column.key, value - delta)
