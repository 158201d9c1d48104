"""The whole card journey with webhooks delivered by localstripe itself to the app served live (committed data):
the order is paid only when the signed `payment_intent.succeeded` arrives."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payments.models import Payment, StripeEvent
from marketplace.payments.services import payments
from marketplace.payments.states import EventOutcome, PaymentStatus
from marketplace.procurement.models import Order
from marketplace.procurement.services import documents
from marketplace.procurement.states import OrderStatus
from tests.procurement.conftest import build_market, make_order
from tests.support.localstripe import (  # noqa: F401  fixtures
    DECLINED_CARD,
    card_token,
    localstripe_fixture,
    stripe_enabled_fixture,
    stripe_webhooks_fixture,
    wait_for,
)


def invoiced_order():
    market = build_market()
    order = make_order(market, OrderStatus.WAITING_PAYMENT)
    documents.issue_invoice(order, market.manager)
    db.session.commit()
    return market, order


def stored_event(event_type: str, payment_id: int) -> StripeEvent | None:
    db.session.rollback()  # a new transaction: see what the live server committed
    return db.session.scalars(
        select(StripeEvent).where(StripeEvent.type == event_type, StripeEvent.payment_id == payment_id)
    ).first()


def test_the_test_card_pays_the_order_through_the_signed_webhook(stripe_webhooks, stripe_enabled):
    market, order = invoiced_order()

    payment = payments.start_card_payment(actor=market.bendahara, order=order, token=card_token(stripe_enabled))

    assert payment.status == PaymentStatus.PROCESSING  # charged, but not paid until the webhook says so
    event = wait_for(lambda: stored_event("payment_intent.succeeded", payment.id))
    assert event is not None and event.outcome == EventOutcome.APPLIED
    assert db.session.get(Payment, payment.id).status == PaymentStatus.SUCCEEDED
    assert db.session.get(Order, order.id).status == OrderStatus.COMPLETED


def test_a_declined_card_fails_and_its_webhook_changes_nothing_more(stripe_webhooks, stripe_enabled):
    market, order = invoiced_order()

    payment = payments.start_card_payment(
        actor=market.bendahara, order=order, token=card_token(stripe_enabled, DECLINED_CARD)
    )

    assert payment.status == PaymentStatus.FAILED
    event = wait_for(lambda: stored_event("payment_intent.payment_failed", payment.id))
    assert event is not None and event.outcome == EventOutcome.IGNORED
    assert db.session.get(Payment, payment.id).failure_code == "card_declined"
    assert db.session.get(Order, order.id).status == OrderStatus.WAITING_PAYMENT
