"""Base form: WTForms' own messages in the interface language (WTForms ships no Indonesian catalog)."""

from __future__ import annotations

from pathlib import Path

from babel import support
from flask import g, has_request_context
from flask_babel import get_locale
from flask_wtf import FlaskForm

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
