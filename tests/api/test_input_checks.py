"""What a fuzzer sends to the API: ids beyond the database's integers, JSON nested too deeply, booleans for numbers
and numbers for booleans, control characters in text. Each is a 4xx with the field's path, and nothing is stored."""

from __future__ import annotations

import io
import re

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from marketplace.accounts.models import Role
from marketplace.api.framework import REGISTRY
from marketplace.catalog.models import Product
from marketplace.core.fields import MAX_DB_INTEGER
from marketplace.extensions import db
from marketplace.procurement.models import CartItem
from tests.api.conftest import error_of
from tests.factories import catalog_reference, listing, listing_data, order_form, seller, user_with_role

TOO_BIG = MAX_DB_INTEGER + 1
TOO_BIG_TEXT = "99999999999999999999"
TOO_SMALL_FOR_THE_DATABASE = "Enter a number of at most 9223372036854775807."
NOT_ALLOWED = "This text contains characters that are not allowed."


@pytest.fixture
def buyer():
    return user_with_role(Role.PP, locale="en")


@pytest.fixture
def maker():
    return seller(locale="en")


@pytest.fixture
def reference(db) -> dict:
    return catalog_reference()


@pytest.fixture
def live_product(maker, reference) -> Product:
    return listing(maker, reference)


def cart_of(user) -> list[CartItem]:
    return list(db.session.scalars(db.select(CartItem).filter_by(user_id=user.id)))


# --- ids and integers beyond what the database holds ------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec", [spec for spec in REGISTRY if "<int:" in spec.rule], ids=lambda spec: f"{spec.methods[0]} {spec.rule}"
)
def test_path_ids_beyond_the_database_are_404_on_every_route(api, spec) -> None:
    path = re.sub(r"<int:\w+>", TOO_BIG_TEXT, spec.rule)
    path = re.sub(r"<\w+>", "x", path)
    for method in spec.methods:
        response = api.call(method, path, user=user_with_role(Role.OPERATOR), json={})
        assert response.status_code == 404, (method, path)
        assert error_of(response)["code"] == "not_found"


def test_the_largest_database_id_is_still_routed(api, buyer) -> None:
    response = api.get(f"/orders/{MAX_DB_INTEGER}", user=buyer)
    assert response.status_code == 404  # routed, then not found by the service
    assert api.get(f"/orders/{TOO_BIG}", user=buyer).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/checkout", order_form(ppk_id=TOO_BIG, idempotency_key="key-12345"), "ppk_id"),
        ("POST", "/cart/items", {"product_id": TOO_BIG, "quantity": 1}, "product_id"),
        ("POST", "/orders/1/deliver", {"shipment_id": TOO_BIG}, "shipment_id"),
    ],
)
def test_body_integers_beyond_the_database_are_422_at_their_path(api, buyer, method, path, body, field) -> None:
    body = {key: str(value) if key == "requested_arrival" else value for key, value in body.items()}
    response = api.call(method, path, user=buyer, json=body)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {field: TOO_SMALL_FOR_THE_DATABASE}
    assert cart_of(buyer) == []


def test_product_ids_beyond_the_database_are_422_and_nothing_is_created(api, reference) -> None:
    manager = user_with_role(Role.COOP_MANAGER, locale="en")
    body = listing_data(reference, category_id=TOO_BIG, seller_id=2**64, price=2**70)
    response = api.post("/products", body, user=manager)
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert {key: fields[key] for key in ("category_id", "seller_id", "price")} == dict.fromkeys(
        ("category_id", "seller_id", "price"), TOO_SMALL_FOR_THE_DATABASE
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(Product)) == 0


def test_negative_integers_beyond_the_database_are_422(api, buyer) -> None:
    response = api.post("/cart/items", {"product_id": -(2**63) - 1, "quantity": 1}, user=buyer)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"product_id"}


