"""Base form: WTForms' own messages in the interface language (WTForms ships no Indonesian catalog); a service's
field errors placed next to the form's fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel import support
from flask import flash, g, has_request_context
from flask_babel import get_locale
from flask_wtf import FlaskForm

from marketplace.core.errors import ValidationFailed

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


class _WTFormsTranslations:
    """WTForms' messages from our `wtforms` catalog, in the current request's language."""

    @staticmethod
    def _catalog() -> support.Translations | support.NullTranslations:
        if not has_request_context():
            return support.NullTranslations()
        locale = str(get_locale())
        cache = g.setdefault("_wtforms_translations", {})
        if locale not in cache:
            cache[locale] = support.Translations.load(str(TRANSLATIONS_DIR), [locale], domain="wtforms")
        return cache[locale]

    def gettext(self, string: str) -> str:
        return self._catalog().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog().ungettext(singular, plural, n)


WTFORMS_TRANSLATIONS = _WTFormsTranslations()


class BaseForm(FlaskForm):
    """Every form of the app derives from this one."""

    class Meta:
        def get_translations(self, form: FlaskForm) -> _WTFormsTranslations:
            return WTFORMS_TRANSLATIONS


def place_errors(form: FlaskForm, error: ValidationFailed) -> None:
    """Put a service's field errors next to the form's fields (dotted paths walk into field lists and subforms:
    `lines.0.unit_price`; a form may map paths to its own names with `field_name(path)`); the rest as flashes, one
    per message (the error's own message when it names no field)."""
    unplaced = []
    for path, message in error.fields.items():
        field = _field_at(form, form.field_name(path) if hasattr(form, "field_name") else path)
        if field is None:
            unplaced.append(message)
        else:
            field.errors = [*field.errors, message]
    for message in unplaced or ([] if error.fields else [error.message]):
        flash(message, "error")


def _field_at(form: FlaskForm, path: str) -> Any:
    target: Any = form
    for part in path.split("."):
        try:
            target = target[int(part) if part.isdigit() else part]
        except (KeyError, IndexError, TypeError):
            return None
    return target if hasattr(target, "errors") else None
