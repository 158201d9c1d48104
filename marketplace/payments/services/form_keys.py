"""Idempotency keys of the refund and payout forms: a random key is put in the form when it is shown, and the
service stores it with the row it makes (unique per payment or cooperative), so submitting the same form twice (a
double click, a retried request) returns the first row instead of making a second."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

#: The longest key accepted (a new key is 32 characters).
FORM_KEY_MAX_LENGTH = 48
#: The error of a form without a usable key (an old page, or one changed by hand).
KEY_ERROR = _l("This form has expired. Reload the page and submit it again.")


def form_key_field() -> HiddenField:
    """The hidden field carrying a form's key (a missing or overlong one is the form's error)."""
    return HiddenField(validators=[DataRequired(message=KEY_ERROR), Length(max=FORM_KEY_MAX_LENGTH, message=KEY_ERROR)])


def new_form_key() -> str:
    """A fresh random key for a form being shown."""
    return secrets.token_urlsafe(24)


def clean_form_key(key: str | None, errors: dict[str, str]) -> str | None:
    """The key stripped (None when there is none); a key too long adds an error under `key`."""
    key = (key or "").strip() or None
    if key is not None and len(key) > FORM_KEY_MAX_LENGTH:
        errors["key"] = str(KEY_ERROR)
    return key
