"""The identifiers no two cooperatives share (NIB, NPWP): a field error when another cooperative holds one, checked
before a write and again when it is flushed (two requests claiming the same number at once)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from flask_babel import gettext as _

from marketplace.accounts.services.validation import IDENTIFIER_LABELS
from marketplace.cooperatives.models import Cooperative
from marketplace.core.unique import taken_columns, unique_values_claimed
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
    taken = taken_columns(
        db.session, Cooperative, UNIQUE_COOPERATIVE_FIELDS, cleaned, own_id=cooperative_id, skip=known or {}
    )
    return {name: cooperative_identifier_taken(name) for name in taken}


def cooperative_identifiers_claimed() -> AbstractContextManager[None]:
    """Flush the block's writes; a NIB or NPWP another cooperative got a moment ago becomes its field error."""
    return unique_values_claimed(
        db.session, Cooperative.__tablename__, UNIQUE_COOPERATIVE_FIELDS, cooperative_identifier_taken
    )
