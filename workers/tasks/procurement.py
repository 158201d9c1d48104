"""Procurement in the background: the emails of each order step, and the automatic cancellation of orders whose
party due did not act in time."""

from __future__ import annotations

from celery import shared_task

from marketplace.procurement.services.moves import expire_overdue as expire_overdue_orders
from marketplace.procurement.services.notify import send_order_event


@shared_task(name="procurement.expire_overdue")
def expire_overdue() -> int:
    """Cancel the orders whose deadline passed (beat: ORDER_EXPIRE_CRON); return how many."""
    return expire_overdue_orders()


@shared_task(name="procurement.notify_order")
def notify_order(
    order_id: int,
    event: str,
    actor_id: int | None = None,
    context: dict | None = None,
    waiting_for: str | None = None,
) -> list[str]:
    """Email an order step to the people it concerns, each in their language; return the addresses."""
    return send_order_event(order_id, event, actor_id=actor_id, context=context, waiting_for=waiting_for)
