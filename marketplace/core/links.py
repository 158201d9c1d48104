"""Absolute links for emails, always on PUBLIC_BASE_URL: never on the host a request names, which a client chooses
(a forged `Host` header would otherwise send a password-reset link to another site)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def base_url() -> str:
    """The site's public address without a trailing slash."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def external_path(path: str) -> str:
    """An absolute link to a path of this site."""
    return base_url() + path


def external_url_for(endpoint: str, **values: object) -> str:
    """`url_for(endpoint, _external=True)` on PUBLIC_BASE_URL, inside a request or not (a worker, a shell)."""
    public = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(public.netloc, script_name=public.path or "/", url_scheme=public.scheme)
    return adapter.build(endpoint, values, force_external=True)
