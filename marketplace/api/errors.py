"""API errors: one JSON shape, messages in the user's language, pydantic errors keyed by dotted field path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response
from flask_babel import gettext as _
from pydantic import ValidationError

from marketplace.core.errors import DomainError, IllegalTransition, NotFound, ValidationFailed
from marketplace.core.fields import forbidden_characters_message
from marketplace.core.http import json_error
from marketplace.core.validators import InvalidValue


class ApiError(Exception):
    """An error answer of the API, raised anywhere inside a route."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = dict(headers or {})

    def response(self) -> tuple[Response, int]:
        """The JSON error response, with extra headers."""
        body, status = json_error(self.status, self.code, self.message, self.fields)
        body.headers.update(self.headers)
        return body, status


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("Not found, or you may not see it."))


def forbidden() -> ApiError:
    return ApiError(403, "forbidden", _("Your role does not allow this action."))


def invalid_fields(fields: dict[str, str], message: str | None = None) -> ApiError:
    return ApiError(422, "validation_error", message or _("Some fields are invalid."), fields)


def pydantic_message(error: Mapping[str, Any]) -> str:
    """A translated message for one pydantic error (pydantic's own messages are English only)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "value_error":
        cause = ctx.get("error")
        if isinstance(cause, InvalidValue):
            return str(cause.message)
        if "reason" in ctx:  # pydantic's EmailStr
            return _("Enter a valid email address.")
        return _("Invalid value.")
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("This field cannot be empty.")
        return _("Enter at least %(n)d characters.", n=ctx.get("min_length", 0))
    if kind == "string_too_long":
        return _("Enter at most %(n)d characters.", n=ctx.get("max_length", 0))
    if kind == "too_short":
        return _("Give at least %(n)d items.", n=ctx.get("min_length", 0))
    if kind == "too_long":
        return _("Give at most %(n)d items.", n=ctx.get("max_length", 0))
    if kind in {"enum", "literal_error"}:
        return _("Choose one of: %(choices)s.", choices=ctx.get("expected", ""))
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Enter a number of at least %(n)s.", n=ctx.get("ge", ctx.get("gt", "")))
    if kind in {"less_than_equal", "less_than"}:
        return _("Enter a number of at most %(n)s.", n=ctx.get("le", ctx.get("lt", "")))
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind in {"forbidden_characters", "string_unicode"}:  # string_unicode: a lone surrogate such as \ud800
        return forbidden_characters_message()
    if error.get("input", ...) is None:
        return _("This field cannot be null.")
    return _type_message(kind)


def _type_message(kind: str) -> str:
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind in {"string_type"}:
        return _("Enter text.")
    if kind in {"list_type", "tuple_type", "set_type"}:
        return _("Enter a list.")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("Enter an object.")
    if kind == "string_pattern_mismatch":
        return _("This value has the wrong format.")
    return _("Invalid value.")


def field_path(location: tuple[Any, ...]) -> str:
    """`("bank", "account_number")` → `bank.account_number`; `("roles", 0)` → `roles.0`."""
    return ".".join(str(part) for part in location)


def validation_error(exc: ValidationError, prefix: tuple[Any, ...] = ()) -> ApiError:
    """A 422 with the first message of every invalid field."""
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        fields.setdefault(field_path(prefix + tuple(error["loc"])), pydantic_message(error))
    return invalid_fields(fields)


def domain_error(error: DomainError, field_names: Mapping[str, str] | None = None) -> ApiError:
    """Map a service's DomainError to the API's answer; field keys renamed through `field_names`."""
    if isinstance(error, NotFound):
        return not_found()
    if isinstance(error, IllegalTransition):
        message = _(
            "This action (%(action)s) is not allowed while the status is %(status)s.",
            action=error.action,
            status=error.current_status,
        )
        return ApiError(409, error.code, message)
    if isinstance(error, ValidationFailed):
        names = field_names or {}
        fields = {names.get(key, key): str(message) for key, message in error.fields.items()}
        return invalid_fields(fields, None if fields else (str(error.message) or None))
    if error.status == 403:
        return forbidden()
    return ApiError(error.status, error.code, str(error.message) or _("The request could not be completed."))
