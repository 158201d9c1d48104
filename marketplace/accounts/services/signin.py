"""Signing in and out, with throttling per account and per IP address and without revealing who exists."""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import check_password_hash

from marketplace.accounts.auth import hash_password
from marketplace.accounts.models import User
from marketplace.accounts.throttle import ensure_login_allowed, record_attempt
from marketplace.core.audit import record_event
from marketplace.core.errors import DomainError
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

__all__ = ["InvalidCredentials", "authenticate", "record_logout"]


class InvalidCredentials(DomainError):
    """Unknown email, wrong password, disabled or password-less account: deliberately indistinguishable."""

    code = "invalid_credentials"
    status = 401

    def __init__(self) -> None:
        super().__init__(str(_l("Incorrect email or password.")))


@cache
def _decoy_hash() -> str:
    """A hash to check against when there is no account, so every failure costs the same time."""
    return hash_password("decoy password, never valid")


def _find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email)) if email else None


def authenticate(*, email: str, password: str, ip_address: str) -> User:
    """Check the credentials and record the attempt; return the user or raise.

    Raises `throttle.TooManyAttempts` (nothing recorded) when the account or the address failed too often, and
    InvalidCredentials for every kind of wrong sign-in.
    """
    address = (email or "").strip().lower()[:254]
    ensure_login_allowed(address, ip_address)
    user = _find_user(address)
    stored = user.password_hash if user is not None and user.password_hash else _decoy_hash()
    password_ok = check_password_hash(stored, password or "")
    if user is None or user.password_hash is None or not password_ok or not user.is_active:
        record_attempt(address, ip_address, succeeded=False)
        record_event(
            "auth.login_failed",
            subject_type="user",
            subject_id=user.id if user is not None else None,
            actor_id=None,
            after={"email": address},
        )
        db.session.commit()
        raise InvalidCredentials()
    record_attempt(address, ip_address, succeeded=True)
    user.last_login_at = utcnow()
    record_event("auth.login", subject_type="user", subject_id=user.id, actor_id=user.id)
    db.session.commit()
    return user


def record_logout(user: User) -> None:
    """Audit that the user signed out."""
    record_event("auth.logout", subject_type="user", subject_id=user.id, actor_id=user.id)
    db.session.commit()
