"""Security headers on every response: no page of the app may be framed by another site (clickjacking).

A route may set its own Content-Security-Policy (file downloads send `default-src 'none'; sandbox`); it is kept and
`frame-ancestors 'none'` is added to it, since `default-src` does not cover framing.
"""

from __future__ import annotations

from flask import Flask, Response

FRAME_ANCESTORS = "frame-ancestors 'none'"


def with_frame_ancestors(policy: str | None) -> str:
    """`policy` with `frame-ancestors 'none'` added, unless it already says who may frame the page."""
    directives = [directive.strip() for directive in (policy or "").split(";") if directive.strip()]
    if any(directive.lower().split()[0] == "frame-ancestors" for directive in directives):
        return "; ".join(directives)
    return "; ".join([*directives, FRAME_ANCESTORS])


def add_security_headers(response: Response) -> Response:
    """Forbid framing: CSP `frame-ancestors 'none'` (merged into the route's own policy) and `X-Frame-Options`."""
    response.headers["Content-Security-Policy"] = with_frame_ancestors(response.headers.get("Content-Security-Policy"))
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def install_security_headers(app: Flask) -> None:
    """Add the security headers to every response of `app`."""
    app.after_request(add_security_headers)
