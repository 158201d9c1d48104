"""GET /products: the public catalog search, with the search page's filters, sorts and pagination."""

from __future__ import annotations

import pytest

from marketplace.accounts.models import Role
from marketplace.catalog.services import update_listing, withdraw_product
from tests.api.conftest import error_of
from tests.factories import CooperativeFactory, listing, listing_data, seller, user_with_role


@pytest.fixture
def catalog(maker, reference):
    """Four products on sale in two cooperatives, one draft, one withdrawn, one with a pending price change."""
    oil = listing(
        maker,
        reference,
        sku="MG-2L",
        name="Minyak Goreng Sawit 2L",
        price=38000,
        tkdn="20",
        bmp="0",
        national_price=False,
        regional_prices=[{"region_code": "35.76", "price": 36000, "shipping_cost": 2000}],
    )
    rice = listing(maker, reference, sku="BRS-5", name="Beras Premium 5 kg", price=72500)
    imported = listing(maker, reference, sku="IMP-1", name="Beras Basmati Impor", price=95000, is_domestic=False,
                       tkdn="0", bmp="0")  # fmt: skip
    neighbour = seller(CooperativeFactory())
    neighbour.seller_profile.skala_usaha = "kecil"
    other = listing(neighbour, reference, sku="BRS-K", name="Beras Medium Kecil", price=60000)
    listing(maker, reference, approved=False, sku="DRAFT-1", name="Beras Rahasia Draf")
    gone = listing(maker, reference, sku="OUT-1", name="Beras Ditarik")
    withdraw_product(actor=maker, product=gone)
    update_listing(actor=maker, product=rice, data=listing_data(reference, sku="BRS-5", name="Beras Premium 5 kg",
                                                                 price=1000), submit=True)  # fmt: skip
    return {"oil": oil, "rice": rice, "imported": imported, "other": other}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def test_anonymous_search_lists_only_products_on_sale(api, catalog) -> None:
    response = api.get("/products?sort=price_asc")
    assert set(response.json) == {"items", "total", "page", "per_page", "total_capped"}
    assert response.json["total_capped"] is False
    assert response.json["total"] == 4
    assert ids(response) == [catalog[key].id for key in ("oil", "other", "rice", "imported")]
    rice = next(item for item in response.json["items"] if item["id"] == catalog["rice"].id)
    assert rice["price"] == 72500  # the live price, not the one waiting for review
    assert rice["name"] == "Beras Premium 5 kg" and rice["unit"] == "Karung"
    assert rice["url"].endswith(f"/katalog/produk/{catalog['rice'].id}")
    assert rice["seller"]["skala_usaha"] == "mikro" and rice["cooperative"]["id"] == catalog["rice"].cooperative_id
    assert "Rahasia" not in response.get_data(as_text=True) and "Ditarik" not in response.get_data(as_text=True)


def test_text_matches_indonesian_word_forms(api, catalog) -> None:
    assert ids(api.get("/products?text=minyak goreng")) == [catalog["oil"].id]
    assert ids(api.get("/products?text=mediumnya")) == [catalog["other"].id]
    assert len(ids(api.get("/products?text=berasnya"))) == 4  # every product is in the category Beras
    assert ids(api.get("/products?text=basmatti")) == [catalog["imported"].id]  # one-letter typo


def test_filters(api, catalog, maker) -> None:
    own = maker.membership.cooperative_id
    assert set(ids(api.get(f"/products?cooperative_id={own}"))) == {catalog[k].id for k in ("oil", "rice", "imported")}
    assert catalog["imported"].id not in ids(api.get("/products?domestic_only=true"))
    assert set(ids(api.get("/products?tkdn_bmp_min=40"))) == {catalog["rice"].id, catalog["other"].id}
    assert ids(api.get("/products?skala=kecil")) == [catalog["other"].id]
    assert len(ids(api.get("/products?skala=kecil&skala=mikro"))) == 4
    assert ids(api.get("/products?price_min=60000&price_max=72500&sort=price_desc")) == [
        catalog["rice"].id,
        catalog["other"].id,
    ]


def test_delivery_region_prices_the_products_for_it(api, catalog) -> None:
    outside = api.get("/products?delivery_region=35.16")  # Kab. Mojokerto: no regional price for the oil
    assert catalog["oil"].id not in ids(outside)
    inside = api.get("/products?delivery_region=35.76&sort=price_asc").json
    oil = inside["items"][0]
    assert oil["id"] == catalog["oil"].id
    assert (oil["price"], oil["shipping_cost"], oil["price_region"]) == (36000, 2000, "35.76")


def test_pagination(api, catalog) -> None:
    page = api.get("/products?sort=price_asc&per_page=2&page=2").json
    assert (page["total"], page["page"], page["per_page"]) == (4, 2, 2)
    assert [item["id"] for item in page["items"]] == [catalog["rice"].id, catalog["imported"].id]
    assert api.get("/products?per_page=2&page=9").json["items"] == []
    too_many = api.get("/products?per_page=101")
    assert too_many.status_code == 422 and set(error_of(too_many)["fields"]) == {"per_page"}


def test_bad_filters_are_422_by_parameter(api, catalog) -> None:
    response = api.get("/products?delivery_region=99.99&sort=cheapest&price_min=9&price_max=1&skala=raksasa")
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"skala.0"}
    response = api.get("/products?delivery_region=99.99&sort=cheapest&price_min=9&price_max=1")
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"delivery_region", "sort", "price_max"}


def test_signed_in_users_see_the_same_catalog(api, catalog, maker) -> None:
    assert len(ids(api.get("/products", user=user_with_role(Role.PP)))) == 4
    assert len(ids(api.get("/products", user=maker))) == 4  # their draft stays on their own pages
    assert api.get("/products", headers={"Authorization": "Bearer expired"}).status_code == 401
