"""openapi.json documents every catalog route with its parameters, request and response schemas."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.api.schemas.catalog import ListingIn, ProductCreate, ProductUpdate
from marketplace.catalog.rules import LISTING_FIELDS
from marketplace.catalog.search.query import SORTS

ROUTES = {
    ("/api/v1/products", "get"): ("list_products", False),
    ("/api/v1/products", "post"): ("create_product", True),
    ("/api/v1/products/{product_id}", "get"): ("get_product", False),
    ("/api/v1/products/{product_id}", "patch"): ("update_product", True),
    ("/api/v1/products/{product_id}/submit", "post"): ("submit_product", True),
    ("/api/v1/products/{product_id}/withdraw", "post"): ("withdraw_product", True),
    ("/api/v1/products/{product_id}/images", "post"): ("upload_image", True),
    ("/api/v1/products/import", "post"): ("upload_products", True),
    ("/api/v1/products/imports", "get"): ("list_product_imports", True),
    ("/api/v1/products/imports/{import_id}", "get"): ("get_product_import", True),
    ("/api/v1/products/imports/{import_id}/apply", "post"): ("apply_product_import", True),
    ("/api/v1/reviews", "get"): ("list_reviews", True),
    ("/api/v1/reviews/{revision_id}", "get"): ("get_review", True),
    ("/api/v1/reviews/{revision_id}/approve", "post"): ("approve_review", True),
    ("/api/v1/reviews/{revision_id}/reject", "post"): ("reject_review", True),
    ("/api/v1/reviews/{revision_id}/request-changes", "post"): ("request_review_changes", True),
}


@pytest.fixture
def document(api) -> dict[str, Any]:
    return api.get("/openapi.json").json


def schema(document: dict, ref: dict) -> dict:
    return document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]


def test_every_catalog_route_is_documented(document) -> None:
    for (path, method), (operation_id, needs_token) in ROUTES.items():
        operation = document["paths"][path][method]
        assert operation["operationId"] == operation_id
        assert operation["summary"] and operation["tags"]
        assert bool(operation["security"]) is needs_token, path


def test_listing_fields_mirror_the_rules(document) -> None:
    schemas = document["components"]["schemas"]
    assert set(ListingIn.model_fields) == set(LISTING_FIELDS)
    assert set(schemas["ProductCreate"]["properties"]) == {*LISTING_FIELDS, "seller_id", "submit"}
    assert set(schemas["ProductUpdate"]["properties"]) == {*LISTING_FIELDS, "submit"}
    assert set(ProductCreate.model_fields) - set(LISTING_FIELDS) == {"seller_id", "submit"}
    assert set(ProductUpdate.model_fields) - set(LISTING_FIELDS) == {"submit"}
    create = schemas["ProductCreate"]
    assert set(create["required"]) == {"sku", "name", "category_id", "kbki", "unit", "price", "stock", "valid_until"}
    assert "required" not in schemas["ProductUpdate"]
    assert create["additionalProperties"] is False
    for name in LISTING_FIELDS:
        assert create["properties"][name].get("description"), name
    assert create["properties"]["valid_until"]["format"] == "date"
    regional = schema(document, create["properties"]["regional_prices"]["items"])
    assert set(regional["properties"]) == {"region_code", "price", "shipping_cost"}


def test_responses_and_bodies_are_the_catalog_schemas(document) -> None:
    paths = document["paths"]
    product = paths["/api/v1/products/{product_id}"]
    assert product["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ProductOut")
    assert product["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ProductUpdate")
    assert {"401", "403", "404", "409", "422"} <= set(product["patch"]["responses"])
    assert "201" in paths["/api/v1/products"]["post"]["responses"]
    assert "202" in paths["/api/v1/products/import"]["post"]["responses"]
    reject = paths["/api/v1/reviews/{revision_id}/reject"]["post"]
    assert schema(document, reject["requestBody"]["content"]["application/json"]["schema"])["required"] == ["reason"]
    out = document["components"]["schemas"]["ProductOut"]["properties"]
    assert {"live", "latest_revision", "allowed_actions", "seller", "cooperative"} <= set(out)
    detail = document["components"]["schemas"]["ReviewDetailOut"]["properties"]
    assert {"live", "changes", "issues", "kind", "product"} <= set(detail)


def test_search_parameters_are_the_search_pages_filters(document) -> None:
    operation = document["paths"]["/api/v1/products"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {
        "page", "per_page", "text", "category_id", "cooperative_id", "seller_regency", "delivery_region",
        "price_min", "price_max", "domestic_only", "tkdn_bmp_min", "skala", "sort",
    }  # fmt: skip
    assert parameters["sort"]["schema"]["enum"] == list(SORTS)
    assert parameters["per_page"]["schema"]["anyOf"][0]["maximum"] == 100
    page = schema(document, operation["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(page["required"]) == {"items", "total", "page", "per_page"}


def test_uploads_describe_their_multipart_fields(document) -> None:
    images = document["paths"]["/api/v1/products/{product_id}/images"]["post"]
    assert "multipart/form-data" in images["description"] and "`file`" in images["description"]
    assert "`main=true`" in images["description"]
    upload = document["paths"]["/api/v1/products/import"]["post"]
    assert "`file`" in upload["description"] and "`seller_id`" in upload["description"]
