"""Procurement in the background: the automatic cancellation of orders whose party due did not act in time."""

from __future__ import annotations

from celery import shared_task

from marketplace.procurement.services.moves import expire_overdue as expire_overdue_orders


@shared_task(name="procurement.expire_overdue")
def expire_overdue() -> int:
    """Cancel the orders whose deadline passed (beat: ORDER_EXPIRE_CRON); return how many."""
    return expire_overdue_orders()
