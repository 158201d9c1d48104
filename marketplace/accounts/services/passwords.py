"""Passwords: reset by email link, first password from an invitation, change while signed in."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from marketplace.accounts.api_tokens import revoke_all_api_tokens
from marketplace.accounts.auth import hash_password, verify_password
from marketplace.accounts.models import User
from marketplace.accounts.services.validation import FieldErrors
from marketplace.accounts.tokens import make_token, read_token
from marketplace.core.audit import AuditEvent, record_event
from marketplace.core.errors import DomainError
from marketplace.core.links import external_url_for
from marketplace.core.mail import queue_email
from marketplace.core.timeutil import utcnow
from marketplace.core.validators import check_password
from marketplace.extensions import db

#: At most this many reset emails per address in RESET_WINDOW.
MAX_RESET_EMAILS = 3
RESET_WINDOW = timedelta(hours=1)
RESET_REQUESTED = "auth.password_reset_requested"


class InvalidLink(DomainError):
    """A reset or invitation link that is forged, expired or already used."""

    code = "invalid_link"
    status = 400

    def __init__(self) -> None:
        super().__init__(str(_l("This link is invalid, has expired or was already used.")))


def user_for_link(token: str, purpose: str) -> User:
    """The user a `reset` or `invite` link was made for; raise InvalidLink otherwise."""
    user = read_token(token, purpose)
    if user is None:
        raise InvalidLink()
    return user


def recent_reset_emails(user: User) -> int:
    """How many reset emails the user was sent in the last RESET_WINDOW."""
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == RESET_REQUESTED,
            AuditEvent.subject_type == "user",
            AuditEvent.subject_id == user.id,
            AuditEvent.created_at >= utcnow() - RESET_WINDOW,
        )
    )


def request_password_reset(*, email: str) -> bool:
    """Email a reset link to an enabled account with this address; return whether one was sent.

    Callers show the same answer whatever this returns, so nobody learns which addresses have accounts.
    """
    address = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == address)) if address else None
    if user is None or not user.is_enabled or recent_reset_emails(user) >= MAX_RESET_EMAILS:
        return False
    record_event(RESET_REQUESTED, subject_type="user", subject_id=user.id, actor_id=None, after={"email": address})
    queue_email(
        user.email,
        "emails/password_reset",
        locale=user.locale,
        user=user,
        link=external_url_for("accounts.reset_password", token=make_token(user, "reset")),
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    db.session.commit()
    return True


def _new_password(user: User, password: str) -> str:
    errors = FieldErrors()
    errors.check("password", check_password, password, email=user.email)
    errors.raise_if_any()
    return hash_password(password)


def _notify_password_changed(user: User) -> None:
    queue_email(user.email, "emails/password_changed", locale=user.locale, user=user)


def reset_password(*, token: str, password: str) -> User:
    """Set a new password from a reset link; the link stops working once used. Other sessions end (the password
    fingerprint changed) and the user's API tokens are revoked: a reset often means the old password leaked."""
    user = user_for_link(token, "reset")
    user.password_hash = _new_password(user, password)
    revoked = revoke_all_api_tokens(user)
    record_event(
        "auth.password_reset",
        subject_type="user",
        subject_id=user.id,
        actor_id=user.id,
        after={"revoked_api_tokens": revoked},
    )
    _notify_password_changed(user)
    db.session.commit()
    return user


def accept_invitation(*, token: str, password: str) -> User:
    """Set the first password of an invited account."""
    user = user_for_link(token, "invite")
    user.password_hash = _new_password(user, password)
    record_event("auth.invitation_accepted", subject_type="user", subject_id=user.id, actor_id=user.id)
    db.session.commit()
    return user


def change_password(*, user: User, current_password: str, new_password: str) -> None:
    """Replace the password of a signed-in user who proves they know the current one."""
    errors = FieldErrors()
    if not verify_password(user.password_hash, current_password or ""):
        errors.add("current_password", _l("The current password is not correct."))
    errors.check("new_password", check_password, new_password, email=user.email)
    errors.raise_if_any()
    user.password_hash = hash_password(new_password)
    record_event("auth.password_changed", subject_type="user", subject_id=user.id, actor_id=user.id)
    _notify_password_changed(user)
    db.session.commit()
