"""The checkout page and API: the form with its key, errors next to the fields in Indonesian, the redirect to the
order, a double submit, 409 and 422 answers."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.procurement.models import Order
from marketplace.procurement.services import cart as carts
from tests.api.conftest import ApiClient, error_of


@pytest.fixture
def shop(market, db):
    db.session.commit()
    carts.add_item(actor=market.pp, product_id=market.rice.id, quantity=3)
    carts.add_item(actor=market.pp, product_id=market.batik.id, quantity=1)
    return market


def form_data(market, page: str, **overrides) -> dict:
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page) or re.search(
        r'type="hidden" name="key" value="([^"]+)"', page
    )
    data = {
        "key": key.group(1) if key else "",
        "kode_rup": "51234567",
        "rup_name": "Bantuan sembako",
        "funding_source": "APBD",
        "budget_account": "5.1.02.01.01.0024",
        "delivery_address": "Jl. Pahlawan No. 1",
        "delivery_region_code": "35.76.02.1001",
        "requested_arrival": (date.today() + timedelta(days=7)).isoformat(),
        "ppk_id": str(market.ppk.id),
    }
    data.update(overrides)
    return data


def orders(db) -> int:
    return db.session.scalar(select(func.count(Order.id)))


def test_checkout_page_places_the_orders_once(shop, client, db):
    client.login(shop.pp)
    page = client.get("/keranjang/checkout").get_data(as_text=True)
    assert shop.work_unit.name in page and shop.ppk.full_name in page
    data = form_data(shop, page)
    assert data["key"]
    response = client.post_form("/keranjang/checkout", data)
    assert response.status_code == 302
    placed = db.session.scalars(select(Order).order_by(Order.id)).all()
    assert len(placed) == 2 and response.headers["Location"] == f"/pesanan/{placed[0].id}"
    again = client.post_form("/keranjang/checkout", data)  # a double click
    assert again.status_code == 302 and again.headers["Location"] == f"/pesanan/{placed[0].id}"
    assert orders(db) == 2


def test_errors_next_to_the_fields_in_indonesian(shop, client, db):
    client.login(shop.pp)
    page = client.get("/keranjang/checkout").get_data(as_text=True)
    data = form_data(shop, page, kode_rup="", requested_arrival="")
    response = client.post_form("/keranjang/checkout", data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="kode_rup-error"' in body and 'id="requested_arrival-error"' in body
    assert "Wajib diisi." in body  # the interface language (Bahasa Indonesia)
    assert orders(db) == 0


def test_service_errors_land_next_to_their_fields(shop, client, db):
    client.login(shop.pp)
    data = form_data(shop, client.get("/keranjang/checkout").get_data(as_text=True), ppk_id="")
    body = client.post_form("/keranjang/checkout", data).get_data(as_text=True)
    assert 'id="ppk_id-error"' in body and 'id="requested_arrival-error"' not in body
    data = form_data(shop, body, requested_arrival=date.today().isoformat())
    body = client.post_form("/keranjang/checkout", data).get_data(as_text=True)
    assert 'id="requested_arrival-error"' in body


def test_out_of_stock_on_the_page(shop, client, db):
    client.login(shop.pp)
    carts.add_item(actor=shop.pp, product_id=shop.batik.id, quantity=10)
    data = form_data(shop, client.get("/keranjang/checkout").get_data(as_text=True))
    response = client.post_form("/keranjang/checkout", data)
    assert response.status_code == 409
    assert "Batik Tulis Surya Majapahit" in response.get_data(as_text=True)
    assert orders(db) == 0


def test_ppk_sees_no_ppk_choice(shop, client):
    client.login(shop.ppk)
    page = client.get("/keranjang/checkout").get_data(as_text=True)
    assert 'name="ppk_id"' not in page


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient(client)


def api_body(market, **overrides) -> dict:
    body = {
        "kode_rup": "51234567",
        "rup_name": "Bantuan sembako",
        "funding_source": "APBD",
        "budget_account": "5.1.02.01.01.0024",
        "delivery_address": "Jl. Pahlawan No. 1",
        "delivery_region_code": "35.76.02.1001",
        "requested_arrival": (date.today() + timedelta(days=7)).isoformat(),
        "ppk_id": market.ppk.id,
    }
    body.update(overrides)
    return body


def test_api_checkout_and_repeat(shop, api, db):
    first = api.post("/checkout", api_body(shop), user=shop.pp, headers={"Idempotency-Key": "api-key-00001"})
    assert first.status_code == 201, first.json
    placed = first.json["orders"]
    assert [order["cooperative"] for order in placed] == ["KKMP Gununggedangan", "KKMP Kranggan"]
    assert placed[0]["total"] == 236100 and placed[0]["status"] == "WAITING_PPK_REVIEW"
    again = api.post("/checkout", api_body(shop, idempotency_key="api-key-00001"), user=shop.pp)
    assert again.status_code == 200 and again.json == first.json
    assert orders(db) == 2


def test_api_checkout_errors(shop, api, db, app, monkeypatch):
    missing = api.post("/checkout", api_body(shop), user=shop.pp)
    assert missing.status_code == 422 and "idempotency_key" in error_of(missing)["fields"]
    bad = api.post(
        "/checkout", api_body(shop, idempotency_key="k" * 10, delivery_region_code="99", ppk_id=None), user=shop.pp
    )
    assert bad.status_code == 422
    assert {"delivery_region_code", "ppk_id"} <= set(error_of(bad)["fields"])
    monkeypatch.setitem(app.config, "PP_ORDER_LIMIT", 100000)
    over = api.post("/checkout", api_body(shop, idempotency_key="k" * 11), user=shop.pp)
    assert over.status_code == 409 and "Rp100.000" in error_of(over)["message"]
    monkeypatch.setitem(app.config, "PP_ORDER_LIMIT", 10**9)
    carts.add_item(actor=shop.pp, product_id=shop.batik.id, quantity=10)
    short = api.post("/checkout", api_body(shop, idempotency_key="k" * 12), user=shop.pp)
    assert short.status_code == 409 and error_of(short)["code"] == "out_of_stock"
    assert orders(db) == 0
