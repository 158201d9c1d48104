"""The operator runs the reconciliation now: a card payment stuck in processing, whose PaymentIntent succeeded in
a real localstripe, is retrieved and applied (the order is completed), and the page shows what changed."""

from __future__ import annotations

from datetime import timedelta

from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.payments import gateway
from marketplace.payments.models import Payment
from marketplace.payments.states import PaymentMethod, PaymentStatus
from marketplace.procurement.states import OrderStatus
from tests.support.localstripe import card_token, localstripe_fixture, stripe_enabled_fixture  # noqa: F401

PAGE = "/operator/rekonsiliasi"


def stuck_card_payment(order, emulator, *, since: timedelta) -> Payment:
    """A card payment whose PaymentIntent succeeded in the emulator, but which we still think is processing."""
    payment = Payment(
        order_id=order.id,
        method=PaymentMethod.CARD,
        status=PaymentStatus.PROCESSING,
        amount=order.total,
        created_by_id=order.placed_by_id,
        processing_since=utcnow() - since,
    )
    db.session.add(payment)
    db.session.flush()
    payment.idempotency_key = f"payment-{payment.id}"
    intent = gateway.create_card_intent(payment, card_token(emulator))
    assert intent.status == "succeeded"
    payment.stripe_payment_intent_id = intent.id
    db.session.flush()
    return payment


def test_reconcile_now_applies_stripe_status_and_shows_the_change(client, market, invoiced_order, stripe_enabled):
    payment = stuck_card_payment(invoiced_order, stripe_enabled, since=timedelta(hours=2))
    client.login(market.operator)
    before = client.get(PAGE).get_data(as_text=True)
    assert f'data-payment-id="{payment.id}"' in before.split('id="changes"')[0]

    response = client.post_form(PAGE, follow_redirects=True)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    db.session.refresh(payment)
    db.session.refresh(invoiced_order)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert invoiced_order.status == OrderStatus.COMPLETED
    assert f"#{payment.id}" in page.split('id="stale"')[0]  # the flash names the payment
    assert f'data-payment-id="{payment.id}"' not in page.split('id="stale"')[1].split('id="changes"')[0]
    changes = page.split('id="changes"')[1]
    assert 'data-action="payment.reconciled"' in changes
    assert f'href="/operator/pembayaran/{payment.id}"' in changes


def test_a_payment_processing_for_less_than_an_hour_is_left_alone(client, market, invoiced_order, stripe_enabled):
    payment = stuck_card_payment(invoiced_order, stripe_enabled, since=timedelta(minutes=30))
    client.login(market.operator)

    page = client.post_form(PAGE, follow_redirects=True).get_data(as_text=True)

    db.session.refresh(payment)
    assert payment.status == PaymentStatus.PROCESSING
    assert 'data-action="payment.reconciled"' not in page
