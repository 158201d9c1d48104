"""The order page's fulfilment forms: who sees which form, each POST route, errors next to the fields, refusals."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from marketplace.core.timeutil import to_jakarta, utcnow
from marketplace.procurement.services import documents, fulfilment
from marketplace.procurement.states import DocumentKind, OrderStatus, ShipmentStatus
from tests.procurement.conftest import make_order


@pytest.fixture
def order(market):
    return make_order(market, OrderStatus.ON_PROCESS)


def page(client, order):
    response = client.get(f"/pesanan/{order.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def field_value(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None


def error_of(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    assert match, f"no error shown next to {field_id}"
    return match.group(1)


def ship_everything(market, order):
    rice, oil = order.lines
    fulfilment.ship(
        actor=market.manager, order=order, lines={rice.id: 10, oil.id: 5}, courier="JNE", tracking_number="A"
    )
    fulfilment.deliver(actor=market.manager, order=order, shipment_id=order.shipments[0].id)


def test_a_seller_sees_and_ships_only_their_lines(client, market, order):
    rice, oil = order.lines
    client.login(market.seller_a)
    html = page(client, order)
    assert 'id="ship-form"' in html
    assert field_value(html, f"ship_{rice.id}") == "10"
    assert field_value(html, f"ship_{oil.id}") is None
    assert 'id="receive-form"' not in html

    response = client.post_form(
        f"/pesanan/{order.id}/kirim",
        {f"ship_{rice.id}": "4", f"ship_{oil.id}": "5", "courier": "JNE", "tracking_number": "JNE-77"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/pesanan/{order.id}")
    [shipment] = order.shipments
    assert [(item.order_line_id, item.quantity) for item in shipment.lines] == [(rice.id, 4)]
    assert oil.quantity_shipped == 0

    html = page(client, order)
    assert "JNE-77" in html and f'data-shipment-id="{shipment.id}"' in html
    assert field_value(html, f"ship_{rice.id}") == "6"
    assert 'data-action="deliver"' in html


def test_invalid_shipment_shows_errors_next_to_the_fields(client, market, order):
    rice, _oil = order.lines
    client.login(market.seller_a)
    response = client.post_form(
        f"/pesanan/{order.id}/kirim", {f"ship_{rice.id}": "11", "courier": "", "tracking_number": "X"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error_of(html, f"ship_{rice.id}")
    error_of(html, "courier")
    assert field_value(html, f"ship_{rice.id}") == "11"
    assert order.shipments == []


def test_nothing_to_ship_is_refused_with_a_message(client, market, order):
    rice, _oil = order.lines
    client.login(market.seller_a)
    response = client.post_form(
        f"/pesanan/{order.id}/kirim", {f"ship_{rice.id}": "0", "courier": "JNE", "tracking_number": "X"}
    )
    assert response.status_code == 422
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert order.shipments == []


def test_deliver_button_marks_the_shipment_delivered(client, market, order):
    rice, _oil = order.lines
    fulfilment.ship(actor=market.seller_a, order=order, lines={rice.id: 10}, courier="JNE", tracking_number="A")
    shipment = order.shipments[0]
    client.login(market.seller_b)  # a seller in the order, but not of this shipment
    assert 'data-action="deliver"' not in page(client, order)
    assert client.post_form(f"/pesanan/{order.id}/pengiriman/{shipment.id}/terkirim").status_code == 403

    client.login(market.seller_a)
    response = client.post_form(f"/pesanan/{order.id}/pengiriman/{shipment.id}/terkirim")
    assert response.status_code == 303
    assert shipment.status == ShipmentStatus.DELIVERED
    again = client.post_form(f"/pesanan/{order.id}/pengiriman/{shipment.id}/terkirim")  # a double click
    shown = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "(status: Sampai di tujuan)" in shown and "status: DELIVERED" not in shown


def test_the_ppk_records_the_receipt_and_signs_the_bast(client, market, order):
    rice, oil = order.lines
    ship_everything(market, order)
    client.login(market.ppk)
    html = page(client, order)
    assert field_value(html, f"received_{rice.id}") == "10"
    assert field_value(html, f"received_{oil.id}") == "5"
    assert "data-billed-received" not in html

    response = client.post_form(
        f"/pesanan/{order.id}/terima-barang", {f"received_{rice.id}": "9", f"received_{oil.id}": "5", "note": ""}
    )
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "note")
    assert order.status == OrderStatus.ON_PROCESS

    note = "Satu karung beras rusak saat pengiriman."
    response = client.post_form(
        f"/pesanan/{order.id}/terima-barang", {f"received_{rice.id}": "9", f"received_{oil.id}": "5", "note": note}
    )
    assert response.status_code == 303
    assert order.status == OrderStatus.WAITING_INVOICE and rice.quantity_received == 9
    bast = documents.document_of(order, DocumentKind.BAST)
    assert [signature.user_id for signature in bast.signatures] == [market.ppk.id]
    html = page(client, order)
    assert note in html and "data-billed-received" in html  # 9 rice billed, not 10


def test_invoice_payment_and_confirmation_through_the_page(client, market, order):
    ship_everything(market, order)
    rice, oil = order.lines
    fulfilment.receive(actor=market.ppk, order=order, received={rice.id: 10, oil.id: 5}, note=None)

    client.login(market.manager)
    assert 'data-action="invoice"' in page(client, order)
    assert client.post_form(f"/pesanan/{order.id}/tagihan").status_code == 303
    assert order.status == OrderStatus.WAITING_PAYMENT

    client.login(market.bendahara)
    html = page(client, order)
    assert field_value(html, "paid_on") == to_jakarta(utcnow()).date().isoformat()
    tomorrow = (to_jakarta(utcnow()).date() + timedelta(days=1)).isoformat()
    response = client.post_form(f"/pesanan/{order.id}/bayar-di-luar", {"reference": "SP2D-9", "paid_on": tomorrow})
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "paid_on")
    response = client.post_form(
        f"/pesanan/{order.id}/bayar-di-luar",
        {"reference": "SP2D-9", "paid_on": field_value(html, "paid_on")},
    )
    assert response.status_code == 303
    assert order.status == OrderStatus.PAYMENT_OUTSIDE_SYSTEM

    client.login(market.manager)
    assert 'data-action="confirm-payment"' in page(client, order)
    assert client.post_form(f"/pesanan/{order.id}/konfirmasi-pembayaran").status_code == 303
    assert order.status == OrderStatus.COMPLETED
    assert 'data-action="confirm-payment"' not in page(client, order)


def test_a_move_in_the_wrong_state_goes_back_with_a_warning(client, market, order):
    client.login(market.manager)
    response = client.post_form(f"/pesanan/{order.id}/tagihan", follow_redirects=True)
    assert response.status_code == 200
    assert 'class="flash flash-warning"' in response.get_data(as_text=True)
    assert order.status == OrderStatus.ON_PROCESS


def test_someone_who_may_not_ship_gets_403(client, market, order):
    rice, _oil = order.lines
    client.login(market.ppk)
    assert 'id="ship-form"' not in page(client, order)
    response = client.post_form(
        f"/pesanan/{order.id}/kirim", {f"ship_{rice.id}": "1", "courier": "JNE", "tracking_number": "X"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/pesanan/{id}/kirim",
        "/pesanan/{id}/pengiriman/{shipment}/terkirim",
        "/pesanan/{id}/terima-barang",
        "/pesanan/{id}/tagihan",
        "/pesanan/{id}/bayar-di-luar",
        "/pesanan/{id}/konfirmasi-pembayaran",
    ],
)
@pytest.mark.parametrize("who", ["other_ppk", "other_manager", "other_seller"])
def test_posts_on_an_order_the_user_cannot_see_are_404(client, market, order, url, who):
    ship_everything(market, order)
    client.login(getattr(market, who))
    response = client.post_form(url.format(id=order.id, shipment=order.shipments[0].id))
    assert response.status_code == 404
