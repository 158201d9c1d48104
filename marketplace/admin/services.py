"""Operator back office: users (enable, disable, roles, invitations) and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from marketplace.accounts.api_tokens import revoke_all_api_tokens
from marketplace.accounts.invitations import send_invitation
from marketplace.accounts.models import BUYER_ROLES, Role, User, UserRole
from marketplace.admin.permissions import can_disable, can_manage_users
from marketplace.agencies.models import WorkUnit
from marketplace.catalog.services.listings import withdraw_products_on_sale
from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import AuditEvent, record_event
from marketplace.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.core.timeutil import wib_day_start
from marketplace.extensions import db

REASON_MAX_LENGTH = 500


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(column: Any, text: str) -> Any:
    return column.ilike(f"%{_escape_like(text)}%", escape="\\")


def _require_operator(actor: User) -> None:
    if not can_manage_users(actor):
        raise Forbidden("operators only")


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    return user


def parse_role(value: Role | str | None) -> Role | None:
    """A Role from its value, None for empty; ValidationFailed(`role`) for an unknown one."""
    if value in (None, ""):
        return None
    try:
        return Role(value)
    except ValueError as exc:
        raise ValidationFailed("unknown role", {"role": _("Unknown role.")}) from exc


# Users -----------------------------------------------------------------------------------------------------------


def users_query(*, search: str | None = None, role: Role | str | None = None, enabled: bool | None = None) -> Select:
    """Users by name; `search` matches name or email, `role` one role they hold, `enabled` their account state."""
    statement = select(User).order_by(User.full_name, User.id)
    if search and search.strip():
        term = search.strip()
        statement = statement.where(or_(_contains(User.full_name, term), _contains(User.email, term)))
    chosen = parse_role(role)
    if chosen is not None:
        statement = statement.where(User.role_rows.any(UserRole.role == str(chosen)))
    if enabled is not None:
        statement = statement.where(User.is_enabled.is_(enabled))
    return statement


def set_user_enabled(*, actor: User, user_id: int, enabled: bool, reason: str | None = None) -> User:
    """Enable or disable an account (operators only); audited `user.enable` / `user.disable`.

    A disabled user's session stops at their next request (the user loader refuses them), their live API tokens
    are revoked and the products they sell go off sale. Nobody can disable their own account (ValidationFailed with
    key `enabled`).
    """
    _require_operator(actor)
    user = _get_user(user_id)
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed("reason too long", {"reason": _("At most %(n)d characters.", n=REASON_MAX_LENGTH)})
    if not enabled and not can_disable(actor, user):
        raise ValidationFailed("self", {"enabled": _("You cannot disable your own account.")})
    if user.is_enabled == enabled:
        return user
    if not enabled and Role.OPERATOR in user.roles:
        _require_another_operator(user, "enabled")
    user.is_enabled = enabled
    after: dict[str, Any] = {"is_enabled": enabled}
    if not enabled:
        after["revoked_api_tokens"] = revoke_all_api_tokens(user)
        after["withdrawn_products"] = withdraw_products_on_sale(actor=actor, reason=reason, seller_id=user.id)
    record_event(
        "user.enable" if enabled else "user.disable",
        subject_type="user",
        subject_id=user.id,
        actor_id=actor.id,
        before={"is_enabled": not enabled},
        after=after,
        reason=reason,
    )
    db.session.commit()
    return user


def _parse_roles(roles: list[Role | str]) -> list[Role]:
    chosen: list[Role] = []
    for value in roles or ():
        try:
            role = Role(value)
        except ValueError as exc:
            raise ValidationFailed("unknown role", {"roles": _("Unknown role.")}) from exc
        if role not in chosen:
            chosen.append(role)
    return sorted(chosen)


def role_state(user: User) -> dict[str, Any]:
    """The role-related data of `user` as stored in audit events."""
    return {
        "roles": sorted(str(role) for role in user.roles),
        "work_unit_id": user.work_unit_id,
        "cooperative_id": user.cooperative_id,
    }


def _role_errors(
    actor: User, user: User, chosen: list[Role], work_unit_id: int | None, cooperative_id: int | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not chosen:
        errors["roles"] = _("Choose at least one role.")
    elif Role.SELLER in chosen and Role.SELLER not in user.roles and user.membership is None:
        errors["roles"] = _(
            "The seller role comes with a cooperative membership: the person registers as a seller and the "
            "cooperative approves them."
        )
    elif actor.id == user.id and Role.OPERATOR in user.roles and Role.OPERATOR not in chosen:
        errors["roles"] = _("You cannot remove your own operator role.")
    if set(chosen) & BUYER_ROLES and (work_unit_id is None or db.session.get(WorkUnit, work_unit_id) is None):
        errors["work_unit_id"] = _("PP, PPK and bendahara belong to a work unit: choose one.")
    if Role.COOP_MANAGER in chosen and (cooperative_id is None or db.session.get(Cooperative, cooperative_id) is None):
        errors["cooperative_id"] = _("A cooperative manager needs the cooperative they manage.")
    return errors


def change_roles(
    *,
    actor: User,
    user_id: int,
    roles: list[Role],
    work_unit_id: int | None = None,
    cooperative_id: int | None = None,
) -> User:
    """Set a user's roles (operators only); audited `user.roles_changed` with before and after.

    Buyer roles need `work_unit_id`, coop_manager needs `cooperative_id` (each is cleared when its roles go);
    the seller role cannot be granted to someone without a membership; an operator keeps their own operator role.
    Raises ValidationFailed with keys `roles`, `work_unit_id`, `cooperative_id`.
    """
    _require_operator(actor)
    user = _get_user(user_id)
    chosen = _parse_roles(roles)
    errors = _role_errors(actor, user, chosen, work_unit_id, cooperative_id)
    if errors:
        raise ValidationFailed("invalid roles", errors)
    if Role.OPERATOR in user.roles and Role.OPERATOR not in chosen:
        _require_another_operator(user, "roles")
    before = role_state(user)
    for row in list(user.role_rows):
        if Role(row.role) not in chosen:
            user.role_rows.remove(row)
    for role in chosen:
        if role not in user.roles:
            user.role_rows.append(UserRole(role=str(role)))
    user.work_unit_id = work_unit_id if set(chosen) & BUYER_ROLES else None
    user.cooperative_id = cooperative_id if Role.COOP_MANAGER in chosen else None
    after = role_state(user)
    if after != before:
        record_event(
            "user.roles_changed", subject_type="user", subject_id=user.id, actor_id=actor.id, before=before, after=after
        )
    db.session.commit()
    return user


def _require_another_operator(user: User, field: str) -> None:
    """ValidationFailed on `field` unless an enabled operator other than `user` remains. The enabled operators'
    rows are locked first, so two operators disabling (or demoting) each other at once cannot both succeed: the
    second sees the first's change and is refused."""
    operators = db.session.scalars(
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.OPERATOR, User.is_enabled.is_(True))
        .with_for_update(of=User)
    ).all()
    if not set(operators) - {user.id}:
        raise ValidationFailed("last operator", {field: _("At least one other enabled operator must remain.")})


