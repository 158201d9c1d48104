"""The cart: adding (minimum order, upper bound, adding up), pricing per region, items that can no longer be
ordered, removing; its page and its API."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from marketplace.catalog.states import ProductStatus
from marketplace.core.errors import Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.procurement.models import CartItem
from marketplace.procurement.services import cart as carts
from tests.api.conftest import ApiClient, error_of


@pytest.fixture
def shop(market, db):
    """The market, committed (a failing service rolls back its own work only)."""
    db.session.commit()
    return market


def test_add_then_add_again_adds_up(shop, db):
    item, created = carts.add_item(actor=shop.pp, product_id=shop.rice.id, quantity=2)
    assert created
    again, created = carts.add_item(actor=shop.pp, product_id=shop.rice.id, quantity=3)
    assert not created and again.id == item.id and again.quantity == 5


def test_quantity_below_the_minimum_order_is_refused(shop, db):
    with pytest.raises(ValidationFailed) as caught:
        carts.add_item(actor=shop.pp, product_id=shop.oil.id, quantity=4)
    assert "5" in caught.value.fields["quantity"]
    assert db.session.scalars(select(CartItem)).all() == []


@pytest.mark.parametrize("quantity", [0, -1, 1_000_001, True, "3"])
def test_quantity_out_of_range_is_refused(shop, quantity):
    with pytest.raises(ValidationFailed) as caught:
        carts.add_item(actor=shop.pp, product_id=shop.rice.id, quantity=quantity)
    assert "quantity" in caught.value.fields


@pytest.mark.parametrize(("language", "shown"), [("id", "1.000.000"), ("en", "1,000,000")])
def test_the_quantity_limit_is_written_as_the_language_writes_numbers(shop, app, language, shown):
    with app.test_request_context(), force_locale(language), pytest.raises(ValidationFailed) as caught:
        carts.add_item(actor=shop.pp, product_id=shop.rice.id, quantity=0)
    assert caught.value.fields["quantity"].endswith(f" 1 {'sampai' if language == 'id' else 'to'} {shown}.")


def test_adding_beyond_a_million_in_total_is_refused_saying_how_many_more_fit(shop):
    carts.add_item(actor=shop.pp, product_id=shop.rice.id, quantity=999_999)
    with pytest.raises(ValidationFailed) as refused:
        carts.add_item(actor=shop.pp, product_id=shop.rice.id, quantity=2)
    assert refused.value.fields["quantity"].endswith(" 1.")


def test_a_line_beyond_the_stock_is_a_problem_that_blocks_checkout(shop, client, db):
    carts.add_item(actor=shop.pp, product_id=shop.rice.id, quantity=shop.rice.stock + 1)
    client.login(shop.pp)
    page = client.get("/keranjang?wilayah=35.76").get_data(as_text=True)
    assert "data-problem" in page and f"{shop.rice.stock}" in page and 'href="/keranjang/checkout' not in page


def test_only_pp_and_ppk_have_a_cart(shop):
    for user in (shop.bendahara, shop.seller_a, shop.manager, shop.operator):
        with pytest.raises(Forbidden):
            carts.add_item(actor=user, product_id=shop.rice.id, quantity=1)


def test_a_withdrawn_product_cannot_be_added(shop, db):
    shop.rice.status = ProductStatus.WITHDRAWN
    db.session.commit()
    with pytest.raises(NotFound):
        carts.add_item(actor=shop.ppk, product_id=shop.rice.id, quantity=1)


def test_cart_is_grouped_by_cooperative_and_priced_for_the_region(shop):
    carts.add_item(actor=shop.pp, product_id=shop.rice.id, quantity=3)
    carts.add_item(actor=shop.pp, product_id=shop.oil.id, quantity=5)
    carts.add_item(actor=shop.pp, product_id=shop.batik.id, quantity=1)
    cart = carts.view_cart(shop.pp, "35.76.02.1001")
    assert [group.cooperative.name for group in cart.groups] == ["KKMP Gununggedangan", "KKMP Kranggan"]
    gununggedangan = cart.groups[0]
    rice = gununggedangan.lines[0]
    assert (rice.unit_price, rice.subtotal, rice.ppn, rice.shipping, rice.total) == (70000, 210000, 23100, 3000, 236100)
    # oil: 5 × 18.000 = 90.000 + PPN 9.900
    assert gununggedangan.total == 236100 + 99900
    assert cart.total == 236100 + 99900 + 350000
    national = carts.view_cart(shop.pp, "35.15")
    assert national.groups[0].lines[0].total == 247425
    assert not cart.problems


def test_products_no_longer_sold_or_not_delivered_are_flagged(shop, db):
    carts.add_item(actor=shop.pp, product_id=shop.rice.id, quantity=1)
    carts.add_item(actor=shop.pp, product_id=shop.batik.id, quantity=1)
    shop.batik.status = ProductStatus.WITHDRAWN
    shop.rice.live_revision.national_price = False
    db.session.commit()
    here = carts.view_cart(shop.pp, "35.76")
    assert [line.product.id for line in here.problems] == [shop.batik.id]
    elsewhere = carts.view_cart(shop.pp, "35.15")
    assert {line.product.id for line in elsewhere.problems} == {shop.rice.id, shop.batik.id}
    assert "wilayah" in next(line for line in elsewhere.problems if line.product.id == shop.rice.id).problem


def test_remove_and_change_quantity_only_in_ones_own_cart(shop, db):
    item, _ = carts.add_item(actor=shop.pp, product_id=shop.oil.id, quantity=5)
    with pytest.raises(NotFound):
        carts.remove_item(actor=shop.ppk, item_id=item.id)
    with pytest.raises(NotFound):
        carts.set_quantity(actor=shop.ppk, item_id=item.id, quantity=6)
    with pytest.raises(ValidationFailed):
        carts.set_quantity(actor=shop.pp, item_id=item.id, quantity=4)
    assert carts.set_quantity(actor=shop.pp, item_id=item.id, quantity=8).quantity == 8
    carts.remove_item(actor=shop.pp, item_id=item.id)
    assert db.session.get(CartItem, item.id) is None


# Pages -----------------------------------------------------------------------------------------------------------


def test_add_from_the_product_page_and_see_the_cart(shop, client):
    client.login(shop.pp)
    page = client.get(f"/katalog/produk/{shop.rice.id}").get_data(as_text=True)
    assert 'action="/keranjang/tambah"' in page
    response = client.post_form("/keranjang/tambah", {"product_id": shop.rice.id, "quantity": 3})
    assert response.status_code == 302 and response.headers["Location"].startswith("/keranjang")
    page = client.get("/keranjang").get_data(as_text=True)
    assert "Beras Premium Majapahit 5 kg" in page
    assert "Rp236.100" in page  # priced for the work unit's region (Kota Mojokerto)
    assert "/keranjang/checkout" in page
    assert "Rp247.425" in client.get("/keranjang?wilayah=35.15").get_data(as_text=True)


def test_the_add_form_is_only_for_buyer_officers(shop, client):
    client.login(shop.bendahara)
    assert 'action="/keranjang/tambah"' not in client.get(f"/katalog/produk/{shop.rice.id}").get_data(as_text=True)
    assert client.get("/keranjang").status_code == 403


def test_below_minimum_from_the_page_explains_in_indonesian_beside_the_quantity(shop, client, db):
    client.login(shop.pp)
    response = client.post_form("/keranjang/tambah", {"product_id": shop.oil.id, "quantity": 2, "wilayah": "35.76"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="cart-quantity-error">([^<]*)</p>', page)
    assert error and "minimum" in error.group(1).lower()
    assert 'aria-invalid="true"' in page and 'value="2"' in page
    assert 'name="wilayah" value="35.76"' in page  # still priced for the region chosen
    assert db.session.scalars(select(CartItem)).all() == []


def test_a_withdrawn_product_blocks_checkout_until_removed(shop, client, db):
    carts.add_item(actor=shop.pp, product_id=shop.batik.id, quantity=1)
    item, _ = carts.add_item(actor=shop.pp, product_id=shop.rice.id, quantity=1)
    shop.rice.status = ProductStatus.WITHDRAWN
    db.session.commit()
    client.login(shop.pp)
    page = client.get("/keranjang").get_data(as_text=True)
    assert "data-problem" in page and "data-blocked" in page and 'href="/keranjang/checkout' not in page
    client.post_form(f"/keranjang/{item.id}/hapus")
    page = client.get("/keranjang").get_data(as_text=True)
    assert "data-blocked" not in page and 'href="/keranjang/checkout' in page
    again = client.post_form(f"/keranjang/{item.id}/hapus")  # a double click
    assert again.status_code in (302, 303)
    assert "Produk ini sudah tidak ada di keranjang Anda." in client.get(again.headers["Location"]).text


def test_change_quantity_on_the_page(shop, client, db):
    item, _ = carts.add_item(actor=shop.pp, product_id=shop.rice.id, quantity=1)
    client.login(shop.pp)
    client.post_form(f"/keranjang/{item.id}/jumlah?wilayah=35.15", {"quantity": 4})
    db.session.expire_all()
    assert db.session.get(CartItem, item.id).quantity == 4


@pytest.mark.parametrize("typed", ["0", "abc", "2000000"])
def test_a_refused_quantity_is_said_beside_its_item_and_changes_nothing(shop, client, db, typed):
    item, _ = carts.add_item(actor=shop.pp, product_id=shop.rice.id, quantity=3)
    client.login(shop.pp)
    response = client.post_form(f"/keranjang/{item.id}/jumlah", {"quantity": typed})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="quantity-{item.id}-error"' in page and f'value="{typed}"' in page
    db.session.expire_all()
    assert db.session.get(CartItem, item.id).quantity == 3


# API -------------------------------------------------------------------------------------------------------------


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient(client)


def test_api_add_get_delete(shop, api):
    created = api.post("/cart/items", {"product_id": shop.rice.id, "quantity": 2}, user=shop.pp)
    assert created.status_code == 201
    added = api.post("/cart/items", {"product_id": shop.rice.id, "quantity": 1}, user=shop.pp)
    assert added.status_code == 200 and added.json["quantity"] == 3
    cart = api.get("/cart?region=35.15", user=shop.pp).json
    assert cart["groups"][0]["items"][0]["total"] == 247425 and cart["can_check_out"] is True
    assert api.get("/cart", user=shop.pp).json["region"] == "35.76"
    assert api.get("/cart?region=99.99", user=shop.pp).status_code == 422
    below = api.post("/cart/items", {"product_id": shop.oil.id, "quantity": 1}, user=shop.pp)
    assert below.status_code == 422 and "quantity" in error_of(below)["fields"]
    assert api.delete(f"/cart/items/{created.json['id']}", user=shop.pp).status_code == 204
    assert api.get("/cart", user=shop.pp).json["groups"] == []


def test_api_cannot_delete_another_users_item(shop, api):
    item, _ = carts.add_item(actor=shop.ppk, product_id=shop.rice.id, quantity=1)
    assert api.delete(f"/cart/items/{item.id}", user=shop.pp).status_code == 404


def test_api_cart_is_for_buyer_officers_only(shop, api):
    assert api.get("/cart", user=shop.bendahara).status_code == 403
    assert api.post("/cart/items", {"product_id": shop.rice.id, "quantity": 1}, user=shop.seller_a).status_code == 403


def test_search_cards_offer_the_cart_to_buyer_officers_only(client, login_as, market) -> None:
    from marketplace.catalog.search.index import refresh_entry

    for product in (market.rice, market.oil):
        refresh_entry(product)
    login_as(market.ppk)
    page = client.get("/katalog?q=minyak").get_data(as_text=True)
    assert 'action="/keranjang/tambah"' in page and f'name="product_id" value="{market.oil.id}"' in page

    response = client.post_form("/keranjang/tambah", {"product_id": market.oil.id, "wilayah": "35.76"})
    assert response.status_code == 302
    item = db.session.scalars(select(CartItem).where(CartItem.user_id == market.ppk.id)).one()
    assert (item.product_id, item.quantity) == (market.oil.id, 5)  # no quantity: the product's minimum order

    login_as(market.bendahara)
    assert "/keranjang/tambah" not in client.get("/katalog?q=minyak").get_data(as_text=True)
