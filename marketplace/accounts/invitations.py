"""Accounts created by someone else (operator, cooperative manager): the person sets a password from a link."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User, UserRole
from marketplace.accounts.tokens import make_token
from marketplace.core.audit import record_event
from marketplace.core.errors import ValidationFailed
from marketplace.core.links import external_url_for
from marketplace.core.mail import queue_email
from marketplace.extensions import db


def email_taken(email: str) -> bool:
    return db.session.scalar(select(func.count()).where(User.email == email.strip().lower())) > 0


def invite_user(
    *,
    email: str,
    full_name: str,
    roles: list[Role],
    actor: User,
    work_unit_id: int | None = None,
    cooperative_id: int | None = None,
    locale: str = "id",
) -> User:
    """Create a password-less account with `roles` and email an invitation link (flushes; caller commits).

    Raises ValidationFailed with `fields["email"]` when the address is already registered.
    """
    address = email.strip().lower()
    if email_taken(address):
        raise ValidationFailed("email taken", {"email": _("This email address is already registered.")})
    user = User(
        email=address,
        full_name=full_name.strip(),
        password_hash=None,
        locale=locale,
        work_unit_id=work_unit_id,
        cooperative_id=cooperative_id,
    )
    user.role_rows = [UserRole(role=str(role)) for role in roles]
    db.session.add(user)
    db.session.flush()
    record_event(
        "user.invite",
        subject_type="user",
        subject_id=user.id,
        actor_id=actor.id,
        after={"email": address, "roles": sorted(str(r) for r in roles)},
    )
    send_invitation(user, inviter=actor)
    return user


def send_invitation(user: User, *, inviter: User) -> None:
    """Queue the invitation email with a fresh set-password link."""
    link = external_url_for("accounts.set_password", token=make_token(user, "invite"))
    days = current_app.config["INVITATION_MAX_AGE"] // 86400
    queue_email(user.email, "emails/invitation", locale=user.locale, user=user, inviter=inviter, link=link, days=days)
