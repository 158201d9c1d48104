"""Checks shared by the reference-data services."""

from __future__ import annotations

from flask_babel import gettext as _

from marketplace.accounts.models import Role, User
from marketplace.core.errors import Forbidden, ValidationFailed


def require_operator(actor: User) -> None:
    """Raise Forbidden unless `actor` is an operator."""
    if not actor.has_role(Role.OPERATOR):
        raise Forbidden(_("Only operators manage reference data."))


def clean_name(value: str | None, *, limit: int, field_name: str = "name") -> str:
    """A required name with its spaces collapsed, at most `limit` characters."""
    name = " ".join((value or "").split())
    if not name:
        raise ValidationFailed("name required", {field_name: _("This field is required.")})
    if len(name) > limit:
        raise ValidationFailed("name too long", {field_name: _("At most %(n)d characters.", n=limit)})
    return name


def clean_lkpp_id(value: str | None) -> str | None:
    """An optional LKPP id (at most 40 characters); None when blank."""
    text = (value or "").strip()
    if len(text) > 40:
        raise ValidationFailed("lkpp id too long", {"lkpp_id": _("At most %(n)d characters.", n=40)})
    return text or None
