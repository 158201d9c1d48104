"""Who an order waits for, and until when: the party due has ORDER_AUTO_CANCEL_WORKING_DAYS working days (counted in
WIB, weekends, national holidays and cuti bersama skipped, as government offices do) before the scheduled task
cancels the order."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

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


logger = logging.getLogger(__name__)


def due_date(start: date, working_days: int) -> date:
    """The date `working_days` working days after `start` (Indonesian holidays and weekends skipped)."""
    day, left = start, working_days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def is_working_day(day: date) -> bool:
    """A working day of government offices: not a weekend, national holiday or cuti bersama. For a year whose
    holidays the `lokal` package does not know yet (they are decreed by the SKB 3 Menteri around September of the
    year before; upgrade `lokal` then), only weekends are skipped, with a warning, so that orders keep flowing."""
    if day.year in lokal.HOLIDAY_YEARS:
        return lokal.is_working_day(day)
    _warn_holidays_unknown(day.year)
    return day.weekday() < 5


@cache
def _warn_holidays_unknown(year: int) -> None:
    """Log once per process that `year`'s holidays are unknown."""
    logger.warning(
        "No Indonesian holiday data for %s in the lokal package (it has %s): deadlines skip weekends only; "
        "upgrade lokal once the SKB 3 Menteri for %s is out.",
        year,
        ", ".join(map(str, lokal.HOLIDAY_YEARS)),
        year,
    )


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
