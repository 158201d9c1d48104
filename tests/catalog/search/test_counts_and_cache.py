"""Counting only as far as needed, and the optional per-process cache of matching ids."""

from __future__ import annotations

import pytest

from marketplace.catalog.search.cache import RESULTS, ResultCache
from marketplace.catalog.search.query import search_catalog
from marketplace.catalog.services import withdraw_product
from marketplace.extensions import db


@pytest.fixture(autouse=True)
def _empty_cache():
    RESULTS.clear()
    yield
    RESULTS.clear()


def test_counting_stops_at_the_limit(shelf) -> None:
    for index in range(5):
        shelf.product(f"Kerupuk Udang {index}")
    capped = search_catalog(text="kerupuk", per_page=2, count_limit=3)
    assert (capped.total, capped.total_capped, len(capped.items)) == (3, True, 2)
    exact = search_catalog(text="kerupuk", per_page=2, count_limit=5)
    assert (exact.total, exact.total_capped) == (5, False)
    assert search_catalog(text="kerupuk", per_page=2).total == 5


def test_a_first_page_with_room_to_spare_is_its_own_count(shelf) -> None:
    shelf.product("Kerupuk Udang")
    shelf.product("Kerupuk Ikan")
    page = search_catalog(text="kerupuk", per_page=24, count_limit=1)
    assert (page.total, page.total_capped) == (2, False)  # no count was needed, so nothing was capped


def test_cached_ids_are_reused_but_cards_are_read_fresh(shelf) -> None:
    kept = shelf.product("Gula Pasir Kristal", stock=10)
    gone = shelf.product("Gula Aren Cetak")
    first = search_catalog(text="gula", cache_seconds=60)
    assert {hit.entry.product_id for hit in first.items} == {kept.id, gone.id}

    shelf.product("Gula Semut")  # approved after the search was cached: shown once the entry expires
    withdraw_product(actor=shelf.maker, product=gone, reason="Tidak diproduksi lagi")
    kept.stock = 0
    from marketplace.catalog.search.index import refresh_entry

    refresh_entry(kept)
    db.session.flush()

    again = search_catalog(text="gula", cache_seconds=60)
    assert [hit.entry.product_id for hit in again.items] == [kept.id]  # withdrawn: left out at once
    assert again.items[0].entry.stock == 0  # fresh card data
    assert again.total == first.total  # the count is the cached one
    assert len(search_catalog(text="gula").items) == 2  # without the cache: Gula Semut and Gula Pasir
    RESULTS.clear()
    assert len(search_catalog(text="gula", cache_seconds=60).items) == 2


def test_different_searches_have_different_cache_entries(shelf) -> None:
    shelf.product("Gula Pasir Kristal", price=10000)
    shelf.product("Gula Aren Cetak", price=20000)
    cheap = search_catalog(text="gula", price_max=15000, cache_seconds=60)
    dear = search_catalog(text="gula", price_min=15000, cache_seconds=60)
    assert [h.entry.name for h in cheap.items] == ["Gula Pasir Kristal"]
    assert [h.entry.name for h in dear.items] == ["Gula Aren Cetak"]


def test_the_cache_forgets_expired_and_least_recent_entries(monkeypatch) -> None:
    cache = ResultCache(size=2)
    now = [100.0]
    monkeypatch.setattr("marketplace.catalog.search.cache.time.monotonic", lambda: now[0])
    cache.put("a", 1, 10)
    cache.put("b", 2, 10)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3, 10)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    now[0] = 111.0
    assert cache.get("a") is None


def test_the_catalog_page_uses_the_cache_when_configured(app, client, shelf, monkeypatch) -> None:
    shelf.product("Gula Pasir Kristal")
    monkeypatch.setitem(app.config, "CATALOG_SEARCH_CACHE_SECONDS", 60)
    assert 'data-total="1"' in client.get("/katalog?q=gula").get_data(as_text=True)
    shelf.product("Gula Aren Cetak")
    assert 'data-total="1"' in client.get("/katalog?q=gula").get_data(as_text=True)
    monkeypatch.setitem(app.config, "CATALOG_SEARCH_CACHE_SECONDS", 0)
    assert 'data-total="2"' in client.get("/katalog?q=gula").get_data(as_text=True)
