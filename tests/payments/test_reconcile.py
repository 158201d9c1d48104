"""The reconciliation retrieves card payments left processing for over an hour from a real localstripe and applies
their real status."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace.payments.services import payments
from marketplace.payments.services.reconcile import reconcile, stale_payments
from marketplace.payments.states import PaymentStatus
from marketplace.procurement.services import documents
from marketplace.procurement.states import OrderStatus
from tests.procurement.conftest import make_order
from tests.support.localstripe import card_token, localstripe_fixture, stripe_enabled_fixture  # noqa: F401

THREE_D_SECURE_CARD = "4000002500003155"


def processing_payment(emulator, market, *, card: str = "4242424242424242", minutes: int = 120) -> Payment:
    """A card payment of a new invoiced order, processing for `minutes` (no webhook came)."""
    order = make_order(market, OrderStatus.WAITING_PAYMENT)
    documents.issue_invoice(order, market.manager)
    payment = payments.start_card_payment(actor=market.bendahara, order=order, token=card_token(emulator, card))
    payment.status = PaymentStatus.PROCESSING
    payment.processing_since = utcnow() - timedelta(minutes=minutes)
    db.session.commit()
    return payment


def test_a_payment_stripe_charged_long_ago_is_completed(stripe_enabled, market):
    paid = processing_payment(stripe_enabled, market)
    recent = processing_payment(stripe_enabled, market, minutes=30)

    changed = reconcile()

    assert [(payment.id, old, new) for payment, old, new in changed] == [
        (paid.id, PaymentStatus.PROCESSING, PaymentStatus.SUCCEEDED)
    ]
    db.session.refresh(paid)
    db.session.refresh(recent)
    assert paid.order.status == OrderStatus.COMPLETED
    assert recent.status == PaymentStatus.PROCESSING
    assert recent.order.status == OrderStatus.WAITING_PAYMENT
    assert reconcile() == []  # nothing left to do


def test_a_payment_whose_intent_failed_is_failed_and_the_invoice_stays_payable(stripe_enabled, market):
    payment = processing_payment(stripe_enabled, market, card=THREE_D_SECURE_CARD)
    intent = stripe_enabled.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    stripe_enabled.post(
        f"/v1/payment_intents/{intent.id}/_authenticate", {"client_secret": intent.client_secret, "success": "false"}
    )

    changed = reconcile()

    assert [(p.id, new) for p, _old, new in changed] == [(payment.id, PaymentStatus.FAILED)]
    db.session.refresh(payment)
    assert payment.failure_code == "payment_intent_authentication_failure"
    assert payment.order.status == OrderStatus.WAITING_PAYMENT


def test_an_intent_still_waiting_changes_nothing(stripe_enabled, market):
    payment = processing_payment(stripe_enabled, market, card=THREE_D_SECURE_CARD)  # requires_action at Stripe

    assert stale_payments() == [payment]
    assert reconcile() == []
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.PROCESSING


def test_the_beat_task_reconciles(app, stripe_enabled, market):
    payment = processing_payment(stripe_enabled, market)

    assert app.extensions["celery"].tasks["payments.reconcile"].apply().get() == 1

    db.session.refresh(payment)
    assert payment.status == PaymentStatus.SUCCEEDED


def test_without_stripe_configured_nothing_is_asked(app, stripe_enabled, market):
    payment = processing_payment(stripe_enabled, market)
    app.config["STRIPE_SECRET_KEY"] = None  # stripe_enabled restores it

    assert reconcile() == []
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.PROCESSING


@pytest.mark.parametrize("minutes", [59, 61])
def test_only_payments_processing_for_over_an_hour_are_stale(stripe_enabled, market, minutes):
    payment = processing_payment(stripe_enabled, market, minutes=minutes)

    assert (payment in stale_payments()) is (minutes > 60)