def test_a_feed_for_a_cooperative_beyond_the_database_is_422(api) -> None:
    operator = user_with_role(Role.OPERATOR, locale="en")
    response = api.post("/feeds", {"cooperative_id": TOO_BIG, "shape": "datafeed", "mode": "full"}, user=operator)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"cooperative_id": TOO_SMALL_FOR_THE_DATABASE}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/products?cooperative_id={TOO_BIG_TEXT}", "cooperative_id"),
        (f"/products?category_id={TOO_BIG_TEXT}", "category_id"),
        (f"/products?price_max={TOO_BIG_TEXT}", "price_max"),
        (f"/reviews?seller_id={TOO_BIG_TEXT}", "seller_id"),
        (f"/reviews?category_id={TOO_BIG_TEXT}", "category_id"),
    ],
)
def test_query_integers_beyond_the_database_are_422(api, path, field) -> None:
    response = api.get(path, user=user_with_role(Role.COOP_MANAGER, locale="en"))
    assert response.status_code == 422
    assert error_of(response)["fields"] == {field: TOO_SMALL_FOR_THE_DATABASE}


@pytest.mark.parametrize("value", [TOO_BIG_TEXT, "9" * 5000, "١٢", "12a"])
def test_the_import_forms_seller_id_must_be_a_database_id(api, value) -> None:
    manager = user_with_role(Role.COOP_MANAGER, locale="en")
    response = api.post(
        "/products/import",
        user=manager,
        data={"seller_id": value, "file": (io.BytesIO(b"sku\n"), "produk.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"seller_id"}


# --- JSON nested too deeply, and what is not JSON ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["[" * 100_000 + "]" * 100_000, '{"full_name": ' + "[" * 50_000 + "]" * 50_000 + "}", '{"x": NaN}', "[Infinity]"],
    ids=["deep array", "deep field", "NaN", "Infinity"],
)
def test_json_nested_too_deeply_or_with_constants_is_400_invalid_json(api, buyer, raw) -> None:
    for method, path in (("PATCH", "/me"), ("POST", "/cart/items"), ("POST", "/checkout")):
        response = api.call(method, path, user=buyer, data=raw, content_type="application/json")
        assert response.status_code == 400, (method, path)
        assert error_of(response)["code"] == "invalid_json"


# --- booleans are not numbers, numbers are not booleans ---------------------------------------------------------------


def test_booleans_are_not_cart_quantities_or_product_ids(api, buyer, live_product) -> None:
    response = api.post("/cart/items", {"product_id": True, "quantity": True}, user=buyer)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"product_id": "Enter a whole number.", "quantity": "Enter a whole number."}
    assert cart_of(buyer) == []
    # a whole number written as a JSON float is still a number
    added = api.post("/cart/items", {"product_id": live_product.id, "quantity": 2.0}, user=buyer)
    assert added.status_code == 201


def test_a_boolean_is_not_a_shipment_id(api, buyer) -> None:
    response = api.post("/orders/1/deliver", {"shipment_id": True}, user=buyer)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"shipment_id": "Enter a whole number."}


def test_a_boolean_is_not_a_price(api, maker, live_product) -> None:
    response = api.patch(f"/products/{live_product.id}", {"price": True, "stock": False}, user=maker)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"price": "Enter a whole number.", "stock": "Enter a whole number."}
    db.session.expire_all()
    assert live_product.live_revision.price == 72500


@pytest.mark.parametrize("value", [0, 1, "true", "ya", 1.0])
def test_only_true_and_false_are_booleans_in_a_body(api, value) -> None:
    manager = user_with_role(Role.COOP_MANAGER, locale="en")
    cooperative = manager.managed_cooperative
    before = cooperative.is_pkp
    response = api.patch(f"/cooperatives/{cooperative.id}", {"is_pkp": value}, user=manager)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"is_pkp": "Enter true or false."}
    assert cooperative.is_pkp is before


def test_query_strings_still_give_booleans_and_integers(api, buyer, live_product) -> None:
    found = api.get(f"/products?domestic_only=true&cooperative_id={live_product.cooperative_id}&price_max=100000")
    assert found.status_code == 200
    assert [item["id"] for item in found.get_json()["items"]] == [live_product.id]
    assert api.get("/orders?awaiting=1&page=1", user=buyer).status_code == 200


