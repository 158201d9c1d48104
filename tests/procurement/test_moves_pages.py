"""The moves' forms on the order page and their POST routes: only the forms the reader may use, redirects with a
message, errors next to the field, 403 for others and a message (no change) when the state moved on."""

from __future__ import annotations

import re

import pytest

from marketplace.extensions import db
from marketplace.procurement.services import moves
from marketplace.procurement.states import OrderStatus
from tests.procurement.conftest import make_order

S = OrderStatus
FORM_IDS = (
    "approve-form",
    "reject-form",
    "propose-form",
    "accept-offer-form",
    "accept-form",
    "refuse-form",
    "cancel-form",
)


def shown_forms(page: str) -> set[str]:
    return {form_id for form_id in FORM_IDS if f'id="{form_id}"' in page}


def test_the_ppk_sees_the_review_forms_and_approves(client, market):
    order = make_order(market, S.WAITING_PPK_REVIEW)
    client.login(market.ppk)
    page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert shown_forms(page) == {"approve-form", "reject-form", "cancel-form"}

    response = client.post_form(f"/pesanan/{order.id}/setujui")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/pesanan/{order.id}#moves")
    db.session.refresh(order)
    assert order.status == S.WAITING_SELLER_CONFIRMATION


def test_the_pp_sees_only_the_cancel_form_and_may_not_approve(client, market):
    order = make_order(market, S.WAITING_PPK_REVIEW)
    client.login(market.pp)
    page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert shown_forms(page) == {"cancel-form"}
    assert client.post_form(f"/pesanan/{order.id}/setujui").status_code == 403
    db.session.refresh(order)
    assert order.status == S.WAITING_PPK_REVIEW


def test_an_order_of_another_work_unit_is_not_found(client, market):
    order = make_order(market, S.WAITING_PPK_REVIEW)
    client.login(market.other_ppk)
    assert client.post_form(f"/pesanan/{order.id}/setujui").status_code == 404


