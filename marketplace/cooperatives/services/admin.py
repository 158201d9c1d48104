"""Operator work on cooperatives: list, open, close and reopen them, and invite their managers."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from marketplace.accounts.invitations import email_taken, invite_user
from marketplace.accounts.models import Role, User
from marketplace.catalog.services.listings import withdraw_products_on_sale
from marketplace.cooperatives.models import Cooperative, Membership
from marketplace.cooperatives.permissions import (
    can_create_cooperative,
    can_invite_manager,
    can_set_cooperative_active,
    can_view_cooperative,
)
from marketplace.cooperatives.services.identifiers import cooperative_identifiers_claimed, taken_identifiers
from marketplace.cooperatives.services.members import like_pattern
from marketplace.cooperatives.services.profile import clean_cooperative_data, new_datafeed_key
from marketplace.core.audit import AuditEvent, record_event
from marketplace.core.errors import Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db

CODE_MAX_LENGTH = 60
_KKMP_PREFIX = re.compile(r"^koperasi[\s-]+(kelurahan|desa|kelurahan[\s/]+desa)[\s-]+merah[\s-]+putih\b")


def cooperatives_query(*, search: str | None = None, include_inactive: bool = False) -> Select:
    """Cooperatives sorted by name, only active ones unless `include_inactive`; search by name or code."""
    statement = select(Cooperative)
    if not include_inactive:
        statement = statement.where(Cooperative.is_active.is_(True))
    if search and search.strip():
        pattern = like_pattern(search)
        statement = statement.where(
            or_(Cooperative.name.ilike(pattern, escape="\\"), Cooperative.code.ilike(pattern, escape="\\"))
        )
    return statement.order_by(func.lower(Cooperative.name), Cooperative.id)


def member_counts(*, cooperative_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per cooperative id, how many memberships are in each status (missing statuses absent)."""
    counts: dict[int, dict[str, int]] = {cooperative_id: {} for cooperative_id in cooperative_ids}
    if not cooperative_ids:
        return counts
    rows = db.session.execute(
        select(Membership.cooperative_id, Membership.status, func.count())
        .where(Membership.cooperative_id.in_(cooperative_ids))
        .group_by(Membership.cooperative_id, Membership.status)
    )
    for cooperative_id, status, count in rows:
        counts[cooperative_id][status] = count
    return counts


def cooperative_code(name: str) -> str:
    """A unique URL code derived from the name: "KKMP Gununggedangan" → `kkmp-gununggedangan`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().strip()
    ascii_name = _KKMP_PREFIX.sub("kkmp", ascii_name)
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[: CODE_MAX_LENGTH - 4].strip("-") or "koperasi"
    taken = set(db.session.scalars(select(Cooperative.code).where(Cooperative.code.like(f"{base}%"))))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def create_cooperative(*, actor: User, data: dict[str, Any], manager_email: str, manager_name: str) -> Cooperative:
    """Open a cooperative (operator only) and invite its first manager, in one commit.

    `data` takes the keys of `update_cooperative` (name and region_code required). The code is derived from the
    name and a datafeed key is generated. ValidationFailed keys: the data fields, `manager_email`, `manager_name`.
    """
    if not can_create_cooperative(actor):
        raise Forbidden(_("Only an operator can create cooperatives."))
    errors: dict[str, str] = {}
    try:
        cleaned = clean_cooperative_data(data, required=("name", "region_code"))
    except ValidationFailed as exc:
        errors.update(exc.fields)
        cleaned = {}
    errors.update(taken_identifiers(cleaned, cooperative_id=None, known=errors))
    errors.update(_manager_errors(manager_email, manager_name, "manager_email", "manager_name"))
    if errors:
        raise ValidationFailed(_("Please correct the fields marked below."), errors)
    cooperative = Cooperative(code=cooperative_code(cleaned["name"]), datafeed_key=new_datafeed_key(), **cleaned)
    with cooperative_identifiers_claimed():
        db.session.add(cooperative)
    record_event(
        "cooperative.create",
        subject_type="cooperative",
        subject_id=cooperative.id,
        actor_id=actor.id,
        after={"code": cooperative.code, "name": cooperative.name, "region_code": cooperative.region_code},
    )
    _invite(actor, cooperative, manager_email, manager_name)
    db.session.commit()
    return cooperative


def invite_manager(*, actor: User, cooperative: Cooperative, email: str, full_name: str) -> User:
    """Create a pengurus account for the cooperative and email its set-password link (operator or its manager).

    ValidationFailed keys: `email`, `full_name`.
    """
    if not can_view_cooperative(actor, cooperative):
        raise NotFound(_("This cooperative does not exist."))
    if not can_invite_manager(actor, cooperative):
        raise Forbidden(_("You cannot invite managers of this cooperative."))
    errors = _manager_errors(email, full_name, "email", "full_name")
    if errors:
        raise ValidationFailed(_("Please correct the fields marked below."), errors)
    user = _invite(actor, cooperative, email, full_name)
    db.session.commit()
    return user


def set_cooperative_active(*, actor: User, cooperative: Cooperative, active: bool, reason: str | None) -> Cooperative:
    """Close or reopen a cooperative (operator only); a closed one is hidden from registration, takes no members and
    sells nothing: its products go off sale (they stay withdrawn if it reopens).

    Audited as `cooperative.deactivate` / `cooperative.activate`; nothing happens when it is already so.
    """
    if not can_set_cooperative_active(actor):
        raise Forbidden(_("Only an operator can close or reopen a cooperative."))
    if cooperative.is_active == active:
        return cooperative
    cooperative.is_active = active
    reason = (reason or "").strip() or None
    withdrawn = 0 if active else withdraw_products_on_sale(actor=actor, reason=reason, cooperative_id=cooperative.id)
    record_event(
        "cooperative.activate" if active else "cooperative.deactivate",
        subject_type="cooperative",
        subject_id=cooperative.id,
        actor_id=actor.id,
        before={"is_active": not active},
        after={"is_active": active, **({} if active else {"withdrawn_products": withdrawn})},
        reason=reason,
    )
    db.session.commit()
    return cooperative


def cooperative_history(*, cooperative: Cooperative, limit: int = 20) -> list[AuditEvent]:
    """The latest audit events about the cooperative, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "cooperative", AuditEvent.subject_id == cooperative.id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def _manager_errors(email: str | None, full_name: str | None, email_key: str, name_key: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    address = (email or "").strip()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
        errors[email_key] = _("Enter a valid email address.")
    elif email_taken(address):
        errors[email_key] = _("This email address is already registered.")
    if not (full_name or "").strip():
        errors[name_key] = _("This field is required.")
    elif len(full_name.strip()) > 120:
        errors[name_key] = _("At most %(n)d characters.", n=120)
    return errors


def _invite(actor: User, cooperative: Cooperative, email: str, full_name: str) -> User:
    user = invite_user(
        email=email, full_name=full_name, roles=[Role.COOP_MANAGER], actor=actor, cooperative_id=cooperative.id
    )
    record_event(
        "cooperative.manager_invite",
        subject_type="cooperative",
        subject_id=cooperative.id,
        actor_id=actor.id,
        after={"user_id": user.id, "email": user.email},
    )
    return user
