"""Language selection: the user's choice (session, then profile), else Bahasa Indonesia."""

from __future__ import annotations

from flask import current_app, g, has_request_context, session
from flask_login import current_user


def select_locale() -> str:
    """Return the interface language for this request."""
    languages = current_app.config["LANGUAGES"]
    if has_request_context():
        # Set by code that decides the language itself, e.g. the JSON API (bearer user's locale or Accept-Language).
        override = g.get("locale_override")
        if override in languages:
            return override
        chosen = session.get("lang")
        if chosen in languages:
            return chosen
        if current_user and current_user.is_authenticated and current_user.locale in languages:
            return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
