"""Reading orders: the lists a user may see (filtered, searched, paginated) and an order's timeline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import User
from marketplace.core.audit import AuditEvent
from marketplace.core.pagination import Page, paginate
from marketplace.core.timeutil import wib_day_start
from marketplace.extensions import db
from marketplace.procurement.models import Order
from marketplace.procurement.permissions import orders_awaiting, orders_visible_to
from marketplace.procurement.services import documents, fulfilment, moves

#: Rows fetched at a time by the CSV export.
EXPORT_BATCH = 500

#: What each audited order event is called on the timeline (`order.<action>`).
EVENT_LABELS = {
    "order.submit": _l("Order placed"),
    "order.approve": _l("Approved by the PPK"),
    "order.reject": _l("Rejected by the PPK"),
    "order.propose": _l("New prices proposed"),
    "order.accept_offer": _l("Offer accepted"),
    "order.accept": _l("Accepted by the cooperative"),
    "order.refuse": _l("Refused by the cooperative"),
    "order.signed": _l("Surat Pesanan signed by one side"),
    "order.sign": _l("Surat Pesanan signed by both sides"),
    "order.shipped": _l("Shipped"),
    "order.delivered": _l("Delivered"),
    "order.receive": _l("Receipt recorded, BAST signed"),
    "order.invoice": _l("Invoice issued"),
    "order.pay_outside": _l("Paid outside the system"),
    "order.confirm_payment": _l("Payment confirmed, order completed"),
    "order.cancel": _l("Cancelled"),
    "order.expire": _l("Cancelled automatically: no action in time"),
    "order.payment_started": _l("Card payment started"),
    "order.payment_failed": _l("Card payment failed"),
    "order.payment_unexpected": _l("Payment received for an order no longer waiting for it"),
    "order.transfer_recorded": _l("Bank transfer recorded"),
    "order.pay": _l("Paid, order completed"),
    "order.refunded": _l("Refunded"),
    "order.refund_failed": _l("Refund failed"),
    "payment.reconciled": _l("Payment status reconciled with Stripe"),
}


@dataclass(frozen=True)
class TimelineEntry:
    """One move or event of an order: what, who, when, why."""

    action: str
    label: str
    actor_name: str | None
    at: datetime
    reason: str | None
    status: str | None
    details: dict[str, Any]


def orders_statement(
    user: User,
    *,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    number: str | None = None,
    awaiting: bool = False,
) -> Select:
    """The orders `user` may see matching the filters (dates are WIB days, both included; `awaiting`: only those
    waiting for the user to act), newest first."""
    statement = select(Order).where(orders_visible_to(user))
    if awaiting:
        statement = statement.where(orders_awaiting(user))
    if status:
        statement = statement.where(Order.status == status)
    if date_from is not None:
        statement = statement.where(Order.created_at >= wib_day_start(date_from))
    if date_to is not None:
        statement = statement.where(Order.created_at < wib_day_start(date_to + timedelta(days=1)))
    if number and number.strip():
        statement = statement.where(func.upper(Order.number).startswith(number.strip().upper(), autoescape=True))
    return statement.order_by(Order.created_at.desc(), Order.id.desc())


def list_orders(
    user: User,
    *,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    number: str | None = None,
    awaiting: bool = False,
    page: int = 1,
    per_page: int | None = None,
) -> Page:
    """One page of the orders `user` may see (operators all, officers their work unit's, managers their
    cooperative's, sellers those with their lines), newest first."""
    statement = orders_statement(
        user, status=status, date_from=date_from, date_to=date_to, number=number, awaiting=awaiting
    )
    statement = statement.options(joinedload(Order.work_unit), joinedload(Order.cooperative))
    return paginate(statement, max(page, 1), per_page or current_app.config["PAGE_SIZE"])


def iter_orders(user: User, **filters: Any) -> Iterator[Order]:
    """Every order of `orders_statement` (same filters and order), read in batches for an export: each batch starts
    after the last row of the one before (newest first on `created_at, id`), so every batch walks the index from
    there instead of skipping the rows already read."""
    statement = orders_statement(user, **filters).options(joinedload(Order.work_unit), joinedload(Order.cooperative))
    after: tuple[datetime, int] | None = None
    while True:
        page = statement if after is None else statement.where(tuple_(Order.created_at, Order.id) < after)
        batch = db.session.scalars(page.limit(EXPORT_BATCH)).unique().all()
        yield from batch
        if len(batch) < EXPORT_BATCH:
            return
        after = (batch[-1].created_at, batch[-1].id)


def available_actions(user: User, order: Order) -> set[str]:
    """The API action names `user` may make on `order` now: the union of the moves', documents' and
    fulfilment's."""
    return (
        moves.available_actions(user, order)
        | documents.available_actions(user, order)
        | fulfilment.available_actions(user, order)
    )


def timeline(order: Order) -> list[TimelineEntry]:
    """The order's audit events (every move and event recorded on it), oldest first, with the actors' names."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "order", AuditEvent.subject_id == order.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    return [_entry(event) for event in events]


def _entry(event: AuditEvent) -> TimelineEntry:
    after = dict(event.after or {})
    label = EVENT_LABELS.get(event.action)
    return TimelineEntry(
        action=event.action,
        label=str(label) if label is not None else event.action,
        actor_name=event.actor.full_name if event.actor is not None else None,
        at=event.created_at,
        reason=event.reason,
        status=after.pop("status", None),
        details=after,
    )
