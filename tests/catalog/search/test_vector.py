"""PostgreSQL's stored `search_vector`: the lexemes of `search_text`, weighted name A, brand B, the rest D; the
migration that added it writes the same vectors as `refresh_entry`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import text

from marketplace.extensions import db

MIGRATION = Path(__file__).parents[3] / "migrations/versions/20261128_1900_b8ba156cbd06_catalog_search_vector.py"


@pytest.fixture(autouse=True)
def _postgresql_only(db) -> None:
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite keeps its words in the FTS5 table instead")


def vector(product_id: int) -> str:
    return db.session.scalar(
        text("SELECT search_vector::text FROM catalog_entries WHERE product_id = :id"), {"id": product_id}
    )


def test_the_vector_holds_the_lexemes_of_the_search_text_weighted_by_field(shelf) -> None:
    product = shelf.product(
        "Batik Tulis Kawung",
        brand="Sekar Jagad",
        description="Kain batik katun primisima, pewarna alam.",
        specifications=[{"label": "Ukuran", "value": "2 x 1,15 m"}],
    )
    lexemes = db.session.execute(
        text(
            "SELECT array(SELECT unnest(tsvector_to_array(search_vector)) ORDER BY 1), "
            "array(SELECT unnest(tsvector_to_array(to_tsvector('indonesian', search_text))) ORDER BY 1) "
            "FROM catalog_entries WHERE product_id = :id"
        ),
        {"id": product.id},
    ).one()
    assert lexemes[0] == lexemes[1]
    stored = vector(product.id)
    assert "'kawung':3A" in stored and "'jagad':5B" in stored  # name, then brand, with their positions
    assert "'primisima'" in stored and "'primisima':" not in stored  # the rest: weight D, no positions


def test_the_migration_fills_the_same_vectors_as_refresh_entry(shelf) -> None:
    products = [
        shelf.product("Kopi Bubuk Robusta Dampit", brand="Arjuno", description="Kopi pilihan, digiling halus."),
        shelf.product("Tempe Mendoan", description="Tempe kedelai lokal."),
    ]
    written = {product.id: vector(product.id) for product in products}
    db.session.execute(text("UPDATE catalog_entries SET search_vector = NULL"))
    spec = importlib.util.spec_from_file_location("search_vector_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with Operations.context(MigrationContext.configure(db.session.connection())):
        migration.fill_search_vectors()
    assert {product.id: vector(product.id) for product in products} == written
    assert all(written.values())


def test_relevance_ranks_name_over_brand_over_the_rest(shelf) -> None:
    shelf.product("Tas Anyaman", description="Tas dari pandan pilihan.")
    shelf.product("Tas Seminar Kit", brand="Pandan Wangi")
    shelf.product("Pandan Wangi Anyaman")
    from marketplace.catalog.search.query import search_catalog

    ranked = [hit.entry.name for hit in search_catalog(text="pandan").items]
    assert ranked == ["Pandan Wangi Anyaman", "Tas Seminar Kit", "Tas Anyaman"]
