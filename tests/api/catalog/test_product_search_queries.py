"""GET /products counts at most the search page's limit of matches, and says when it stopped counting."""

from __future__ import annotations

import pytest

from marketplace.api import products
from marketplace.catalog.views.public import COUNT_LIMIT
from tests.factories import listing


@pytest.fixture
def rice(maker, reference) -> None:
    """Four products on sale."""
    for index in range(4):
        listing(maker, reference, sku=f"BRS-{index}", name=f"Beras {index} kg")


def test_the_api_counts_no_further_than_the_search_page(api, rice, monkeypatch) -> None:
    assert products.COUNT_LIMIT == COUNT_LIMIT
    monkeypatch.setattr(products, "COUNT_LIMIT", 2)

    capped = api.get("/products?per_page=1").json
    assert (capped["total"], capped["total_capped"], len(capped["items"])) == (2, True, 1)

    monkeypatch.setattr(products, "COUNT_LIMIT", 4)
    exact = api.get("/products?per_page=1&page=2").json
    assert (exact["total"], exact["total_capped"], len(exact["items"])) == (4, False, 1)


def test_the_page_schema_documents_total_capped(api) -> None:
    document = api.get("/openapi.json").json
    operation = document["paths"]["/api/v1/products"]["get"]
    assert f"at most {COUNT_LIMIT} matches" in operation["description"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert page["properties"]["total_capped"]["type"] == "boolean"
    assert set(page["required"]) == {"items", "total", "page", "per_page"}
