"""Who an order waits for, and until when: the party due has ORDER_AUTO_CANCEL_WORKING_DAYS working days (counted in
WIB, weekends, national holidays and cuti bersama skipped, as government offices do) before the scheduled task
cancels the order."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import lokal
from flask import current_app

from marketplace.core.timeutil import JAKARTA, to_jakarta, utcnow
from marketplace.procurement.models import Order
from marketplace.procurement.states import BEFORE_PROCESS

#: Who an order can wait for (`Order.waiting_for`).
PPK = "ppk"
PROVIDER = "provider"
BUYER = "buyer"
SIGNATURES = "signatures"
BENDAHARA = "bendahara"


def due_date(start: date, working_days: int) -> date:
    """The date `working_days` working days after `start` (Indonesian holidays and weekends skipped)."""
    return lokal.add_working_days(start, working_days)


def deadline_after(moment: datetime, working_days: int | None = None) -> datetime:
    """The end (23:59:59 WIB, in UTC) of the working day `working_days` working days after `moment`'s WIB date."""
    days = current_app.config["ORDER_AUTO_CANCEL_WORKING_DAYS"] if working_days is None else working_days
    last_day = due_date(to_jakarta(moment).date(), days)
    end = datetime.combine(last_day, time(23, 59, 59), tzinfo=JAKARTA)
    return end.astimezone(UTC)


def wait_for(order: Order, who: str | None, *, now: datetime | None = None) -> None:
    """Set who the order waits for and until when; None: nobody is due. Only an order that can still be cancelled
    (before ON_PROCESS) gets a deadline: after that nobody's silence cancels it."""
    order.waiting_for = who
    expires = who is not None and order.status in BEFORE_PROCESS
    order.action_due_at = deadline_after(now or utcnow()) if expires else None


def is_overdue(order: Order, now: datetime | None = None) -> bool:
    """Whether the party due let the deadline pass."""
    return order.action_due_at is not None and order.action_due_at < (now or utcnow())
