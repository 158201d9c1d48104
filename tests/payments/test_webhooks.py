"""Stripe's webhook endpoint against a real localstripe: the events are the emulator's own (or its objects in an
event envelope), signed with the endpoint secret as Stripe signs them, and POSTed to the app."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.payments.models import LedgerEntry, Payment, StripeEvent
from marketplace.payments.services import payments, refunds
from marketplace.payments.states import EventOutcome, PaymentStatus
from marketplace.procurement.models import OrderDocument
from marketplace.procurement.states import OrderStatus
from tests.support.localstripe import (  # noqa: F401  fixtures
    DECLINED_CARD,
    WEBHOOK_PATH,
    card_token,
    emulator_event,
    event_payload,
    localstripe_fixture,
    signature_header,
    stripe_enabled_fixture,
)


@pytest.fixture
def card_payment(stripe_enabled, market, invoiced_order) -> Payment:
    """The invoice paid with the test card: Stripe charged it, the payment waits for the webhook (processing)."""
    payment = payments.start_card_payment(
        actor=market.bendahara, order=invoiced_order, token=card_token(stripe_enabled)
    )
    assert payment.status == PaymentStatus.PROCESSING
    return payment


def deliver(client, payload: bytes, signature: str | None = "sign"):
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if signature == "sign":
        signature = signature_header(payload)
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post(WEBHOOK_PATH, data=payload, headers=headers)


def intent_object(emulator, intent_id: str, **changes: Any) -> dict[str, Any]:
    """The PaymentIntent as the emulator has it, with `changes` (what it looked like at an earlier moment)."""
    return {**emulator.client().v1.payment_intents.retrieve(intent_id).to_dict(), **changes}


def latest_charge(emulator, intent_id: str) -> dict[str, Any]:
    """The intent's charge as the emulator has it now."""
    charge = emulator.client().v1.payment_intents.retrieve(intent_id).latest_charge
    charge_id = charge if isinstance(charge, str) else charge.id
    return emulator.client().v1.charges.retrieve(charge_id).to_dict()


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (StripeEvent, LedgerEntry, AuditEvent, OrderDocument)
    }


def test_the_verified_succeeded_event_pays_the_order_and_its_replay_changes_nothing(client, card_payment, localstripe):
    payload = emulator_event(localstripe, card_payment.stripe_payment_intent_id, "payment_intent.succeeded")

    answer = deliver(client, payload)

    assert answer.status_code == 200
    assert answer.json["outcome"] == EventOutcome.APPLIED
    db.session.refresh(card_payment)
    assert card_payment.status == PaymentStatus.SUCCEEDED
    assert card_payment.order.status == OrderStatus.COMPLETED
    stored = db.session.get(StripeEvent, json.loads(payload)["id"])
    assert (stored.type, stored.payment_id, stored.object_id) == (
        "payment_intent.succeeded",
        card_payment.id,
        card_payment.stripe_payment_intent_id,
    )
    before = counts()

    replay = deliver(client, payload)

    assert replay.status_code == 200
    assert replay.json["id"] == stored.id
    assert counts() == before  # no second event, ledger entries, audit events or kuitansi
    assert card_payment.order.status == OrderStatus.COMPLETED


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "t=1,v1=0000",
        "forged",
        "stale",
    ],
    ids=["missing", "empty", "malformed", "other-secret", "too-old"],
)
def test_a_bad_or_missing_signature_is_refused_and_changes_nothing(client, card_payment, localstripe, signature):
    payload = emulator_event(localstripe, card_payment.stripe_payment_intent_id, "payment_intent.succeeded")
    if signature == "forged":
        signature = signature_header(payload, secret="whsec_not_ours")
    elif signature == "stale":
        signature = signature_header(payload, timestamp=1_600_000_000)
    before = counts()

    answer = deliver(client, payload, signature)

    assert answer.status_code == 400
    assert counts() == before
    db.session.refresh(card_payment)
    assert card_payment.status == PaymentStatus.PROCESSING
    assert card_payment.order.status == OrderStatus.WAITING_PAYMENT


def test_a_body_changed_after_signing_is_refused(client, card_payment, localstripe):
    payload = emulator_event(localstripe, card_payment.stripe_payment_intent_id, "payment_intent.succeeded")
    signature = signature_header(payload)
    tampered = payload.replace(b'"payment_intent.succeeded"', b'"payment_intent.payment_failed"')
    assert tampered != payload

    assert deliver(client, tampered, signature).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_late_processing_and_failed_events_after_succeeded_change_nothing(client, card_payment, localstripe):
    intent_id = card_payment.stripe_payment_intent_id
    assert deliver(client, emulator_event(localstripe, intent_id, "payment_intent.succeeded")).status_code == 200
    late_processing = event_payload(
        "evt_late_processing", "payment_intent.processing", intent_object(localstripe, intent_id, status="processing")
    )
    late_failure = event_payload(
        "evt_late_failure",
        "payment_intent.payment_failed",
        intent_object(
            localstripe,
            intent_id,
            status="requires_payment_method",
            last_payment_error={"code": "card_declined", "message": "Your card was declined."},
        ),
    )

    for payload in (late_processing, late_failure):
        answer = deliver(client, payload)
        assert answer.status_code == 200
        assert answer.json["outcome"] == EventOutcome.IGNORED

    db.session.refresh(card_payment)
    assert card_payment.status == PaymentStatus.SUCCEEDED
    assert card_payment.failure_code is None
    assert card_payment.order.status == OrderStatus.COMPLETED
    assert db.session.get(StripeEvent, "evt_late_processing").payment_id == card_payment.id


