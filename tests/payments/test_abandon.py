"""A card payment left waiting (3-D Secure never completed, or no PaymentIntent made) no longer holds the invoice
forever: the bendahara abandons it from the order page, and the reconciliation settles stale ones with Stripe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Forbidden, IllegalTransition
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace.payments.services import abandon, payments
from marketplace.payments.services.reconcile import reconcile
from marketplace.payments.states import PaymentMethod, PaymentStatus
from marketplace.procurement.services import documents
from marketplace.procurement.states import OrderStatus
from tests.payments.conftest import make_payment
from tests.payments.test_transfers import record
from tests.procurement.conftest import make_order
from tests.support.localstripe import card_token, localstripe_fixture, stripe_enabled_fixture  # noqa: F401

THREE_D_SECURE_CARD = "4000002500003155"


def waiting_payment(emulator, market, order=None, *, minutes: int = 0) -> Payment:
    """A card payment waiting for 3-D Secure, started `minutes` ago."""
    if order is None:
        order = make_order(market, OrderStatus.WAITING_PAYMENT)
        documents.issue_invoice(order, market.manager)
    token = card_token(emulator, THREE_D_SECURE_CARD)
    payment = payments.start_card_payment(actor=market.bendahara, order=order, token=token)
    assert payment.status == PaymentStatus.PENDING and payment.stripe_payment_intent_id
    payment.created_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()
    return payment


def intent_status(emulator, payment) -> str:
    return emulator.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).status


def test_the_bendahara_abandons_a_waiting_card_payment_from_the_order_page(
    client, stripe_enabled, market, invoiced_order
):
    payment = waiting_payment(stripe_enabled, market, invoiced_order)
    client.login(market.bendahara)
    page = client.get(f"/pesanan/{invoiced_order.id}").get_data(as_text=True)
    assert f"/pembayaran/{payment.id}/batalkan" in page

    answer = client.post_form(f"/pembayaran/{payment.id}/batalkan")

    assert answer.status_code == 303
    db.session.refresh(payment)
    assert (payment.status, payment.failure_code) == (PaymentStatus.FAILED, abandon.ABANDONED)
    assert payments.failure_text(payment)
    assert intent_status(stripe_enabled, payment) == "canceled"
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "order.payment_failed", AuditEvent.subject_id == invoiced_order.id
        )
    ).one()
    assert (event.actor_id, event.after["code"]) == (market.bendahara.id, abandon.ABANDONED)
    assert payments.active_payment(invoiced_order) is None
    assert record(market, invoiced_order).method == PaymentMethod.TRANSFER  # the invoice is payable again


def test_a_payment_without_an_intent_is_abandoned_without_stripe(market, invoiced_order):
    # Stripe erred before the PaymentIntent existed.
    payment = make_payment(invoiced_order, method=PaymentMethod.CARD, status=PaymentStatus.PENDING)
    db.session.commit()

    abandon.abandon_card_payment(actor=market.bendahara, payment=payment)

    assert payment.status == PaymentStatus.FAILED
    assert payments.active_payment(invoiced_order) is None


def test_only_a_bendahara_abandons_and_only_a_waiting_card_payment(client, stripe_enabled, market, invoiced_order):
    payment = waiting_payment(stripe_enabled, market, invoiced_order)
    for someone in (market.manager, market.ppk):
        with pytest.raises(Forbidden):
            abandon.abandon_card_payment(actor=someone, payment=payment)
    client.login(market.manager)
    assert client.post_form(f"/pembayaran/{payment.id}/batalkan").status_code == 403

    charged = waiting_payment(stripe_enabled, market)
    charged.status = PaymentStatus.PROCESSING
    db.session.commit()
    with pytest.raises(IllegalTransition):
        abandon.abandon_card_payment(actor=market.bendahara, payment=charged)


def test_the_reconciliation_settles_stale_waiting_card_payments(app, stripe_enabled, market, monkeypatch):
    stale = waiting_payment(stripe_enabled, market, minutes=90)
    fresh = waiting_payment(stripe_enabled, market, minutes=5)
    completed = waiting_payment(stripe_enabled, market, minutes=90)
    intent = stripe_enabled.client().v1.payment_intents.retrieve(completed.stripe_payment_intent_id)
    stripe_enabled.post(  # 3-D Secure completed, but the webhook never came
        f"/v1/payment_intents/{intent.id}/_authenticate", {"client_secret": intent.client_secret, "success": "true"}
    )

    changed = {payment.id: (old, new) for payment, old, new in reconcile()}

    assert changed == {
        stale.id: (PaymentStatus.PENDING, PaymentStatus.FAILED),
        completed.id: (PaymentStatus.PENDING, PaymentStatus.SUCCEEDED),
    }
    for payment in (stale, fresh, completed):
        db.session.refresh(payment)
    assert stale.failure_code == abandon.EXPIRED and intent_status(stripe_enabled, stale) == "canceled"
    assert completed.order.status == OrderStatus.COMPLETED
    assert fresh.status == PaymentStatus.PENDING

    monkeypatch.setitem(app.config, "PAYMENTS_PENDING_STALE_MINUTES", 2)
    assert [payment.id for payment, _old, _new in reconcile()] == [fresh.id]
