"""Sign-in throttling per account and per IP address, backed by the `login_attempts` table.

Stored in the database so that every web process shares the same counts without an extra service. On PostgreSQL
the per-account limit holds under concurrency: checking takes a transaction-level advisory lock keyed by the email,
so parallel sign-ins of one account wait for each other until the one before has recorded its attempt and committed.
The per-address limit is not locked (a whole office behind one address would sign in one at a time); it may be
overrun by as many attempts as arrive at once.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from marketplace.accounts.models import LoginAttempt
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

RETENTION = timedelta(days=30)
#: Prefix of the advisory lock keys, so that they do not collide with other uses of advisory locks.
LOCK_NAMESPACE = "login-account:"


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


def account_lock_key(email: str) -> int:
    """The advisory lock key of an account's sign-ins: a signed 64-bit hash of its lower-case email."""
    digest = hashlib.blake2b((LOCK_NAMESPACE + email.lower()).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_account(email: str) -> None:
    """Wait for, and hold until the transaction ends, the right to count and record this account's attempts
    (PostgreSQL; elsewhere nothing happens)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(account_lock_key(email))))


def ensure_login_allowed(email: str, ip_address: str) -> None:
    """Raise TooManyAttempts when the account or the address failed too often in the window.

    Holds the account's lock until the caller commits (having recorded the attempt) or rolls back.
    """
    lock_account(email)
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
