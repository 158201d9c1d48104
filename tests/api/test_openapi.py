"""openapi.json: generated from the registered routes and the schemas that validate requests.

`openapi-spec-validator` is not installed, so the structure is checked here: OpenAPI 3.1 required fields, every
route with its parameters, request body and responses, and every `$ref` resolving inside the document.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from marketplace.api.framework import REGISTRY
from marketplace.api.openapi import openapi_path
from marketplace.api.schemas.agencies import BuyerInvite
from marketplace.api.schemas.cooperatives import CooperativeUpdate

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def document(api) -> dict[str, Any]:
    response = api.get("/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.json


def refs_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs_in(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in refs_in(value)]
    return []


def resolve(document: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_top_level_structure(document) -> None:
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] and document["info"]["version"]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert isinstance(document["paths"], dict) and document["paths"]
    assert all(path.startswith("/api/v1/") for path in document["paths"])


def test_every_ref_resolves(document) -> None:
    refs = refs_in(document)
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert isinstance(resolve(document, ref), dict)
    assert "$defs" not in str(document)


def test_every_registered_route_is_documented(document) -> None:
    operation_ids = []
    for spec in REGISTRY:
        path = openapi_path(spec.url_rule)
        assert path in document["paths"], path
        for method in spec.methods:
            operation = document["paths"][path][method.lower()]
            operation_ids.append(operation["operationId"])
            assert operation["summary"] == spec.summary
            assert str(spec.status) in operation["responses"]
            if spec.body is not None:
                schema = operation["requestBody"]["content"]["application/json"]["schema"]
                assert schema == {"$ref": f"#/components/schemas/{spec.body.__name__}"}
                assert {"400", "415", "422"} <= set(operation["responses"])
            else:
                assert "requestBody" not in operation
            if spec.response is not None:
                content = operation["responses"][str(spec.status)]["content"]["application/json"]["schema"]
                assert resolve(document, content["$ref"])["type"] == "object"
            assert operation["security"] == ([{"bearerAuth": []}] if spec.auth else [])
            if spec.auth:
                assert "401" in operation["responses"]
            if spec.roles:
                assert "403" in operation["responses"]
    assert len(operation_ids) == len(set(operation_ids))
    documented = {(p, m) for p, item in document["paths"].items() for m in item if m in HTTP_METHODS}
    assert len(documented) == len(operation_ids)


def test_path_parameters_match_the_path_templates(document) -> None:
    for path, item in document["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for method, operation in item.items():
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == names, (method, path)
            for parameter in operation["parameters"]:
                assert parameter["in"] in {"path", "query"}
                assert "schema" in parameter
                if parameter["in"] == "path":
                    assert parameter["required"] is True


def test_query_models_become_query_parameters(document) -> None:
    members = document["paths"]["/api/v1/cooperatives/{cooperative_id}/members"]["get"]
    query = {p["name"]: p for p in members["parameters"] if p["in"] == "query"}
    assert set(query) == {"page", "per_page", "status", "search"}
    per_page_schema = query["per_page"]["schema"]["anyOf"][0]
    assert per_page_schema["maximum"] == 100
    assert members["parameters"][0]["schema"] == {"type": "integer"}


def test_request_schemas_are_the_validating_models(document) -> None:
    schemas = document["components"]["schemas"]
    update = schemas["CooperativeUpdate"]
    assert update["additionalProperties"] is False
    assert set(update["properties"]) == set(CooperativeUpdate.model_fields)
    assert "nib" in update["properties"]
    invite = schemas["BuyerInvite"]
    assert set(invite["required"]) == set(BuyerInvite.model_fields)
    assert set(invite["properties"]["roles"]["items"]["enum"]) == {"pp", "ppk", "bendahara"}


def test_error_schema_is_used_for_error_responses(document) -> None:
    error = document["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["error"]
    detail = resolve(document, error["properties"]["error"]["$ref"])
    assert set(detail["properties"]) == {"code", "message", "fields", "current_status"}
    token_create = document["paths"]["/api/v1/tokens"]["post"]
    assert token_create["responses"]["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }


def test_the_403s_that_routes_answer_outside_their_roles_are_documented(document) -> None:
    paths = document["paths"]
    assert "403" in paths["/api/v1/cooperatives"]["get"]["responses"]  # include_inactive for non-operators
    for action in ("approve", "sign", "ship", "receive", "invoice", "cancel"):
        assert {"403", "409"} <= set(paths[f"/api/v1/orders/{{order_id}}/{action}"]["post"]["responses"])


def test_pagination_envelope_is_documented(document) -> None:
    listing = document["paths"]["/api/v1/cooperatives"]["get"]["responses"]["200"]
    page = resolve(document, listing["content"]["application/json"]["schema"]["$ref"])
    assert set(page["required"]) == {"items", "total", "page", "per_page"}
    assert page["properties"]["items"]["type"] == "array"


def test_response_schemas_do_not_expose_secrets(document) -> None:
    schemas = document["components"]["schemas"]
    assert "datafeed_key" not in schemas["CooperativeOut"]["properties"]
    assert "token" not in schemas["TokenOut"]["properties"]
    with_password = {
        key for key, schema in schemas.items() if any("password" in p for p in schema.get("properties", {}))
    }
    assert with_password == {"TokenCreate"}  # the one request that takes it; no response shows a hash


def test_openapi_is_public(api) -> None:
    assert api.get("/openapi.json").status_code == 200


# --- every status the routes answer is documented ---------------------------------------------------------------------


def assert_documented(document: dict, response, method: str, path: str) -> None:
    """`response`'s status is among the documented responses of `method path` (path as in the document)."""
    responses = document["paths"][f"/api/v1{path}"][method.lower()]["responses"]
    assert str(response.status_code) in responses, (method, path, response.status_code, sorted(responses))


