"""Time helpers: store UTC, show Asia/Jakarta (WIB)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def to_jakarta(moment: datetime) -> datetime:
    """Convert an aware datetime to Asia/Jakarta."""
    return moment.astimezone(JAKARTA)


def format_wib(moment: datetime | None, with_seconds: bool = False) -> str:
    """Format a UTC datetime as `YYYY-MM-DD HH:MM WIB` in Asia/Jakarta."""
    if moment is None:
        return ""
    pattern = "%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M"
    return f"{to_jakarta(moment).strftime(pattern)} WIB"
