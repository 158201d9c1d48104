"""`@api_route`: register a JSON endpoint on the API blueprint with its schemas, roles and documentation.

A route declares what it takes and returns; the decorator authenticates, parses and validates the JSON body and
the query string with pydantic, maps service errors to the error shape, serialises the result and records the
route in `REGISTRY`, from which `openapi.json` is generated.

    @api_route("/cooperatives/<int:cooperative_id>", methods=["PATCH"], body=CooperativeUpdate,
               response=CooperativeOut, roles=MANAGERS, tags=["cooperatives"])
    def update_cooperative(cooperative_id: int, body: CooperativeUpdate) -> Cooperative:
        "Change a cooperative's data."  # the docstring: the operation's summary in openapi.json
        user = api_user()
        cooperative = services.visible_cooperative(actor=user, cooperative_id=cooperative_id)
        return services.update_cooperative(actor=user, cooperative=cooperative, data=...)
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Response, current_app, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from sqlalchemy import Select
from werkzeug.exceptions import HTTPException

from marketplace.accounts.models import Role
from marketplace.api import bp
from marketplace.api.auth import authorize, is_api_request
from marketplace.api.errors import ApiError, domain_error, not_found, validation_error
from marketplace.api.schemas.common import QUERY_CONTEXT, PageBase, PageQuery
from marketplace.core.errors import DomainError
from marketplace.core.pagination import Page, paginate
from marketplace.extensions import db


@dataclass(frozen=True)
class RouteSpec:
    """Everything the API knows about one route; the OpenAPI document is built from these."""

    rule: str
    methods: tuple[str, ...]
    endpoint: str
    summary: str
    description: str | None = None
    tags: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = True
    roles: tuple[Role, ...] = ()
    #: Service field names → the API's dotted field paths, for ValidationFailed raised by a service.
    field_names: Mapping[str, str] = field(default_factory=dict)
    #: Extra error statuses the route can answer (e.g. 409, 429), for the documentation.
    errors: tuple[int, ...] = ()
    #: Other success statuses answered with the same body (e.g. 200 when nothing new was created) → what they mean.
    other_statuses: Mapping[int, str] = field(default_factory=dict)
    #: Media types of a file the route answers with instead of JSON (the view returns a Response).
    files: tuple[str, ...] = ()

    @property
    def url_rule(self) -> str:
        return f"{bp.url_prefix}{self.rule}"


#: Every route registered through `api_route`, in registration order.
REGISTRY: list[RouteSpec] = []


def api_route(
    rule: str,
    *,
    summary: str | None = None,
    methods: Sequence[str] = ("GET",),
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int | None = None,
    auth: bool = True,
    roles: Iterable[Role] = (),
    tags: Iterable[str] = (),
    description: str | None = None,
    field_names: Mapping[str, str] | None = None,
    errors: Iterable[int] = (),
    other_statuses: Mapping[int, str] | None = None,
    files: Iterable[str] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `view` on the API blueprint; it receives path arguments plus `body=` and `query=` models.

    `summary` defaults to the first line of the view's docstring; `roles` are checked after authentication
    (operators are not implied); `field_names` renames the keys of a service's ValidationFailed; `other_statuses`
    documents the other success statuses a view may answer with the same body (it then returns a Response);
    `files` lists the media types of a route that answers with a file (a Response) instead of JSON.
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        spec = RouteSpec(
            rule=rule,
            methods=tuple(method.upper() for method in methods),
            endpoint=view.__name__,
            summary=summary or (view.__doc__ or view.__name__).strip().splitlines()[0].rstrip("."),
            description=description,
            tags=tuple(tags),
            body=body,
            query=query,
            response=response,
            status=status or (200 if response is not None or files else 204),
            auth=auth,
            roles=tuple(roles),
            field_names=dict(field_names or {}),
            errors=tuple(errors),
            other_statuses=dict(other_statuses or {}),
            files=tuple(files),
        )

        @wraps(view)
        def endpoint(**path_args: Any) -> Any:
            return handle(spec, view, path_args)

        bp.add_url_rule(rule, endpoint=spec.endpoint, view_func=endpoint, methods=list(spec.methods))
        REGISTRY.append(spec)
        return view

    return decorator


def handle(spec: RouteSpec, view: Callable[..., Any], path_args: dict[str, Any]) -> Any:
    """Authenticate, parse, call the view and serialise its result; every failure becomes a JSON error."""
    try:
        authorize(auth=spec.auth, roles=spec.roles)
        kwargs = dict(path_args)
        if spec.query is not None:
            kwargs["query"] = parse_query(spec.query)
        if spec.body is not None:
            kwargs["body"] = parse_body(spec.body)
        result = view(**kwargs)
    except ApiError as error:
        db.session.rollback()
        return error.response()
    except DomainError as error:
        db.session.rollback()
        return domain_error(error, spec.field_names).response()
    return serialise(spec, result)


def parse_body(model: type[BaseModel]) -> BaseModel:
    """The JSON body validated by `model`: 415 unless JSON, 400 when malformed, 422 when invalid."""
    if not request.is_json:
        raise ApiError(
            415, "unsupported_media_type", _("Send the request body as JSON with Content-Type: application/json.")
        )
    try:
        data = json.loads(request.get_data(cache=True) or b"", parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # RecursionError: arrays or objects nested too deeply
        raise ApiError(400, "invalid_json", _("The request body is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise ApiError(422, "validation_error", _("The request body must be a JSON object."))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from exc


def _refuse_constant(name: str) -> Any:
    """NaN, Infinity and -Infinity are not JSON, though Python's parser reads them."""
    raise ValueError(f"{name} is not valid JSON")


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return any(_is_list(arg) for arg in typing.get_args(annotation)) if origin is not None else False


