"""The OpenAPI 3.1 document, generated from the routes registered with `api_route` and their pydantic schemas."""

from __future__ import annotations

import re
from typing import Any

from flask import jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from marketplace.api import bp
from marketplace.api.framework import REGISTRY, RouteSpec
from marketplace.api.schemas.common import ErrorOut

OPENAPI_VERSION = "3.1.0"
REF_TEMPLATE = "#/components/schemas/{model}"
_RULE_PARAM = re.compile(r"<(?:(?P<converter>[a-z]+):)?(?P<name>\w+)>")
_CONVERTER_SCHEMAS = {"int": {"type": "integer"}, "float": {"type": "number"}}
ERROR_DESCRIPTIONS = {
    400: "Malformed JSON (code invalid_json)",
    401: "Missing, invalid or revoked token",
    403: "Your role does not allow this",
    404: "Not found, or not visible to you",
    409: "Not allowed in the current state",
    415: "The body is not JSON",
    422: "Invalid fields; `error.fields` maps dotted field paths to messages",
    429: "Too many attempts; see the Retry-After header",
}

_cache: dict[int, dict[str, Any]] = {}


def openapi_path(rule: str) -> str:
    """`/cooperatives/<int:cooperative_id>` → `/cooperatives/{cooperative_id}`."""
    return _RULE_PARAM.sub(lambda match: "{" + match["name"] + "}", rule)


def path_parameters(rule: str) -> list[dict[str, Any]]:
    return [
        {
            "name": match["name"],
            "in": "path",
            "required": True,
            "schema": _CONVERTER_SCHEMAS.get(match["converter"] or "", {"type": "string"}),
        }
        for match in _RULE_PARAM.finditer(rule)
    ]


def query_parameters(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """One `in: query` parameter per property of a query model's schema."""
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            parameter["description"] = prop["description"]
        parameters.append(parameter)
    return parameters


def error_statuses(spec: RouteSpec) -> list[int]:
    statuses = set(spec.errors)
    if spec.auth:
        statuses.add(401)
    if spec.roles:
        statuses.add(403)
    if _RULE_PARAM.search(spec.rule):
        statuses.add(404)
    if spec.body is not None:
        statuses |= {400, 415, 422}
    if spec.query is not None:
        statuses.add(422)
    return sorted(statuses)


def _schemas(specs: list[RouteSpec]) -> tuple[dict[tuple[type[BaseModel], str], Any], dict[str, Any]]:
    wanted: list[tuple[type[BaseModel], str]] = [(ErrorOut, "serialization")]
    for spec in specs:
        wanted += [(model, "validation") for model in (spec.body, spec.query) if model is not None]
        if spec.response is not None:
            wanted.append((spec.response, "serialization"))
    refs, definitions = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF_TEMPLATE)
    return refs, definitions.get("$defs", {})


def _json(schema: Any) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def operation(spec: RouteSpec, refs: dict, components: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI operation object of one route."""
    description = spec.description or ""
    if spec.roles:
        description = (description + "\n\n" if description else "") + "Roles: " + ", ".join(map(str, spec.roles))
    parameters = path_parameters(spec.rule)
    if spec.query is not None:
        parameters += query_parameters(_resolve(refs[(spec.query, "validation")], components))
    result: dict[str, Any] = {
        "operationId": spec.endpoint,
        "summary": spec.summary,
        "tags": list(spec.tags),
        "parameters": parameters,
        "security": [{"bearerAuth": []}] if spec.auth else [],
        "responses": {},
    }
    if description:
        result["description"] = description
    if spec.body is not None:
        result["requestBody"] = {"required": True, "content": _json(refs[(spec.body, "validation")])}
    success: dict[str, Any] = {"description": "Success" if spec.response is not None else "Done, no content"}
    if spec.response is not None:
        success["content"] = _json(refs[(spec.response, "serialization")])
    elif spec.files:
        success = {
            "description": "The file",
            "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in spec.files},
        }
    result["responses"][str(spec.status)] = success
    for status, meaning in spec.other_statuses.items():
        result["responses"][str(status)] = {**success, "description": meaning}
    error_ref = refs[(ErrorOut, "serialization")]
    for status in error_statuses(spec):
        result["responses"][str(status)] = {
            "description": ERROR_DESCRIPTIONS.get(status, "Error"),
            "content": _json(error_ref),
        }
    return result


def _resolve(ref: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    return components[ref["$ref"].rsplit("/", 1)[-1]]


def build_document(specs: list[RouteSpec] | None = None) -> dict[str, Any]:
    """The whole OpenAPI document for `specs` (every registered route by default)."""
    specs = list(REGISTRY if specs is None else specs)
    refs, components = _schemas(specs)
    paths: dict[str, dict[str, Any]] = {}
    for spec in specs:
        item = paths.setdefault(openapi_path(spec.url_rule), {})
        for method in spec.methods:
            item[method.lower()] = operation(spec, refs, components)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Pasar UMKM API",
            "version": "1.0.0",
            "description": "JSON API of the UMKM marketplace. Authenticate with a personal access token "
            "(POST /api/v1/tokens) sent as `Authorization: Bearer <token>`. Errors have the shape "
            '`{"error": {"code", "message", "fields"}}`; messages follow the user\'s language or Accept-Language.',
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI document (public)."""
    if len(REGISTRY) not in _cache:
        _cache.clear()
        _cache[len(REGISTRY)] = build_document()
    return jsonify(_cache[len(REGISTRY)])
