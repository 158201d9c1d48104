"""Refund webhooks match refunds by their Stripe ids and statuses (asking Stripe when the event leaves the list
out), a failed refund releases the amount it held, and an event whose application raised an error is answered
500 so that Stripe delivers it again, when it is applied."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.extensions import db
from marketplace.payments.models import Refund, StripeEvent
from marketplace.payments.services import payments, refunds
from marketplace.payments.services.ledger_queries import balance
from marketplace.payments.states import EventOutcome, PaymentStatus, RefundStatus
from tests.payments.test_form_keys import paid_card_fixture  # noqa: F401  fixture
from tests.payments.test_refunds import REASON, reversed_total
from tests.payments.test_webhooks import deliver, latest_charge
from tests.support.localstripe import (  # noqa: F401  fixtures
    card_token,
    emulator_event,
    event_payload,
    localstripe_fixture,
    stripe_enabled_fixture,
)

#: Nothing listens there: Stripe is unreachable.
UNREACHABLE = "http://127.0.0.1:9"


def pending_refund(market, payment, amount: int, stripe_refund_id: str) -> Refund:
    """A card refund Stripe accepted and has not finished (as our row has it)."""
    found = Refund(
        payment_id=payment.id,
        amount=amount,
        reason=REASON,
        status=RefundStatus.PENDING,
        created_by_id=market.manager.id,
        stripe_refund_id=stripe_refund_id,
        idempotency_key=f"refund-test-{stripe_refund_id}",
    )
    db.session.add(found)
    db.session.commit()
    return found


def stripe_refund(emulator, payment, amount: int) -> dict[str, Any]:
    """A refund made at the emulator (it finishes at once there)."""
    made = emulator.client().v1.refunds.create(
        {"payment_intent": payment.stripe_payment_intent_id, "amount": amount * 100}
    )
    return made.to_dict()


def charge_without_refund_list(emulator, payment) -> dict[str, Any]:
    charge = latest_charge(emulator, payment.stripe_payment_intent_id)
    charge.pop("refunds", None)
    return charge


def test_without_the_list_only_the_refunds_stripe_finished_succeed(client, stripe_enabled, market, paid_card):
    done = pending_refund(market, paid_card, 100_000, stripe_refund(stripe_enabled, paid_card, 100_000)["id"])
    waiting = pending_refund(market, paid_card, 200_000, "re_still_pending_at_stripe")
    charge = charge_without_refund_list(stripe_enabled, paid_card)

    answer = deliver(client, event_payload("evt_refunded_no_list", "charge.refunded", charge))

    assert (answer.status_code, answer.json["outcome"]) == (200, EventOutcome.APPLIED)
    db.session.refresh(done)
    db.session.refresh(waiting)
    db.session.refresh(paid_card)
    assert (done.status, waiting.status) == (RefundStatus.SUCCEEDED, RefundStatus.PENDING)
    assert paid_card.refunded_amount == 100_000 and reversed_total(paid_card) == 100_000


def test_the_listed_statuses_decide_and_a_failed_refund_releases_its_amount(client, stripe_enabled, market, paid_card):
    first = stripe_refund(stripe_enabled, paid_card, 100_000)
    second = stripe_refund(stripe_enabled, paid_card, 200_000)
    done = pending_refund(market, paid_card, 100_000, first["id"])
    failing = pending_refund(market, paid_card, 200_000, second["id"])
    charge = {**latest_charge(stripe_enabled, paid_card.stripe_payment_intent_id), "amount_refunded": 10_000_000}
    charge["refunds"] = {
        "object": "list",
        "has_more": False,
        "data": [{**first, "status": "succeeded"}, {**second, "status": "pending"}],
    }

    deliver(client, event_payload("evt_refunded_listed", "charge.refunded", charge))

    db.session.refresh(failing)
    assert failing.status == RefundStatus.PENDING
    assert refunds.refundable_amount(paid_card) == paid_card.amount - 300_000

    failed = {**second, "status": "failed", "failure_reason": "expired_or_canceled_card"}
    answer = deliver(client, event_payload("evt_refund_failed", "charge.refund.updated", failed))

    assert answer.json["outcome"] == EventOutcome.APPLIED
    db.session.refresh(failing)
    db.session.refresh(done)
    db.session.refresh(paid_card)
    assert (done.status, failing.status) == (RefundStatus.SUCCEEDED, RefundStatus.FAILED)
    assert refunds.refundable_amount(paid_card) == paid_card.amount - 100_000
    assert paid_card.status == PaymentStatus.PARTIALLY_REFUNDED
    assert reversed_total(paid_card) == 100_000
    assert deliver(client, event_payload("evt_refund_failed_2", "refund.updated", failed)).json["outcome"] == (
        EventOutcome.IGNORED
    )


def test_a_refund_stripe_fails_after_it_was_done_is_undone_with_its_reversal(
    client, stripe_enabled, market, invoiced_order
):
    market.coop.fee_bps = 250  # members pay a fee on what they earn, given back on refunds
    db.session.commit()
    paid_card = payments.start_card_payment(
        actor=market.bendahara, order=invoiced_order, token=card_token(stripe_enabled)
    )
    deliver(client, emulator_event(stripe_enabled, paid_card.stripe_payment_intent_id, "payment_intent.succeeded"))
    db.session.refresh(paid_card)
    balances_before = member_balances(market)
    assert all(amount > 0 for amount in balances_before.values())
    part = refunds.refund(actor=market.manager, payment=paid_card, amount=300_000, reason=REASON)
    rest = refunds.refund(actor=market.manager, payment=paid_card, amount=paid_card.amount - 300_000, reason=REASON)
    assert paid_card.status == PaymentStatus.REFUNDED and member_balances(market) != balances_before
    at_stripe = stripe_enabled.client().v1.refunds.retrieve(rest.stripe_refund_id).to_dict()
    failed = {**at_stripe, "status": "failed", "failure_reason": "expired_or_canceled_card"}

    answer = deliver(client, event_payload("evt_refund_failed_late", "refund.updated", failed))

    assert answer.json["outcome"] == EventOutcome.APPLIED
    db.session.refresh(rest)
    db.session.refresh(paid_card)
    assert rest.status == RefundStatus.FAILED
    assert paid_card.status == PaymentStatus.PARTIALLY_REFUNDED and paid_card.refunded_amount == 300_000
    assert reversed_total(paid_card) == 300_000  # only the refund that stands is reversed
    assert refunds.refundable_amount(paid_card) == paid_card.amount - 300_000
    assert deliver(client, event_payload("evt_refund_failed_late_2", "refund.updated", failed)).json["outcome"] == (
        EventOutcome.IGNORED
    )
    # The first refund failing too leaves the members as before any refund, fee included.
    first = {**stripe_enabled.client().v1.refunds.retrieve(part.stripe_refund_id).to_dict(), "status": "failed"}
    deliver(client, event_payload("evt_refund_failed_first", "refund.updated", first))
    db.session.refresh(paid_card)
    assert paid_card.status == PaymentStatus.SUCCEEDED and paid_card.refunded_amount == 0
    assert member_balances(market) == balances_before


def member_balances(market) -> dict[int, int]:
    return {member.id: balance(market.coop.id, member.id) for member in (market.seller_a, market.seller_b)}


def test_an_event_that_could_not_be_applied_is_answered_500_and_applied_on_retry(
    app, client, stripe_enabled, market, paid_card
):
    done = pending_refund(market, paid_card, 100_000, stripe_refund(stripe_enabled, paid_card, 100_000)["id"])
    payload = event_payload("evt_retry", "charge.refunded", charge_without_refund_list(stripe_enabled, paid_card))

    app.config["STRIPE_API_BASE"] = UNREACHABLE  # Stripe is down while the event is applied
    try:
        failed = deliver(client, payload)
    finally:
        app.config["STRIPE_API_BASE"] = stripe_enabled.url

    assert failed.status_code == 500
    stored = db.session.get(StripeEvent, "evt_retry")
    assert stored.outcome == EventOutcome.FAILED and stored.payment_id == paid_card.id
    db.session.refresh(done)
    assert done.status == RefundStatus.PENDING

    retried = deliver(client, payload)

    assert (retried.status_code, retried.json["outcome"]) == (200, EventOutcome.APPLIED)
    db.session.refresh(done)
    assert done.status == RefundStatus.SUCCEEDED
    assert deliver(client, payload).status_code == 200  # a repeat of an applied event changes nothing


@pytest.mark.parametrize("event_type", ["payment_intent.created", "customer.created"])
def test_a_verified_event_we_do_not_act_on_stays_200(client, stripe_enabled, paid_card, event_type):
    payload = event_payload(f"evt_{event_type}", event_type, {"id": "obj_1", "object": "thing"})

    answer = deliver(client, payload)

    assert (answer.status_code, answer.json["outcome"]) == (200, EventOutcome.IGNORED)
