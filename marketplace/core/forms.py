"""Base form: WTForms' own messages in the interface language (WTForms ships no Indonesian catalog); control
characters and integers too large for the database refused in every field; a service's field errors placed next to
the form's fields."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel import support
from flask import flash, g, has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField

from marketplace.core.errors import ValidationFailed
from marketplace.core.fields import (
    MAX_DB_INTEGER,
    MIN_DB_INTEGER,
    forbidden_characters_message,
    has_forbidden_characters,
)

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

    def validate(self, extra_validators: dict | None = None) -> bool:
        """The fields' own validation, then `input_problem` on every field (also inside subforms and lists)."""
        valid = super().validate(extra_validators)
        for field in leaf_fields(self):
            problem = input_problem(field.data)
            if problem is not None:
                if problem not in field.errors:  # a subform deriving from BaseForm has placed it already
                    field.errors = [*field.errors, problem]
                valid = False
        return valid


def leaf_fields(form: Any) -> Iterator[Field]:
    """Every field of `form` that holds a value, walking into FormFields and FieldLists."""
    for field in form:
        if isinstance(field, FormField):
            yield from leaf_fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from leaf_fields(entry.form) if isinstance(entry, FormField) else [entry]
        else:
            yield field


def input_problem(data: Any) -> str | None:
    """Why a field's value cannot be stored: text with control characters, an integer too large for a database
    column; None when it can (lists are checked item by item)."""
    if isinstance(data, str) and has_forbidden_characters(data):
        return forbidden_characters_message()
    if isinstance(data, int) and not isinstance(data, bool) and data > MAX_DB_INTEGER:
        return _("Enter a number of at most %(n)s.", n=MAX_DB_INTEGER)
    if isinstance(data, int) and not isinstance(data, bool) and data < MIN_DB_INTEGER:
        return _("Enter a number of at least %(n)s.", n=MIN_DB_INTEGER)
    if isinstance(data, list | tuple):
        return next((problem for item in data if (problem := input_problem(item)) is not None), None)
    return None


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
