"""The identifiers no two cooperatives share (NIB, NPWP): a field error when another cooperative holds one, checked
before a write and again when it is flushed (two requests claiming the same number at once)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.services.validation import IDENTIFIER_LABELS, violated_unique_column
from marketplace.cooperatives.models import Cooperative
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db

#: Identifiers no two cooperatives share.
UNIQUE_COOPERATIVE_FIELDS = ("nib", "npwp")


def cooperative_identifier_taken(name: str) -> str:
    """The message for a NIB or NPWP another cooperative already has (without saying which)."""
    return _(
        "This %(label)s is already registered for another cooperative. Check the number or contact the operator.",
        label=IDENTIFIER_LABELS[name],
    )


def taken_identifiers(
    cleaned: dict[str, Any], *, cooperative_id: int | None, known: dict[str, str] | None = None
) -> dict[str, str]:
    """Field errors for the NIB and NPWP in `cleaned` that a cooperative other than `cooperative_id` holds.

    Fields already in `known` (another error) are not looked up.
    """
    errors: dict[str, str] = {}
    for name in UNIQUE_COOPERATIVE_FIELDS:
        value = cleaned.get(name)
        if not value or name in (known or {}):
            continue
        holder = db.session.scalar(select(Cooperative.id).where(getattr(Cooperative, name) == value).limit(1))
        if holder is not None and holder != cooperative_id:
            errors[name] = cooperative_identifier_taken(name)
    return errors


@contextmanager
def cooperative_identifiers_claimed() -> Iterator[None]:
    """Flush the block's writes; a NIB or NPWP another cooperative got a moment ago becomes its field error.

    The session is rolled back then; other integrity errors pass unchanged.
    """
    try:
        yield
        db.session.flush()
    except IntegrityError as exc:
        name = violated_unique_column(exc, Cooperative.__tablename__, UNIQUE_COOPERATIVE_FIELDS)
        if name is None:
            raise
        db.session.rollback()
        raise ValidationFailed(
            _("Please correct the fields marked below."), {name: cooperative_identifier_taken(name)}
        ) from exc
