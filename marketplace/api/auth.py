"""Bearer-token authentication and the API's language (the token owner's locale, else Accept-Language).

The API never reads the session cookie, so a browser's sign-in cannot be used by another site to call it and
no CSRF token is needed.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_babel import refresh

from marketplace.accounts.api_tokens import user_for_token
from marketplace.accounts.models import Role, User
from marketplace.api import bp
from marketplace.api.errors import ApiError, forbidden

_UNSET = object()
REALM = 'Bearer realm="api"'


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer …` header, or None."""
    scheme, _sep, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_api_user() -> User | None:
    """The user owning this request's live bearer token (looked up once per request)."""
    user = g.get("api_user", _UNSET)
    if user is _UNSET:
        token = bearer_token()
        user = user_for_token(token) if token else None
        g.api_user = user
    return user


def api_user() -> User:
    """The signed-in user of a route that requires authentication."""
    user = current_api_user()
    if user is None:
        raise unauthorized()
    return user


def unauthorized() -> ApiError:
    """401 with a `WWW-Authenticate: Bearer` challenge."""
    if request.headers.get("Authorization"):
        return ApiError(
            401,
            "invalid_token",
            _("The access token is invalid or revoked, or its account is disabled."),
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    return ApiError(
        401,
        "authentication_required",
        _("Send a personal access token in the header Authorization: Bearer <token>."),
        headers={"WWW-Authenticate": REALM},
    )


def authorize(*, auth: bool, roles: tuple[Role, ...]) -> None:
    """Refuse anonymous calls (401) and signed-in users without one of `roles` (403; operators not implied)."""
    if not auth:
        return
    user = api_user()
    if roles and not user.has_role(*roles):
        raise forbidden()


def is_api_request() -> bool:
    """Whether the current request is for a path under the API's prefix."""
    prefix = bp.url_prefix or ""
    return request.path == prefix or request.path.startswith(prefix + "/")


@bp.before_app_request
def choose_language() -> None:
    """Answer API calls in the token owner's language, else the best of Accept-Language, else the default."""
    forget_request_state()
    if not is_api_request():
        return
    languages = current_app.config["LANGUAGES"]
    user = current_api_user()
    if user is not None and user.locale in languages:
        g.locale_override = user.locale
    else:
        g.locale_override = request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    refresh()


def forget_request_state() -> None:
    """Drop the previous request's user and language when an app context outlives a request (as in tests)."""
    stale = [g.pop(name) for name in ("api_user", "locale_override") if name in g]
    if stale:
        refresh()
