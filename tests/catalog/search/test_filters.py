"""Every filter of `search_catalog`, with the same expected results on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from marketplace.catalog.search.query import search_catalog
from marketplace.core.errors import ValidationFailed
from tests.factories import CooperativeFactory


def found(**kwargs) -> list[str]:
    return sorted(hit.entry.name for hit in search_catalog(per_page=100, **kwargs).items)


def test_category_matches_every_level_of_the_tree(shelf) -> None:
    tulis = shelf.category("Tekstil", "Batik", "Batik Tulis")
    cap = shelf.category("Tekstil Lain", "Batik Lain", "Batik Cap")
    cap.parent = tulis.parent  # Tekstil › Batik › {Batik Tulis, Batik Cap}
    shelf.product("Kain Surya", category_id=tulis.id)
    shelf.product("Kain Kawung", category_id=cap.id)
    shelf.product("Gula Pasir")
    batik, tekstil = tulis.parent, tulis.parent.parent
    assert found(category_id=tulis.id) == ["Kain Surya"]
    assert found(category_id=batik.id) == ["Kain Kawung", "Kain Surya"]
    assert found(category_id=tekstil.id) == ["Kain Kawung", "Kain Surya"]
    assert found(category_id=987654) == []


def test_cooperative(shelf) -> None:
    other = shelf.seller(cooperative=CooperativeFactory())
    shelf.product("Gula Pasir")
    shelf.product("Gula Merah", maker=other)
    assert found(cooperative_id=shelf.cooperative.id) == ["Gula Pasir"]
    assert found(cooperative_id=other.membership.cooperative_id) == ["Gula Merah"]


def test_seller_regency_and_province(shelf) -> None:
    kota = shelf.seller(region_code="35.76.02.1001")
    kabupaten = shelf.seller(region_code="35.16.01.2001")
    jakarta = shelf.seller(region_code="31.71.01.1001")
    shelf.product("Onde-onde Kota", maker=kota)
    shelf.product("Onde-onde Kabupaten", maker=kabupaten)
    shelf.product("Kerak Telor", maker=jakarta)
    assert found(seller_regency="35.76") == ["Onde-onde Kota"]
    assert found(seller_regency="35.16") == ["Onde-onde Kabupaten"]
    assert found(seller_regency="35") == ["Onde-onde Kabupaten", "Onde-onde Kota"]
    assert found(seller_regency="35.16.01") == ["Onde-onde Kabupaten"]  # a kecamatan means its kab/kota


def test_delivery_region_keeps_national_and_regional_prices_of_the_region(shelf) -> None:
    shelf.product("Nasional", price=10000)
    shelf.product(
        "Kota Saja",
        price=10000,
        national_price=False,
        regional_prices=[{"region_code": "35.76", "price": 9000, "shipping_cost": 500}],
    )
    shelf.product(
        "Provinsi Saja", price=10000, national_price=False, regional_prices=[{"region_code": "35", "price": 11000}]
    )
    shelf.product("Jakarta Saja", price=10000, national_price=False,
                  regional_prices=[{"region_code": "31.71", "price": 12000}])  # fmt: skip
    assert found(delivery_region="35.76") == ["Kota Saja", "Nasional", "Provinsi Saja"]
    assert found(delivery_region="35.16") == ["Nasional", "Provinsi Saja"]
    assert found(delivery_region="35") == ["Nasional", "Provinsi Saja"]
    assert found(delivery_region="31.71") == ["Jakarta Saja", "Nasional"]
    assert found(delivery_region="35.76.02.1001") == ["Kota Saja", "Nasional", "Provinsi Saja"]
    assert found() == ["Jakarta Saja", "Kota Saja", "Nasional", "Provinsi Saja"]


def test_results_are_priced_for_the_delivery_region_most_local_first(shelf) -> None:
    shelf.product("Beras", price=10000, shipping_cost=700, regional_prices=[
        {"region_code": "35", "price": 9500, "shipping_cost": 300},
        {"region_code": "35.76", "price": 9000, "shipping_cost": 0},
    ])  # fmt: skip

    def priced(region):
        (hit,) = search_catalog(delivery_region=region).items
        return hit.price, hit.shipping_cost, hit.price_region

    assert priced("35.76") == (9000, 0, "35.76")
    assert priced("35.16") == (9500, 300, "35")
    assert priced("31.71") == (10000, 700, None)
    assert priced(None) == (10000, 700, None)


def test_price_range_is_on_the_price_excluding_ppn_for_the_region(shelf) -> None:
    pkp = CooperativeFactory(is_pkp=True)
    shelf.product("Murah", price=5000)
    shelf.product("Sedang", price=10000, ppn_percent=11, maker=shelf.seller(cooperative=pkp))
    shelf.product("Mahal", price=20000, regional_prices=[{"region_code": "35.76", "price": 9000}])
    assert found(price_min=5000, price_max=10000) == ["Murah", "Sedang"]  # Sedang is Rp11.100 with PPN
    assert found(price_min=5001) == ["Mahal", "Sedang"]
    assert found(price_max=4999) == []
    assert found(price_max=10000, delivery_region="35.76") == ["Mahal", "Murah", "Sedang"]
    assert found(price_min=9500, delivery_region="35.76") == ["Sedang"]


def test_domestic_only_and_tkdn_bmp_threshold(shelf) -> None:
    shelf.product("Impor", is_domestic=False, tkdn="0", bmp="0")
    shelf.product("Lokal Rendah", tkdn="30", bmp="9.99")
    shelf.product("Lokal Pas", tkdn="30", bmp="10")
    shelf.product("Lokal Tinggi", tkdn="85", bmp="15")
    assert found(domestic_only=True) == ["Lokal Pas", "Lokal Rendah", "Lokal Tinggi"]
    assert found(tkdn_bmp_min=40) == ["Lokal Pas", "Lokal Tinggi"]
    assert found(tkdn_bmp_min="39.99") == ["Lokal Pas", "Lokal Rendah", "Lokal Tinggi"]
    hits = {hit.entry.name: hit.meets_pdn_threshold for hit in search_catalog().items}
    assert hits == {"Impor": False, "Lokal Rendah": False, "Lokal Pas": True, "Lokal Tinggi": True}


def test_skala_usaha(shelf) -> None:
    shelf.product("Mikro", maker=shelf.seller(skala="mikro"))
    shelf.product("Kecil", maker=shelf.seller(skala="kecil"))
    shelf.product("Menengah", maker=shelf.seller(skala="menengah"))
    assert found(skala="kecil") == ["Kecil"]
    assert found(skala=["mikro", "menengah"]) == ["Menengah", "Mikro"]


def test_filters_combine_with_text(shelf) -> None:
    kecil = shelf.seller(skala="kecil", region_code="35.16.01.2001")
    shelf.product("Beras Pandan", maker=kecil, price=70000)
    shelf.product("Beras Pandan Mahal", maker=kecil, price=90000)
    shelf.product("Beras Merah", price=60000)
    assert found(text="beras", skala="kecil", seller_regency="35.16", price_max=80000) == ["Beras Pandan"]


def test_a_result_card_has_what_it_shows(shelf) -> None:
    pkp = CooperativeFactory(name="KKMP Kranggan", is_pkp=True)
    maker = shelf.seller(cooperative=pkp, business_name="UD Beras Sumber Rejeki")
    shelf.product("Beras Premium", maker=maker, price=72500, ppn_percent=11)
    (hit,) = search_catalog(text="beras").items
    assert (hit.cooperative_name, hit.seller_name, hit.unit_name) == (
        "KKMP Kranggan",
        "UD Beras Sumber Rejeki",
        "Karung",
    )
    assert (hit.price, hit.ppn_percent, hit.price_with_ppn) == (72500, 11, 80475)
    assert hit.main_image_id is None and hit.entry.skala_usaha == "mikro"
    assert hit.entry.published_at.tzinfo is not None and hit.entry.is_domestic is True


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"skala": "besar"}, "skala"),
        ({"delivery_region": "99.99"}, "delivery_region"),
        ({"seller_regency": "x"}, "seller_regency"),
        ({"price_min": -1}, "price_min"),
        ({"price_min": "abc"}, "price_min"),
        ({"price_min": 10, "price_max": 5}, "price_max"),
        ({"tkdn_bmp_min": 200}, "tkdn_bmp_min"),
        ({"tkdn_bmp_min": "lots"}, "tkdn_bmp_min"),
    ],
)
def test_bad_arguments_are_reported_by_name(db, kwargs, field) -> None:
    with pytest.raises(ValidationFailed) as error:
        search_catalog(**kwargs)
    assert set(error.value.fields) == {field}
