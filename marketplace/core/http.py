"""HTTP error handling: JSON errors under /api, HTML pages elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from marketplace.core.errors import DomainError

ERROR_TITLES = {
    400: _l("Bad request"),
    401: _l("Please sign in"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("File too large"),
    422: _l("Invalid input"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/lkpp/")


def json_error(status: int, code: str, message: str, fields: dict[str, str] | None = None):
    """Build the API's error response `{"error": {"code", "message", "fields"}}`."""
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


def install_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        if wants_json():
            return json_error(error.status, error.code, error.message, error.fields)
        return render_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        if wants_json():
            return json_error(400, "csrf", error.description)
        return render_error(
            400, _("The form expired or was sent from elsewhere. Please reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        status = error.code or 500
        if wants_json():
            return json_error(status, (error.name or "error").lower().replace(" ", "_"), error.description or "")
        return render_error(status)


def render_error(status: int, message: str | None = None):
    title = str(ERROR_TITLES.get(status, _l("Error")))
    return render_template("errors/error.html", status=status, title=title, message=message), status