@pytest.fixture
def on_sale(db):
    from tests.factories import catalog_reference, listing, seller

    return listing(seller(), catalog_reference())


def test_a_bad_token_on_the_public_product_routes_is_a_documented_401(api, document, on_sale) -> None:
    bad = {"Authorization": "Bearer pu_not-a-real-token"}
    for path, template in (("/products", "/products"), (f"/products/{on_sale.id}", "/products/{product_id}")):
        response = api.get(path, headers=bad)
        assert response.status_code == 401
        assert_documented(document, response, "GET", template)


def test_adding_a_product_again_and_replaying_a_checkout_are_documented_200s(api, document, on_sale) -> None:
    from marketplace.accounts.models import Role
    from tests.factories import order_form, user_with_role

    buyer = user_with_role(Role.PPK)
    for expected in (201, 200):
        response = api.post("/cart/items", {"product_id": on_sale.id, "quantity": 1}, user=buyer)
        assert response.status_code == expected
        assert_documented(document, response, "POST", "/cart/items")
    missing = api.post("/cart/items", {"product_id": on_sale.id + 1000, "quantity": 1}, user=buyer)
    assert missing.status_code == 404
    assert_documented(document, missing, "POST", "/cart/items")

    body = {**order_form(), "requested_arrival": str(order_form()["requested_arrival"]), "idempotency_key": "k-123456"}
    for expected in (201, 200):
        response = api.post("/checkout", body, user=buyer)
        assert response.status_code == expected, response.get_json()
        assert_documented(document, response, "POST", "/checkout")
    assert (
        document["paths"]["/api/v1/checkout"]["post"]["responses"]["200"]["content"]
        == (document["paths"]["/api/v1/checkout"]["post"]["responses"]["201"]["content"])
    )


def test_a_feed_for_another_cooperative_is_a_documented_404(api, document) -> None:
    from marketplace.accounts.models import Role
    from tests.factories import CooperativeFactory, user_with_role

    manager = user_with_role(Role.COOP_MANAGER)
    response = api.post("/feeds", {"cooperative_id": CooperativeFactory().id, "shape": "datafeed"}, user=manager)
    assert response.status_code == 404
    assert_documented(document, response, "POST", "/feeds")


def test_fuzzed_input_answers_are_documented(api, document) -> None:
    from marketplace.accounts.models import Role
    from tests.factories import user_with_role

    buyer = user_with_role(Role.PP)
    deep = api.call("POST", "/cart/items", user=buyer, data="[" * 100_000, content_type="application/json")
    assert deep.status_code == 400
    assert_documented(document, deep, "POST", "/cart/items")
    flag = api.post("/cart/items", {"product_id": True, "quantity": 1}, user=buyer)
    assert flag.status_code == 422
    assert_documented(document, flag, "POST", "/cart/items")
    huge = api.get("/orders/99999999999999999999", user=buyer)
    assert huge.status_code == 404
    assert_documented(document, huge, "GET", "/orders/{order_id}")
    query = api.get("/products?cooperative_id=99999999999999999999")
    assert query.status_code == 422
    assert_documented(document, query, "GET", "/products")


def test_bodyless_moves_and_uploads_document_their_422(document) -> None:
    paths = document["paths"]
    for action in ("approve", "accept", "sign", "invoice", "accept-offer", "confirm-payment"):
        assert "422" in paths[f"/api/v1/orders/{{order_id}}/{action}"]["post"]["responses"], action
    assert "422" in paths["/api/v1/reviews/{revision_id}/approve"]["post"]["responses"]
    assert "422" in paths["/api/v1/products/import"]["post"]["responses"]
