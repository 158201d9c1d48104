"""The gateway against a real localstripe: amounts × 100 in IDR, our ids as idempotency keys, and card payment
off without configuration."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.payments import gateway
from marketplace.payments.models import Payment, Refund
from marketplace.payments.states import PaymentMethod, PaymentStatus, RefundStatus
from tests.payments.conftest import make_payment
from tests.support.localstripe import card_token, localstripe_fixture, stripe_enabled_fixture  # noqa: F401


@pytest.fixture
def pending_payment(market, invoiced_order) -> Payment:
    payment = make_payment(invoiced_order, method=PaymentMethod.CARD, status=PaymentStatus.PENDING)
    payment.idempotency_key = f"payment-{payment.id}"
    return payment


def test_without_keys_card_payment_is_off(app):
    for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"):
        assert not app.config.get(name)
    with app.test_request_context():
        assert gateway.card_payments_enabled() is False
        assert gateway.client() is None
        assert gateway.stripe_js_url() == "https://js.stripe.com/v3/"
        with pytest.raises(gateway.SignatureError):
            gateway.construct_event(b"{}", "t=1,v1=00")


def test_with_the_emulator_the_page_loads_its_stripe_js(stripe_enabled):
    assert gateway.card_payments_enabled() is True
    assert gateway.is_test_mode() is True
    assert gateway.stripe_js_url() == f"{stripe_enabled.url}/js.stripe.com/v3/"


def charge(emulator, payment: Payment) -> str:
    """Pay `payment` with the test card; return its PaymentIntent id (stored on the payment)."""
    payment.stripe_payment_intent_id = gateway.create_card_intent(payment, card_token(emulator)).id
    return payment.stripe_payment_intent_id


def test_the_intent_is_charged_in_idr_cents_with_our_ids(stripe_enabled, pending_payment):
    token = card_token(stripe_enabled)
    mark = stripe_enabled.log_size()

    intent = gateway.create_card_intent(pending_payment, token)

    assert (intent.amount, intent.currency, intent.status) == (pending_payment.amount * 100, "idr", "succeeded")
    assert intent.metadata.to_dict() == {
        "payment_id": str(pending_payment.id),
        "order_id": str(pending_payment.order_id),
    }
    assert gateway.retrieve_intent(intent.id).status == "succeeded"
    key = f'idempotency-key="payment-{pending_payment.id}"'
    assert [line.split(" HTTP")[0] for line in stripe_enabled.requests(key, since=mark)] == ["POST /v1/payment_intents"]


def test_a_payment_with_an_intent_never_gets_a_second_one(stripe_enabled, pending_payment):
    charge(stripe_enabled, pending_payment)

    with pytest.raises(RuntimeError, match="already has PaymentIntent"):
        gateway.create_card_intent(pending_payment, card_token(stripe_enabled))


def test_a_declined_card_raises_card_error(stripe_enabled, pending_payment):
    with pytest.raises(gateway.CardError) as declined:
        gateway.create_card_intent(pending_payment, card_token(stripe_enabled, "4000000000000341"))

    assert declined.value.code == "card_declined"


def test_a_refund_is_sent_in_idr_cents_with_its_key(stripe_enabled, pending_payment, market):
    intent_id = charge(stripe_enabled, pending_payment)
    refund = Refund(
        payment_id=pending_payment.id,
        amount=1_250,
        reason="Kelebihan bayar ongkir",
        status=RefundStatus.PENDING,
        created_by_id=market.manager.id,
    )
    db.session.add(refund)
    db.session.flush()
    refund.idempotency_key = f"refund-{refund.id}"
    mark = stripe_enabled.log_size()

    answer = gateway.create_refund(refund)

    assert (answer.amount, answer.status) == (125_000, "succeeded")
    assert answer.payment_intent == intent_id
    assert stripe_enabled.requests(f'POST /v1/refunds HTTP/1.1 200 idempotency-key="refund-{refund.id}"', since=mark)