def test_events_in_order_processing_then_succeeded(client, stripe_enabled, market, invoiced_order):
    """A card needing 3-D Secure: the payment is pending until Stripe says processing, then succeeded."""
    payment = payments.start_card_payment(
        actor=market.bendahara, order=invoiced_order, token=card_token(stripe_enabled, "4000002500003155")
    )
    assert payment.status == PaymentStatus.PENDING
    intent_id = payment.stripe_payment_intent_id

    processing = event_payload(
        "evt_processing", "payment_intent.processing", intent_object(stripe_enabled, intent_id, status="processing")
    )
    assert deliver(client, processing).json["outcome"] == EventOutcome.APPLIED
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.PROCESSING
    assert payment.processing_since is not None

    succeeded = event_payload(
        "evt_succeeded", "payment_intent.succeeded", intent_object(stripe_enabled, intent_id, status="succeeded")
    )
    assert deliver(client, succeeded).json["outcome"] == EventOutcome.APPLIED
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.order.status == OrderStatus.COMPLETED


def test_a_failed_authentication_fails_the_payment_and_the_invoice_stays_payable(
    client, stripe_enabled, market, invoiced_order
):
    payment = payments.start_card_payment(
        actor=market.bendahara, order=invoiced_order, token=card_token(stripe_enabled, "4000002500003155")
    )
    intent = stripe_enabled.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    stripe_enabled.post(
        f"/v1/payment_intents/{intent.id}/_authenticate", {"client_secret": intent.client_secret, "success": "false"}
    )
    failed = event_payload("evt_auth_failed", "payment_intent.payment_failed", intent_object(stripe_enabled, intent.id))

    assert deliver(client, failed).json["outcome"] == EventOutcome.APPLIED

    db.session.refresh(payment)
    assert payment.status == PaymentStatus.FAILED
    assert payment.failure_code == "payment_intent_authentication_failure"
    assert payment.order.status == OrderStatus.WAITING_PAYMENT


def test_an_event_about_an_intent_that_is_not_ours_is_kept_as_unmatched(client, card_payment, localstripe):
    stranger = localstripe.client().v1.payment_intents.create(
        {
            "amount": 5_000_000,
            "currency": "idr",
            "payment_method": localstripe.client().v1.tokens.retrieve(card_token(localstripe)).card.id,
            "confirm": True,
        }
    )

    answer = deliver(client, emulator_event(localstripe, stranger.id, "payment_intent.succeeded"))

    assert answer.status_code == 200
    assert answer.json["outcome"] == EventOutcome.UNMATCHED
    stored = db.session.scalars(select(StripeEvent)).one()
    assert (stored.payment_id, stored.object_id) == (None, stranger.id)
    db.session.refresh(card_payment)
    assert card_payment.status == PaymentStatus.PROCESSING


def test_an_intent_whose_amount_differs_from_the_payment_does_not_pay_it(client, card_payment, localstripe):
    intent_id = card_payment.stripe_payment_intent_id
    cheaper = intent_object(localstripe, intent_id, amount=100)

    answer = deliver(client, event_payload("evt_cheaper", "payment_intent.succeeded", cheaper))

    assert answer.json["outcome"] == EventOutcome.FAILED
    assert "amount" in db.session.get(StripeEvent, "evt_cheaper").detail
    db.session.refresh(card_payment)
    assert card_payment.status == PaymentStatus.PROCESSING
    assert card_payment.order.status == OrderStatus.WAITING_PAYMENT


def test_an_event_type_we_do_not_act_on_is_ignored(client, card_payment, localstripe):
    payload = event_payload(
        "evt_created", "payment_intent.created", intent_object(localstripe, card_payment.stripe_payment_intent_id)
    )

    answer = deliver(client, payload)

    assert answer.json["outcome"] == EventOutcome.IGNORED
    db.session.refresh(card_payment)
    assert card_payment.status == PaymentStatus.PROCESSING


def test_charge_refunded_confirms_a_refund_once(client, card_payment, localstripe, market):
    intent_id = card_payment.stripe_payment_intent_id
    deliver(client, emulator_event(localstripe, intent_id, "payment_intent.succeeded"))
    refund = refunds.refund(
        actor=market.manager, payment=card_payment, amount=100_000, reason="Sebagian beras rusak saat diterima"
    )
    db.session.refresh(card_payment)
    assert card_payment.refunded_amount == 100_000
    entries = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    refunded = {**latest_charge(localstripe, intent_id), "amount_refunded": 10_000_000, "refunded": False}
    refunded["refunds"] = {"object": "list", "data": [{"id": refund.stripe_refund_id, "status": "succeeded"}]}

    answer = deliver(client, event_payload("evt_refunded", "charge.refunded", refunded))

    assert answer.json["outcome"] == EventOutcome.APPLIED
    db.session.refresh(card_payment)
    assert card_payment.refunded_amount == 100_000
    assert card_payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == entries


def test_a_refund_made_outside_the_marketplace_is_shown_to_the_operator(client, card_payment, localstripe):
    intent_id = card_payment.stripe_payment_intent_id
    deliver(client, emulator_event(localstripe, intent_id, "payment_intent.succeeded"))
    outside = localstripe.client().v1.refunds.create({"payment_intent": intent_id, "amount": 500_000})
    charge = latest_charge(localstripe, intent_id)
    charge["refunds"] = {"object": "list", "data": [{"id": outside.id, "status": "succeeded"}]}

    answer = deliver(client, event_payload("evt_outside", "charge.refunded", charge))

    assert answer.json["outcome"] == EventOutcome.FAILED
    assert "5000" in db.session.get(StripeEvent, "evt_outside").detail
    db.session.refresh(card_payment)
    assert card_payment.refunded_amount == 0
