"""Checks of days people enter for things that already happened (a transfer, a payment, a payout)."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from marketplace.core.timeutil import today_wib


def past_day_error(day: date | None, *, earliest: date, missing: str, future: str) -> str | None:
    """The error of a day that must lie from `earliest` up to today (WIB): `missing` when there is none, `future`
    when it is after today, a message naming `earliest` when it is before; None when it is fine."""
    if day is None:
        return missing
    if day > today_wib():
        return future
    if day < earliest:
        return _("The date cannot be before %(day)s.", day=format_date(earliest, "long"))
    return None
