"""Reading form, CSV and JSON values into typed ones, collecting one message per field path: the shared parsing of
the catalog's listing rules, the ledger's payouts and the like. Values may come as strings (forms, CSV cells) or
typed (JSON, XLSX cells); Indonesian number writing (150.000) is understood."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

WHOLE_NUMBER = re.compile(r"\d+|\d{1,3}(\.\d{3})+")
#: The largest integer a database column holds (a signed 64-bit BIGINT): larger ones overflow (a 500).
MAX_DB_INTEGER = 2**63 - 1
MIN_DB_INTEGER = -(2**63)
#: Characters never accepted in text: C0 controls except tab, line feed and carriage return, DEL, C1 controls
#: and lone surrogates (PostgreSQL refuses NUL in text; none of them can be typed or shown).
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class FieldErrors(dict):
    """Collects one message per field path."""

    def add(self, path: str, message: str) -> None:
        self.setdefault(path, message)


def has_forbidden_characters(text: str) -> bool:
    """Whether `text` holds a control character (other than tab and line breaks) or a lone surrogate."""
    return FORBIDDEN_CHARACTERS.search(text) is not None


def forbidden_characters_message() -> str:
    """The message for text refused by `has_forbidden_characters`, in the user's language."""
    return _("This text contains characters that are not allowed.")


def as_database_id(value: Any) -> int | None:
    """`value` (an int or a string of ASCII digits) as a row id a database column can hold, else None."""
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_DB_INTEGER)):
            return None
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_DB_INTEGER else None


def is_blank(value: Any) -> bool:
    """None or a string of spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def read_text(raw: dict, key: str, errors: FieldErrors, *, limit: int, required: bool = False) -> str | None:
    """Stripped text (CRLF as LF) of at most `limit` characters."""
    value = raw.get(key)
    if is_blank(value):
        if required:
            errors.add(key, _("This field is required."))
        return None
    text = str(value).replace("\r\n", "\n").strip()
    if len(text) > limit:
        errors.add(key, _("At most %(n)d characters.", n=limit))
    elif has_forbidden_characters(text):
        errors.add(key, forbidden_characters_message())
    return text


def read_integer(
    raw: dict,
    key: str,
    errors: FieldErrors,
    *,
    minimum: int,
    maximum: int,
    default: int | None = None,
    required: bool = False,
) -> int | None:
    """A whole number in [minimum, maximum] (`150.000` reads as 150000); `default` when blank."""
    value = raw.get(key)
    if is_blank(value):
        if required and default is None:
            errors.add(key, _("This field is required."))
        return default
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError
            number = int(value)
        elif isinstance(value, str):
            text = value.strip()
            if not WHOLE_NUMBER.fullmatch(text):
                raise ValueError
            number = int(text.replace(".", ""))  # 150.000 is how Indonesians write 150000
        else:
            number = int(value)
    except (TypeError, ValueError):
        errors.add(key, _("Enter a whole number without separators, e.g. 150000."))
        return None
    if not minimum <= number <= maximum:
        errors.add(key, _("Enter a number from %(min)s to %(max)s.", min=f"{minimum:,}", max=f"{maximum:,}"))
        return None
    return number


def read_percent_x100(raw: dict, key: str, errors: FieldErrors, *, maximum: int) -> int:
    """A percentage with at most 2 decimals (dot or comma), returned × 100."""
    value = raw.get(key)
    if is_blank(value):
        return 0
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) > 1000:
        errors.add(key, _("Enter a percentage such as 40.25."))
        return 0
    if number != number.quantize(Decimal("0.01")):
        errors.add(key, _("Use at most two decimals."))
        return 0
    if not 0 <= number <= maximum:
        errors.add(key, _("Enter a percentage from 0 to %(max)s.", max=maximum))
        return 0
    return int(number * 100)


def read_boolean(raw: dict, key: str, errors: FieldErrors, *, default: bool) -> bool:
    """Yes or no (1/0, true/false, ya/tidak, lokal/impor); `default` when blank."""
    value = raw.get(key)
    if is_blank(value):
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "ya", "yes", "y", "lokal", "on"}:
        return True
    if text in {"0", "false", "tidak", "no", "n", "impor", "off"}:
        return False
    errors.add(key, _("Enter yes or no (1 or 0)."))
    return default
