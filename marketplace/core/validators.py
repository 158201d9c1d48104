"""Checks for Indonesian identifiers, region codes and passwords.

Each `check_*` function returns the cleaned value or raises `InvalidValue` with a translatable message; WTForms
validators (`Nib()`, `Npwp()`, …) and the API schemas call the same functions, so the rules live once.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from lokal import parse_phone
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp
from wtforms import Field, Form
from wtforms.validators import ValidationError

from marketplace.reference.regions import LEVEL_NAMES, get_region

_SEPARATORS = re.compile(r"[\s.\-/]")
MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "qwertyuiop",
        "password123",
        "password1234",
        "passw0rd123",
        "katasandi123",
        "indonesia123",
        "indonesia45",
        "bismillah123",
        "sayang12345",
        "admin12345",
        "iloveyou123",
        "abcdefghij",
        "abc1234567",
        "qwerty12345",
        "1q2w3e4r5t",
        "merdeka1945",
        "jakarta123",
    }
)


class InvalidValue(ValueError):
    """The value breaks a rule; `message` says which, in the interface language."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def digits_only(value: str) -> str:
    return _SEPARATORS.sub("", value or "")


MAX_EMAIL_LENGTH = 254


def check_email(value: str) -> str:
    """A syntactically valid email address, lower-cased.

    Deliverability is not checked, so the reserved `.test` domain (demo accounts, tests) is accepted too.
    """
    cleaned = (value or "").strip()
    if len(cleaned) > MAX_EMAIL_LENGTH:
        raise InvalidValue(_l("At most %(n)d characters.", n=MAX_EMAIL_LENGTH))
    try:
        return validate_email(cleaned, check_deliverability=False, test_environment=True).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidValue(_l("Enter a valid email address, e.g. nama@contoh.co.id.")) from exc


def check_nib(value: str) -> str:
    """NIB: 13 digits."""
    cleaned = digits_only(value)
    if not re.fullmatch(r"\d{13}", cleaned):
        raise InvalidValue(_l("NIB must be 13 digits."))
    return cleaned


def check_npwp(value: str) -> str:
    """NPWP in its 16-digit form (a legacy 15-digit number gets a leading 0); check digit verified."""
    cleaned = digits_only(value)
    if not re.fullmatch(r"\d{15}|\d{16}", cleaned):
        raise InvalidValue(_l("NPWP must be 16 digits (or the old 15-digit number)."))
    try:
        stdnum_npwp.validate(cleaned)
    except StdnumError as exc:
        raise InvalidValue(_l("This NPWP is not valid: its check digit or NIK part does not match.")) from exc
    return cleaned if len(cleaned) == 16 else f"0{cleaned}"


def check_nik(value: str) -> str:
    """NIK: 16 digits with a region code and a real birth date."""
    cleaned = digits_only(value)
    if not re.fullmatch(r"\d{16}", cleaned):
        raise InvalidValue(_l("NIK must be 16 digits."))
    try:
        stdnum_nik.validate(cleaned)
    except StdnumError as exc:
        raise InvalidValue(_l("This NIK is not valid: its region code or birth date is wrong.")) from exc
    return cleaned


def check_kbli(value: str) -> str:
    """KBLI 2020 code: 5 digits."""
    cleaned = (value or "").strip()
    if not re.fullmatch(r"\d{5}", cleaned):
        raise InvalidValue(_l("A KBLI code has 5 digits, e.g. 10793."))
    return cleaned


def check_kbli_list(value: str | list[str]) -> list[str]:
    """A comma- or space-separated list of KBLI codes, without duplicates."""
    items = value if isinstance(value, list) else re.split(r"[,;\s]+", value or "")
    codes: list[str] = []
    for item in items:
        if item.strip():
            code = check_kbli(item)
            if code not in codes:
                codes.append(code)
    if not codes:
        raise InvalidValue(_l("Enter at least one KBLI code."))
    return codes


def check_region(value: str, level: int | None = None) -> str:
    """A known Kemendagri region code, of `level` when given (4 = kelurahan/desa)."""
    code = (value or "").strip()
    region = get_region(code)
    if region is None:
        raise InvalidValue(_l("Unknown region code. Choose the region from the list."))
    if level is not None and region.level != level:
        raise InvalidValue(_l("Choose a region down to the %(level)s level.", level=LEVEL_NAMES[level]))
    return code


def check_phone(value: str) -> str:
    """An Indonesian phone number, normalised to +62…"""
    info = parse_phone(value or "")
    if not info.valid:
        raise InvalidValue(_l("Enter an Indonesian phone number, e.g. 0812 3456 7890."))
    return info.e164


def check_password(password: str, email: str | None = None) -> str:
    """At least 10 characters, not a common password, not the email address."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(_l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    lowered = password.lower()
    local_part = (email or "").split("@")[0].lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 5 or (local_part and local_part in lowered):
        raise InvalidValue(_l("This password is too easy to guess. Use a longer phrase of several words."))
    return password


class _Check:
    """Wrap a `check_*` function as a WTForms validator that also stores the cleaned value."""

    def __init__(self, check, **kwargs: object) -> None:
        self.check = check
        self.kwargs = kwargs

    def __call__(self, form: Form, field: Field) -> None:
        if field.data in (None, ""):
            return
        try:
            field.data = self.check(field.data, **self.kwargs)
        except InvalidValue as exc:
            raise ValidationError(str(exc.message)) from exc


def EmailAddress() -> _Check:
    return _Check(check_email)


def Nib() -> _Check:
    return _Check(check_nib)


def Npwp() -> _Check:
    return _Check(check_npwp)


def Nik() -> _Check:
    return _Check(check_nik)


def KbliList() -> _Check:
    return _Check(check_kbli_list)


def RegionCode(level: int | None = None) -> _Check:
    return _Check(check_region, level=level)


def Phone() -> _Check:
    return _Check(check_phone)


class StrongPassword:
    """Password rules; compares with the form's `email` field when there is one."""

    def __call__(self, form: Form, field: Field) -> None:
        email_field = getattr(form, "email", None)
        try:
            check_password(field.data or "", email_field.data if email_field is not None else None)
        except InvalidValue as exc:
            raise ValidationError(str(exc.message)) from exc
