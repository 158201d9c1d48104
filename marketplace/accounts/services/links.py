"""Absolute links for emails, inside a request (its host) or outside one (PUBLIC_BASE_URL)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


def base_url() -> str:
    """The site's address without a trailing slash."""
    if has_request_context():
        return request.host_url.rstrip("/")
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def external_path(path: str) -> str:
    """An absolute link to a path of this site."""
    return base_url() + path


def external_url_for(endpoint: str, **values: object) -> str:
    """`url_for(endpoint, _external=True)` that also works in a worker or a shell."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    public = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(public.netloc, script_name=public.path or "/", url_scheme=public.scheme)
    return adapter.build(endpoint, values, force_external=True)
