"""A cooperative's own data: who may see it, editing it, and its datafeed secret key."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts.models import Role, User, UserRole
from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.permissions import can_manage_cooperative, can_rename_cooperative, can_view_cooperative
from marketplace.cooperatives.services.identifiers import cooperative_identifiers_claimed, taken_identifiers
from marketplace.core.audit import record_changes, record_event
from marketplace.core.errors import Forbidden, NotFound, ValidationFailed
from marketplace.core.timeutil import utcnow
from marketplace.core.validators import InvalidValue, check_nib, check_npwp, check_phone, check_region, digits_only
from marketplace.extensions import db

#: Keys `update_cooperative` accepts.
EDITABLE_FIELDS = (
    "name",
    "nib",
    "npwp",
    "is_pkp",
    "address",
    "region_code",
    "phone",
    "email",
    "bank_name",
    "bank_account_number",
    "bank_account_name",
)
#: Kelurahan/desa: a cooperative sits in one village.
REGION_LEVEL = 4
MAX_LENGTHS = {
    "name": 200,
    "email": 254,
    "bank_name": 80,
    "bank_account_number": 34,
    "bank_account_name": 120,
    "address": 2000,
}


def visible_cooperative(*, actor: User, cooperative_id: int) -> Cooperative:
    """The cooperative for an operator (any) or its own manager; NotFound for everyone else."""
    cooperative = db.session.get(Cooperative, cooperative_id) if cooperative_id else None
    if cooperative is None or not can_view_cooperative(actor, cooperative):
        raise NotFound(_("This cooperative does not exist."))
    return cooperative


def cooperative_managers(*, cooperative_id: int) -> list[User]:
    """The pengurus accounts of a cooperative, by name (including invited ones who have not set a password)."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.cooperative_id == cooperative_id, UserRole.role == str(Role.COOP_MANAGER))
            .order_by(User.full_name, User.id)
        )
    )


def update_cooperative(*, actor: User, cooperative: Cooperative, data: dict[str, Any]) -> Cooperative:
    """Change the cooperative's data; audits `cooperative.update` with the changed fields only.

    `data` holds keys of EDITABLE_FIELDS; `name` may only be changed by an operator. Identifiers are checked again
    with the same rules as the forms; errors come back together as ValidationFailed keyed by field.
    """
    if not can_manage_cooperative(actor, cooperative):
        raise NotFound(_("This cooperative does not exist."))
    cleaned = clean_cooperative_data(data)
    if "name" in cleaned and cleaned["name"] != cooperative.name and not can_rename_cooperative(actor):
        raise Forbidden(_("Only an operator can change the name of a cooperative."))
    errors = taken_identifiers(cleaned, cooperative_id=cooperative.id)
    if errors:
        raise ValidationFailed(_("Please correct the fields marked below."), errors)
    with cooperative_identifiers_claimed():
        record_changes(
            "cooperative.update", subject=cooperative, subject_type="cooperative", actor_id=actor.id, values=cleaned
        )
    db.session.commit()
    return cooperative


def clean_cooperative_data(data: dict[str, Any], *, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """Normalise and check cooperative fields; raise ValidationFailed listing every wrong field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key in data:
        if key not in EDITABLE_FIELDS:
            errors[key] = _("This field cannot be changed here.")
    for key in required:
        if not str(data.get(key) or "").strip():
            errors[key] = _("This field is required.")
    for key in EDITABLE_FIELDS:
        if key not in data or key in errors:
            continue
        try:
            cleaned[key] = _CLEANERS[key](data[key])
        except InvalidValue as exc:
            errors[key] = str(exc.message)
        if key in MAX_LENGTHS and isinstance(cleaned.get(key), str) and len(cleaned[key]) > MAX_LENGTHS[key]:
            errors[key] = _("At most %(n)d characters.", n=MAX_LENGTHS[key])
    if errors:
        raise ValidationFailed(_("Please correct the fields marked below."), errors)
    return cleaned


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _required_text(value: Any) -> str:
    text = _text(value)
    if text is None:
        raise InvalidValue(_("This field is required."))
    return text


def _optional(check: Callable[[str], str]) -> Callable[[Any], str | None]:
    def clean(value: Any) -> str | None:
        text = _text(value)
        return check(text) if text is not None else None

    return clean


def _email(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    if "@" not in text or text.startswith("@") or text.endswith("@") or " " in text:
        raise InvalidValue(_("Enter a valid email address."))
    return text.lower()


def _bank_account_number(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    digits = digits_only(text)
    if not digits.isdigit() or not 5 <= len(digits) <= 34:
        raise InvalidValue(_("A bank account number has 5 to 34 digits."))
    return digits


def _region(value: Any) -> str:
    return check_region(_required_text(value), level=REGION_LEVEL)


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": _required_text,
    "nib": _optional(check_nib),
    "npwp": _optional(check_npwp),
    "is_pkp": bool,
    "address": _text,
    "region_code": _region,
    "phone": _optional(check_phone),
    "email": _email,
    "bank_name": _text,
    "bank_account_number": _bank_account_number,
    "bank_account_name": _text,
}


def new_datafeed_key() -> str:
    """A fresh random datafeed secret."""
    return secrets.token_urlsafe(32)


def rotate_datafeed_key(*, actor: User, cooperative: Cooperative) -> str:
    """Replace the datafeed secret (the old one stops working at once) and return the new one.

    The audit event records only the time of the change, never the key.
    """
    if not can_manage_cooperative(actor, cooperative):
        raise NotFound(_("This cooperative does not exist."))
    key = new_datafeed_key()
    rotated_at = utcnow()
    previous = cooperative.datafeed_key_rotated_at
    cooperative.datafeed_key = key
    cooperative.datafeed_key_rotated_at = rotated_at
    record_event(
        "cooperative.datafeed_key_rotate",
        subject_type="cooperative",
        subject_id=cooperative.id,
        actor_id=actor.id,
        before={"rotated_at": previous.isoformat() if previous else None},
        after={"rotated_at": rotated_at.isoformat()},
    )
    db.session.commit()
    return key


def datafeed_key_matches(cooperative: Cooperative, key: str | None) -> bool:
    """Whether `key` is the cooperative's current datafeed secret (compared in constant time)."""
    if not key or not cooperative.datafeed_key:
        return False
    return hmac.compare_digest(cooperative.datafeed_key.encode(), key.encode())


def masked_key(key: str | None) -> str:
    """The key with all but its last 4 characters hidden."""
    if not key:
        return ""
    return "•" * 12 + key[-4:]
