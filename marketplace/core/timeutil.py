"""Time helpers: store UTC, show Asia/Jakarta (WIB)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def to_jakarta(moment: datetime) -> datetime:
    """Convert an aware datetime to Asia/Jakarta."""
    return moment.astimezone(JAKARTA)


def today_wib() -> date:
    """Today's date in Asia/Jakarta (the day people in Indonesia see)."""
    return to_jakarta(utcnow()).date()


def wib_day_start(day: date) -> datetime:
    """The instant (in UTC) at which `day` begins in Asia/Jakarta."""
    return datetime.combine(day, time.min, tzinfo=JAKARTA).astimezone(UTC)


def format_wib(moment: datetime | None, with_seconds: bool = False) -> str:
    """Format a UTC datetime as `YYYY-MM-DD HH:MM WIB` in Asia/Jakarta."""
    if moment is None:
        return ""
    pattern = "%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M"
    return f"{to_jakarta(moment).strftime(pattern)} WIB"