def parse_query(model: type[BaseModel]) -> BaseModel:
    """The query string validated by `model`; empty values count as absent, unknown parameters are ignored."""
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        values = [value for value in request.args.getlist(key) if value.strip() != ""]
        if values:
            data[key] = values if _is_list(info.annotation) else values[-1]
    try:
        return model.model_validate(data, context=QUERY_CONTEXT)
    except ValidationError as exc:
        raise validation_error(exc) from exc


def serialise(spec: RouteSpec, result: Any) -> Any:
    """Turn a view's result into the JSON response of `spec.response` (or an empty 204)."""
    if isinstance(result, Response):
        return result
    if spec.response is None:
        return Response(status=spec.status)
    model = spec.response
    payload = result if isinstance(result, model) else model.model_validate(result, from_attributes=True)
    return jsonify(payload.model_dump(mode="json")), spec.status


@bp.after_app_request
def describe_response(response: Response) -> Response:
    """Add `Content-Language` to API answers, and `Allow` to a 405 (the JSON error handler drops it)."""
    if not is_api_request():
        return response
    response.headers.setdefault("Content-Language", str(get_locale()))
    if response.status_code == 405 and "Allow" not in response.headers:
        adapter = current_app.url_map.bind_to_environ(request.environ)
        response.headers["Allow"] = ", ".join(sorted(adapter.allowed_methods()))
    return response


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def routing_error(error: HTTPException) -> Any:
    """An unknown API URL or method: the API's JSON error in the caller's language instead of Werkzeug's English.

    Blueprint error handlers never see routing errors (no blueprint matched), so this one is app-wide; any other
    path goes on to the app's own HTTPException handler.
    """
    if not is_api_request():
        app_handler = current_app.error_handler_spec[None][None].get(HTTPException)
        return app_handler(error) if app_handler is not None else error
    if error.code == 405:
        message = _("This method is not allowed on this URL; the Allow header lists those that are.")
        return ApiError(405, "method_not_allowed", message).response()
    return not_found().response()


def page_size(query: PageQuery) -> int:
    """The page size asked for, else PAGE_SIZE (at most 100)."""
    return query.per_page or min(current_app.config["PAGE_SIZE"], 100)


def paginated(statement: Select, query: PageQuery) -> Page:
    """One page of a `select()` for a query model deriving from PageQuery."""
    return paginate(statement, query.page, page_size(query))


def paginated_list(items: Sequence[Any], query: PageQuery) -> Page:
    """One page of an in-memory list (short lists such as a user's tokens)."""
    size = page_size(query)
    start = (query.page - 1) * size
    return Page(items=list(items[start : start + size]), total=len(items), page=query.page, per_page=size)


__all__ = ["REGISTRY", "PageBase", "RouteSpec", "api_route", "paginated", "paginated_list"]
