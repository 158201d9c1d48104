"""Input rules of the accounts services, collecting every field's message in one pass.

The identifier checks themselves live in `marketplace.core.validators`; this module applies them to whole
inputs (a registration, a business profile) so that a caller gets all errors at once and nothing is saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import SellerProfile, SkalaUsaha
from marketplace.cooperatives.models import Cooperative
from marketplace.core.errors import ValidationFailed
from marketplace.core.fields import as_database_id
from marketplace.core.unique import taken_columns, unique_values_claimed, violated_unique_column
from marketplace.core.validators import (
    InvalidValue,
    check_kbli_list,
    check_nib,
    check_nik,
    check_npwp,
    check_phone,
    check_region,
    digits_only,
)
from marketplace.extensions import db

#: Longest accepted text per field (the model's column sizes; the address is a Text column).
MAX_LENGTHS = {
    "email": 254,
    "full_name": 120,
    "business_name": 200,
    "address": 500,
    "bank_name": 80,
    "bank_account_name": 120,
    "token_name": 80,
}
MAX_KBLI_CODES = 20
BANK_FIELDS = ("bank_name", "bank_account_number", "bank_account_name")
PROFILE_FIELDS = (
    "business_name",
    "nib",
    "npwp",
    "nik",
    "skala_usaha",
    "kbli_codes",
    "address",
    "region_code",
    *BANK_FIELDS,
)
LOCALES = ("id", "en")
#: Profile fields that name one business or one person, unique among seller profiles (the NPWP is not: see the
#: model).
UNIQUE_PROFILE_FIELDS = ("nib", "nik")
#: What the user reads for each unique identifier (the same in both languages).
IDENTIFIER_LABELS = {"nib": "NIB", "nik": "NIK", "npwp": "NPWP"}

REQUIRED = _l("This field is required.")


class FieldErrors:
    """One message per field, collected while cleaning input and raised together."""

    def __init__(self) -> None:
        self.messages: dict[str, str] = {}

    def add(self, name: str, message: object) -> None:
        """Record `message` for `name` unless the field already has one."""
        self.messages.setdefault(name, str(message))

    def check(self, name: str, check: Callable[..., Any], value: Any, *, required: bool = True, **kwargs: Any) -> Any:
        """Return `check(value)`, or None after recording why the value is missing or invalid."""
        if (
            value is None
            or (isinstance(value, str | list) and not value)
            or (isinstance(value, str) and not value.strip())
        ):
            if required:
                self.add(name, REQUIRED)
            return None
        try:
            return check(value, **kwargs)
        except InvalidValue as exc:
            self.add(name, exc.message)
            return None

    def text(self, name: str, value: str | None, *, required: bool = True, limit: str | None = None) -> str | None:
        """Return stripped text within its maximum length, or None after recording the problem."""
        return self.check(name, check_text, value, required=required, max_length=MAX_LENGTHS[limit or name])

    def raise_if_any(self) -> None:
        """Raise ValidationFailed carrying every collected message."""
        if self.messages:
            raise ValidationFailed("invalid input", dict(self.messages))


def too_long(max_length: int) -> object:
    """The message for text over `max_length` characters."""
    return _l("Use at most %(max)d characters.", max=max_length)


def check_text(value: str, *, max_length: int) -> str:
    """Stripped text of at most `max_length` characters."""
    cleaned = value.strip()
    if len(cleaned) > max_length:
        raise InvalidValue(too_long(max_length))
    return cleaned


def check_skala_usaha(value: str) -> str:
    """One of mikro, kecil, menengah."""
    cleaned = (value or "").strip().lower()
    if cleaned not in {str(s) for s in SkalaUsaha}:
        raise InvalidValue(_l("Choose mikro, kecil or menengah."))
    return cleaned


def check_kbli_codes(value: str | list[str]) -> list[str]:
    """KBLI codes (see core.validators) and not more than MAX_KBLI_CODES of them."""
    codes = check_kbli_list(value)
    if len(codes) > MAX_KBLI_CODES:
        raise InvalidValue(_l("Enter at most %(n)d KBLI codes.", n=MAX_KBLI_CODES))
    return codes


def check_bank_account_number(value: str) -> str:
    """A bank account number: 5 to 20 digits (spaces, dots and dashes are ignored)."""
    cleaned = digits_only(value)
    if not re.fullmatch(r"\d{5,20}", cleaned):
        raise InvalidValue(_l("A bank account number has 5 to 20 digits."))
    return cleaned


def check_locale(value: str) -> str:
    """A supported interface language."""
    if value not in LOCALES:
        raise InvalidValue(_l("Choose a language from the list."))
    return value


def active_cooperative(cooperative_id: object) -> Cooperative | None:
    """The active cooperative with this id, or None (unknown, closed or malformed id)."""
    key = as_database_id(cooperative_id)
    cooperative = db.session.get(Cooperative, key) if key is not None else None
    return cooperative if cooperative is not None and cooperative.is_active else None


def active_cooperatives() -> list[Cooperative]:
    """Cooperatives open to new members, sorted by name."""
    return list(
        db.session.scalars(select(Cooperative).where(Cooperative.is_active.is_(True)).order_by(Cooperative.name))
    )


def check_cooperative(cooperative_id: object) -> Cooperative:
    """The active cooperative a seller applies to."""
    cooperative = active_cooperative(cooperative_id)
    if cooperative is None:
        raise InvalidValue(_l("Choose an active cooperative from the list."))
    return cooperative


def clean_bank_account(data: dict[str, Any], errors: FieldErrors) -> dict[str, str | None]:
    """Bank name, number and holder: all three or none."""
    given = {name: str(data.get(name) or "").strip() for name in BANK_FIELDS}
    if not any(given.values()):
        return dict.fromkeys(BANK_FIELDS)
    for name, value in given.items():
        if not value:
            errors.add(name, _l("Fill in all three bank fields, or leave all of them empty."))
    return {
        "bank_name": errors.text("bank_name", given["bank_name"]),
        "bank_account_number": errors.check(
            "bank_account_number", check_bank_account_number, given["bank_account_number"]
        ),
        "bank_account_name": errors.text("bank_account_name", given["bank_account_name"]),
    }


def clean_business_profile(data: dict[str, Any], errors: FieldErrors) -> dict[str, Any]:
    """The seller profile's columns from raw input; problems go to `errors`."""
    cleaned = {
        "business_name": errors.text("business_name", data.get("business_name")),
        "nib": errors.check("nib", check_nib, data.get("nib")),
        "npwp": errors.check("npwp", check_npwp, data.get("npwp")),
        "nik": errors.check("nik", check_nik, data.get("nik")),
        "skala_usaha": errors.check("skala_usaha", check_skala_usaha, data.get("skala_usaha")),
        "kbli_codes": errors.check("kbli_codes", check_kbli_codes, data.get("kbli_codes")),
        "address": errors.text("address", data.get("address")),
        "region_code": errors.check("region_code", check_region, data.get("region_code"), level=4),
    }
    cleaned.update(clean_bank_account(data, errors))
    return cleaned


