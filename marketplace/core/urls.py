"""URL helpers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from marketplace.core.fields import MAX_DB_INTEGER, MIN_DB_INTEGER, as_database_id


def is_safe_redirect(target: str | None) -> bool:
    """Only allow relative paths on this site as redirect targets (no backslash or control character, which
    browsers may read as `//`: `/\\evil.example` is another site to them)."""
    if not target or "\\" in target or any(character < " " for character in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:…>` limited to what a database integer column holds: a larger id in a URL is a 404, not an
    overflow (a 500) when it reaches the database."""

    def to_python(self, value: str) -> int:
        """The integer, or NotFound when no row can have it.

        Not werkzeug's ValidationError: after one, werkzeug answers 405 when a rule of another method has the same
        path (PATCH /orders/<huge> would be a 405 where GET is a 404).
        """
        if len(value.lstrip("-").lstrip("0")) > len(str(MAX_DB_INTEGER)):
            raise NotFound()  # also spares int() a string of thousands of digits
        number = super().to_python(value)
        if not MIN_DB_INTEGER <= number <= MAX_DB_INTEGER:
            raise NotFound()
        return number


def install_url_converters(app: Flask) -> None:
    """Make `DatabaseIntegerConverter` the `int` converter of every route (call before adding routes)."""
    app.url_map.converters["int"] = DatabaseIntegerConverter


def id_arg(name: str) -> int | None:
    """The query parameter `name` as a row id (a positive integer a database column holds), else None: a filter
    with an impossible id is ignored rather than sent to the database."""
    return as_database_id(request.args.get(name, ""))
