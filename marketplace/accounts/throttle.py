"""Sign-in throttling per account and per IP address, backed by the `login_attempts` table.

Stored in the database so that every web process shares the same counts without an extra service.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from marketplace.accounts.models import LoginAttempt
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

RETENTION = timedelta(days=30)


class TooManyAttempts(Exception):
    """Sign-in is blocked for a while for this account or address."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"retry after {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds
        self.retry_after_minutes = max(1, -(-retry_after_seconds // 60))


def _failures_since(column: object, value: str, since: object) -> tuple[int, object]:
    row = db.session.execute(
        select(func.count(), func.min(LoginAttempt.created_at)).where(
            column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since
        )
    ).one()
    return row[0], row[1]


def ensure_login_allowed(email: str, ip_address: str) -> None:
    """Raise TooManyAttempts when the account or the address failed too often in the window."""
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    now = utcnow()
    since = now - window
    limits = (
        (LoginAttempt.email, email.lower(), current_app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        (LoginAttempt.ip_address, ip_address, current_app.config["LOGIN_MAX_FAILURES_PER_IP"]),
    )
    for column, value, limit in limits:
        count, oldest = _failures_since(column, value, since)
        if count >= limit:
            oldest = oldest or now  # min() keeps the column type, so this is an aware UTC datetime
            raise TooManyAttempts(max(1, int((oldest + window - now).total_seconds())))


def record_attempt(email: str, ip_address: str, *, succeeded: bool) -> None:
    """Add one attempt to the current unit of work."""
    db.session.add(LoginAttempt(email=email.lower()[:254], ip_address=ip_address, succeeded=succeeded))


def purge_old_attempts() -> int:
    """Delete attempts older than the retention period; return how many were removed."""
    result = db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - RETENTION))
    db.session.commit()
    return result.rowcount or 0