def resend_invitation(*, actor: User, user_id: int) -> User:
    """Email a fresh set-password link to an invited user who has not set a password yet (Conflict otherwise)."""
    _require_operator(actor)
    user = _get_user(user_id)
    if user.password_hash is not None:
        raise Conflict(_("This person has already set a password."))
    if not user.is_enabled:
        raise Conflict(_("This account is disabled. Enable it before sending a new invitation."))
    send_invitation(user, inviter=actor)
    record_event(
        "user.invitation_resent",
        subject_type="user",
        subject_id=user.id,
        actor_id=actor.id,
        after={"email": user.email},
    )
    db.session.commit()
    return user


# Audit log -------------------------------------------------------------------------------------------------------


def audit_query(
    *,
    action_prefix: str | None = None,
    actor_email: str | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Select:
    """Audit events, newest first; `since` and `until` are inclusive days in WIB, `actor_email` matches a part."""
    statement = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if action_prefix and action_prefix.strip():
        statement = statement.where(AuditEvent.action.like(f"{_escape_like(action_prefix.strip())}%", escape="\\"))
    if actor_email and actor_email.strip():
        actor_ids = select(User.id).where(_contains(User.email, actor_email.strip().lower()))
        statement = statement.where(AuditEvent.actor_id.in_(actor_ids))
    if subject_type and subject_type.strip():
        statement = statement.where(AuditEvent.subject_type == subject_type.strip())
    if subject_id is not None:
        statement = statement.where(AuditEvent.subject_id == subject_id)
    if since is not None:
        statement = statement.where(AuditEvent.created_at >= wib_day_start(since))
    if until is not None:
        statement = statement.where(AuditEvent.created_at < wib_day_start(until + timedelta(days=1)))
    return statement


def user_events(*, user_id: int, limit: int = 20) -> list[AuditEvent]:
    """The latest events done by the user or about the user, newest first."""
    statement = (
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.actor_id == user_id,
                (AuditEvent.subject_type == "user") & (AuditEvent.subject_id == user_id),
            )
        )
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))


@dataclass(frozen=True)
class Change:
    """One key of an audit event: its value before and after (None when absent)."""

    key: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return self.before != self.after


def audit_changes(event: AuditEvent) -> list[Change]:
    """The keys of the event's before/after data as rows, in a stable order (before's keys first)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    keys = list(before) + [key for key in after if key not in before]
    return [Change(key, before.get(key), after.get(key)) for key in keys]