def test_a_short_cancellation_reason_is_shown_next_to_the_field(client, market):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    client.login(market.manager)
    response = client.post_form(f"/pesanan/{order.id}/batalkan", {"reason": "Batal"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="reason-error"[^>]*>[^<]*20', page)
    db.session.refresh(order)
    assert order.status == S.WAITING_SELLER_CONFIRMATION

    response = client.post_form(f"/pesanan/{order.id}/batalkan", {"reason": "Produk tidak lagi diproduksi koperasi"})
    assert response.status_code == 303
    db.session.refresh(order)
    assert order.status == S.CANCELLED


def test_the_proposal_form_has_a_prefilled_row_per_line(client, market):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    rice, oil = order.lines
    client.login(market.manager)
    page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert shown_forms(page) == {"propose-form", "accept-form", "refuse-form", "cancel-form"}
    assert f'name="lines-0-line_id" type="hidden" value="{rice.id}"' in page
    assert 'name="lines-0-unit_price" type="text" value="72500"' in page or 'value="72500"' in page
    assert f'name="lines-1-line_id" type="hidden" value="{oil.id}"' in page

    data = {
        "message": "Harga beras naik bulan ini",
        "lines-0-line_id": rice.id,
        "lines-0-unit_price": 75000,
        "lines-0-unit_shipping": 2000,
        "lines-1-line_id": oil.id,
        "lines-1-unit_price": 18000,
        "lines-1-unit_shipping": 0,
    }
    response = client.post_form(f"/pesanan/{order.id}/tawar", data)
    assert response.status_code == 303
    db.session.refresh(order)
    assert order.status == S.ON_NEGOTIATION
    assert order.offers[-1].lines == [{"line_id": rice.id, "unit_price": 75000, "unit_shipping": 2000}]

    # The history shows the offer; the PPK may accept it.
    client.login(market.ppk)
    page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert "Harga beras naik bulan ini" in page
    assert f'data-offer-id="{order.offers[-1].id}" data-offer-status="open"' in page
    assert "accept-offer-form" in shown_forms(page)
    assert client.post_form(f"/pesanan/{order.id}/terima-tawaran").status_code == 303
    db.session.refresh(order)
    assert order.status == S.WAITING_SELLER_CONFIRMATION
    assert order.lines[0].unit_price == 75000


def test_an_unchanged_proposal_is_refused_with_the_message_on_the_page(client, market):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    rice, oil = order.lines
    client.login(market.ppk)
    data = {
        "message": "Tanpa perubahan",
        "lines-0-line_id": rice.id,
        "lines-0-unit_price": rice.unit_price,
        "lines-0-unit_shipping": rice.unit_shipping,
        "lines-1-line_id": oil.id,
        "lines-1-unit_price": 0,
        "lines-1-unit_shipping": 0,
    }
    response = client.post_form(f"/pesanan/{order.id}/tawar", data)
    assert response.status_code == 422
    assert 'id="lines-1-unit_price-error"' in response.get_data(as_text=True)

    data["lines-1-unit_price"] = oil.unit_price
    response = client.post_form(f"/pesanan/{order.id}/tawar", data)
    assert response.status_code == 422
    assert 'class="flash' in response.get_data(as_text=True)
    db.session.refresh(order)
    assert order.status == S.WAITING_SELLER_CONFIRMATION


def test_proposal_rows_answer_in_indonesian_and_refuse_absurd_prices(client, market):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    rice, oil = order.lines
    client.login(market.manager)
    data = {
        "message": "Harga baru",
        "lines-0-line_id": rice.id,
        "lines-0-unit_price": "99999999999999999999999",
        "lines-0-unit_shipping": "",
        "lines-1-line_id": oil.id,
        "lines-1-unit_price": oil.unit_price,
        "lines-1-unit_shipping": 0,
    }
    response = client.post_form(f"/pesanan/{order.id}/tawar", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="lines-0-unit_price-error"' in page and 'id="lines-0-unit_shipping-error"' in page
    assert "This field is required" not in page and "Wajib diisi" in page
    db.session.refresh(order)
    assert order.status == S.WAITING_SELLER_CONFIRMATION and order.offers == []


def test_a_move_no_longer_possible_redirects_with_a_message(client, market):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    moves.accept(actor=market.manager, order=order)
    client.login(market.manager)
    response = client.post_form(f"/pesanan/{order.id}/terima", follow_redirects=True)
    assert response.status_code == 200
    assert "flash-warning" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "status", "data"),
    [
        ("terima", S.WAITING_SELLER_CONFIRMATION, {}),
        ("tolak-pesanan", S.WAITING_SELLER_CONFIRMATION, {"reason": "Tidak ada stok"}),
        ("tolak", S.WAITING_PPK_REVIEW, {"reason": "Tidak ada di RUP"}),
    ],
)
def test_a_seller_may_not_answer_for_the_cooperative(client, market, url, status, data):
    order = make_order(market, status)
    client.login(market.seller_a)
    assert client.post_form(f"/pesanan/{order.id}/{url}", data).status_code == 403


def test_the_refusal_flow_from_the_page(client, market):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    client.login(market.manager)
    assert client.post_form(f"/pesanan/{order.id}/tolak-pesanan", {"reason": ""}).status_code == 422
    assert client.post_form(f"/pesanan/{order.id}/tolak-pesanan", {"reason": "Stok habis"}).status_code == 303
    db.session.refresh(order)
    assert (order.status, order.refuse_reason) == (S.CANCELLED, "Stok habis")


def test_the_reject_flow_from_the_page(client, market):
    order = make_order(market, S.WAITING_PPK_REVIEW)
    client.login(market.ppk)
    assert client.post_form(f"/pesanan/{order.id}/tolak", {"reason": "Tidak ada di RUP"}).status_code == 303
    db.session.refresh(order)
    assert order.status == S.CANCELLED_ON_REVIEW