def clean_phone(value: str | None, errors: FieldErrors, *, required: bool) -> str | None:
    """An Indonesian phone number in +62 form, or None when optional and empty."""
    return errors.check("phone", check_phone, value, required=required)


def identifier_taken(name: str) -> object:
    """The message for a NIB or NIK another seller already registered (without saying who)."""
    return _l(
        "This %(label)s is already registered. If it is yours, contact your cooperative or the operator.",
        label=IDENTIFIER_LABELS[name],
    )


def check_identifiers_free(values: dict[str, Any], errors: FieldErrors, *, profile_id: int | None) -> None:
    """Record a field error for each unique identifier in `values` that another seller profile holds."""
    taken = taken_columns(
        db.session, SellerProfile, UNIQUE_PROFILE_FIELDS, values, own_id=profile_id, skip=errors.messages
    )
    for name in taken:
        errors.add(name, identifier_taken(name))


def taken_identifier(error: IntegrityError) -> dict[str, str] | None:
    """The field error for the seller NIB or NIK whose unique constraint `error` reports, or None."""
    name = violated_unique_column(error, SellerProfile.__tablename__, UNIQUE_PROFILE_FIELDS)
    return {name: str(identifier_taken(name))} if name is not None else None


def identifiers_claimed() -> AbstractContextManager[None]:
    """Flush the block's writes; a NIB or NIK that another request saved a moment ago becomes its field error."""
    return unique_values_claimed(db.session, SellerProfile.__tablename__, UNIQUE_PROFILE_FIELDS, identifier_taken)