# --- control characters in text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800"], ids=repr)
def test_control_characters_are_refused_in_my_name(api, maker, character) -> None:
    response = api.patch("/me", {"full_name": f"Sri{character}Wahyuni"}, user=maker)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"full_name": NOT_ALLOWED}
    db.session.expire_all()
    assert "\x00" not in maker.full_name and maker.full_name != f"Sri{character}Wahyuni"


def test_control_characters_are_refused_in_business_and_bank_fields(api, maker) -> None:
    body = {
        "business_name": "UD\x00Sri",
        "address": "Jl. Empunala\x00",
        "kbli_codes": ["10793", "4711\x00"],
        "bank": {"name": "BRI\x01", "account_number": "0123", "account_name": "Sri\x00"},
    }
    response = api.patch("/me/business", body, user=maker)
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert {key: fields.get(key) for key in ("business_name", "address", "bank.name", "bank.account_name")} == (
        dict.fromkeys(("business_name", "address", "bank.name", "bank.account_name"), NOT_ALLOWED)
    )
    assert "kbli_codes" in fields
    db.session.expire_all()
    assert "\x00" not in maker.seller_profile.business_name


def test_control_characters_are_refused_in_a_new_product(api, maker, reference) -> None:
    body = listing_data(reference, name="Beras\x00", specifications=[{"label": "Berat", "value": "5\x00kg"}])
    response = api.post("/products", body, user=maker)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"name": NOT_ALLOWED, "specifications.0.value": NOT_ALLOWED}
    assert db.session.scalar(db.select(db.func.count()).select_from(Product)) == 0


def test_tabs_and_line_breaks_are_kept_in_multi_line_text(api, maker, reference) -> None:
    body = listing_data(reference, description="Beras premium.\r\nDikemas\t5 kg.")
    response = api.post("/products", body, user=maker)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["latest_revision"]["description"] == "Beras premium.\nDikemas\t5 kg."


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("cancel", {"reason": "Anggaran dialihkan ke kegiatan lain\x00"}, "reason"),
        ("ship", {"lines": [{"line_id": 1, "quantity": 1}], "courier": "JNE\x00", "tracking_number": "X1"}, "courier"),
        ("propose", {"message": "Harga\x00", "lines": [{"line_id": 1, "unit_price": 1}]}, "message"),
        ("pay-outside", {"reference": "TRF\x00", "paid_on": "2026-01-02"}, "reference"),
    ],
)
def test_control_characters_are_refused_in_order_moves(api, buyer, action, body, field) -> None:
    response = api.post(f"/orders/1/{action}", body, user=buyer)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {field: NOT_ALLOWED}


def test_control_characters_are_refused_in_query_strings(api) -> None:
    response = api.get("/products?text=beras%00", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"text": NOT_ALLOWED}


# --- errors in the caller's language ----------------------------------------------------------------------------------


def test_unknown_api_urls_answer_in_the_callers_language(api, app) -> None:
    response = api.get("/nope", headers={"Accept-Language": "id"})
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "not_found"
    assert error["message"] == "Tidak ditemukan, atau Anda tidak berhak melihatnya."
    assert response.headers["Content-Language"] == "id"


def test_wrong_methods_answer_in_the_callers_language(api, app) -> None:
    response = api.call("PUT", "/regions", headers={"Accept-Language": "id"})
    assert response.status_code == 405
    error = error_of(response)
    assert error["code"] == "method_not_allowed"
    with app.test_request_context(), force_locale("id"):
        expected = _("This method is not allowed on this URL; the Allow header lists those that are.")
    assert error["message"] == expected
    assert "The method is not allowed" not in error["message"]  # Werkzeug's English description
    assert response.headers["Allow"]


def test_html_pages_keep_their_own_404(client) -> None:
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
