"""Sort orders, pagination, and which products search may show (only active ones, with their live data)."""

from __future__ import annotations

from marketplace.accounts.models import Role
from marketplace.catalog.search.query import search_catalog
from marketplace.catalog.services import create_listing, update_listing, withdraw_product
from tests.factories import listing_data, user_with_role


def names(**kwargs) -> list[str]:
    return [hit.entry.name for hit in search_catalog(per_page=100, **kwargs).items]


def test_price_sorts_use_the_regional_price_when_a_region_is_chosen(shelf) -> None:
    shelf.product("B", price=20000)
    shelf.product("A", price=10000)
    shelf.product("C", price=30000, regional_prices=[{"region_code": "35.76", "price": 5000}])
    assert names(sort="price_asc") == ["A", "B", "C"]
    assert names(sort="price_desc") == ["C", "B", "A"]
    assert names(sort="price_asc", delivery_region="35.76") == ["C", "A", "B"]
    assert names(sort="price_desc", delivery_region="35.76") == ["B", "A", "C"]


def test_tkdn_sort_is_by_tkdn_plus_bmp_then_tkdn(shelf) -> None:
    shelf.product("Empat Puluh", tkdn="40", bmp="0")
    shelf.product("Tiga Puluh Lima Plus", tkdn="35", bmp="10")
    shelf.product("Empat Puluh Lima", tkdn="45", bmp="0")
    shelf.product("Impor", is_domestic=False, tkdn="0", bmp="0")
    assert names(sort="tkdn_desc") == ["Empat Puluh Lima", "Tiga Puluh Lima Plus", "Empat Puluh", "Impor"]


def test_newest_first_and_relevance_without_text_is_newest(shelf) -> None:
    old = shelf.product("Lama")
    middle = shelf.product("Tengah")
    shelf.product("Baru")
    shelf.age(old, 10)
    shelf.age(middle, 5)
    assert names(sort="newest") == ["Baru", "Tengah", "Lama"]
    assert names() == ["Baru", "Tengah", "Lama"]


def test_relevance_puts_the_best_match_first_and_ties_newest_first(shelf) -> None:
    once = shelf.product("Kopi Tubruk Robusta", description="Kopi tubruk khas Mojokerto, digiling kasar " * 3)
    many = shelf.product("Kopi Kopi Kopi", description="Kopi bubuk. Kopi pilihan. Kopi asli.")
    tie_old = shelf.product("Kopi Tubruk Arabika")
    tie_new = shelf.product("Kopi Tubruk Liberika")
    shelf.age(once, 3)
    shelf.age(many, 3)
    shelf.age(tie_old, 2)
    shelf.age(tie_new, 1)
    ranked = names(text="kopi")
    assert ranked[0] == "Kopi Kopi Kopi"
    assert ranked.index("Kopi Tubruk Liberika") < ranked.index("Kopi Tubruk Arabika")
    assert set(ranked) == {"Kopi Kopi Kopi", "Kopi Tubruk Robusta", "Kopi Tubruk Arabika", "Kopi Tubruk Liberika"}


def test_pages_cover_every_result_once(shelf) -> None:
    made = [shelf.product(f"Kerupuk {index}") for index in range(5)]
    for age, product in enumerate(reversed(made)):
        shelf.age(product, age)
    first = search_catalog(text="kerupuk", sort="newest", page=1, per_page=2)
    second = search_catalog(text="kerupuk", sort="newest", page=2, per_page=2)
    last = search_catalog(text="kerupuk", sort="newest", page=3, per_page=2)
    beyond = search_catalog(text="kerupuk", sort="newest", page=9, per_page=2)
    assert (first.total, first.pages, first.has_next, last.has_next) == (5, 3, True, False)
    pages = [[hit.entry.name for hit in page.items] for page in (first, second, last)]
    assert pages == [["Kerupuk 4", "Kerupuk 3"], ["Kerupuk 2", "Kerupuk 1"], ["Kerupuk 0"]]
    assert beyond.items == [] and beyond.total == 5
    assert search_catalog(per_page=1000).per_page == 100


def test_drafts_submitted_and_withdrawn_products_never_appear(shelf) -> None:
    shelf.product("Gula Draf", approved=False)
    create_listing(actor=shelf.maker, data=listing_data(shelf.reference, sku="S-1", name="Gula Diajukan"), submit=True)
    withdrawn = shelf.product("Gula Ditarik")
    withdraw_product(actor=shelf.maker, product=withdrawn, reason="Stok habis")
    shelf.product("Gula Aktif")
    assert names(text="gula") == ["Gula Aktif"]
    assert names() == ["Gula Aktif"]


def test_a_pending_revision_is_not_searchable_until_approved(shelf) -> None:
    from marketplace.catalog.services import approve_revision

    product = shelf.product("Sambal Bajak")
    revision = update_listing(
        actor=shelf.maker,
        product=product,
        data=listing_data(shelf.reference, sku=product.sku, name="Sambal Terasi", category_id=shelf.leaf.id),
        submit=True,
    )
    assert names(text="terasi") == [] and names(text="bajak") == ["Sambal Bajak"]
    manager = user_with_role(Role.COOP_MANAGER, cooperative=shelf.cooperative)
    approve_revision(actor=manager, revision_id=revision.id)
    assert names(text="terasi") == ["Sambal Terasi"] and names(text="bajak") == []
