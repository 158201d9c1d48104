"""`GET /api/v1/orders/{id}/payments`: the order's payments with their refunds, for whoever may see the order."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.payments.services import payments, refunds
from marketplace.payments.states import PaymentMethod, PaymentStatus
from tests.api.conftest import ApiClient
from tests.payments.conftest import make_payment
from tests.payments.test_transfers import record, upload


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient(client)


def test_a_refunded_transfer_and_a_failed_card_payment_are_listed_oldest_first(api, market, invoiced_order):
    failed = make_payment(
        invoiced_order,
        method=PaymentMethod.CARD,
        status=PaymentStatus.FAILED,
        created_by_id=market.bendahara.id,
        failure_code="card_declined",
        failure_message="Your card was declined.",
    )
    db.session.flush()
    transfer = record(market, invoiced_order, bank_reference="SP2D-0100/2026")
    payments.confirm_transfer(actor=market.manager, payment=transfer)
    refunds.refund(
        actor=market.manager,
        payment=transfer,
        amount=100_000,
        reason="Barang rusak sebagian saat diterima, disepakati dikembalikan.",
        bank_reference="TRF-BALIK-01",
        proof=upload(),
    )

    response = api.get(f"/orders/{invoiced_order.id}/payments", user=market.ppk)
    assert response.status_code == 200
    card, paid = response.json["payments"]
    assert card["id"] == failed.id and card["status"] == "failed" and card["failure"]
    assert paid["method"] == "transfer" and paid["status"] == "partially_refunded"
    assert paid["amount"] == invoiced_order.total and paid["refunded_amount"] == 100_000
    assert paid["bank_reference"] == "SP2D-0100/2026" and paid["confirmed_at"]
    assert [(refund["amount"], refund["status"]) for refund in paid["refunds"]] == [(100_000, "succeeded")]
    assert "proof_storage_key" not in paid and "stripe_payment_intent_id" not in paid


def test_whoever_may_see_the_order_sees_its_payments_and_nobody_else(api, market, invoiced_order):
    path = f"/orders/{invoiced_order.id}/payments"
    for user in (market.ppk, market.pp, market.bendahara, market.manager, market.seller_a):
        assert api.get(path, user=user).status_code == 200, user.email
    for user in (market.other_ppk, market.other_manager, market.other_seller):
        assert api.get(path, user=user).status_code == 404, user.email
    assert api.get(path).status_code == 401
    assert api.get("/orders/999999/payments", user=market.ppk).status_code == 404
