"""Stripe's webhook events: verified, each applied once, in any order.

`handle` verifies the signature (BadSignature otherwise: nothing is read or written), then stores the event's id in
the same transaction as the change it makes, so a repeat finds the id and does nothing. An event only ever moves a
payment forward (`states.RANK`): a late `processing` after `succeeded` changes nothing. The payment and its order
are locked while the event is applied, so a webhook and a reconciliation (or two deliveries) cannot apply twice.
Emails and other slow work are queued by the services after commit (`enqueue_after_commit`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from marketplace.core.errors import DomainError
from marketplace.core.money import stripe_amount
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.payments import gateway
from marketplace.payments.models import Payment, Refund, StripeEvent
from marketplace.payments.services import payments, refunds
from marketplace.payments.states import RANK, EventOutcome, PaymentMethod, PaymentStatus, RefundStatus

logger = logging.getLogger(__name__)

#: PaymentIntent event types and the payment status each one means.
INTENT_EVENTS = {
    "payment_intent.processing": PaymentStatus.PROCESSING,
    "payment_intent.succeeded": PaymentStatus.SUCCEEDED,
    "payment_intent.payment_failed": PaymentStatus.FAILED,
    "payment_intent.canceled": PaymentStatus.FAILED,
}
#: Events about a charge whose refunds changed (the charge is the object).
CHARGE_REFUND_EVENTS = frozenset({"charge.refunded"})
#: Events about one refund (the refund is the object): it succeeded, failed or was cancelled later.
REFUND_EVENTS = frozenset({"charge.refund.updated", "refund.updated", "refund.failed"})


class BadSignature(Exception):
    """The webhook's signature is missing or wrong, or its body is not an event: answer 400, change nothing."""


@dataclass
class Applied:
    """What applying an event did: its outcome, the payment it concerns and a note for the operator."""

    outcome: EventOutcome
    payment: Payment | None = None
    detail: str | None = None
    #: Applying it raised an error (Stripe or the database unreachable, a refused move): Stripe should retry.
    errored: bool = False


@dataclass
class Delivery:
    """One webhook delivery handled: the stored event (None while a concurrent delivery of it is being stored) and
    whether to ask Stripe to deliver it again (its application raised an error; the stored FAILED event is applied
    again then)."""

    event: StripeEvent | None
    retry: bool = False


def handle(payload: bytes, sig_header: str | None) -> Delivery:
    """Verify and apply one webhook delivery; return the stored event (the earlier one for a repeat), and whether
    applying it raised an error (then Stripe should retry: a stored FAILED event is applied again)."""
    try:
        event = gateway.construct_event(payload, sig_header)
    except (gateway.SignatureError, ValueError) as error:
        raise BadSignature(str(error)) from error
    data = gateway.event_data(event)
    previous = db.session.get(StripeEvent, event.id)
    if previous is not None and previous.outcome != EventOutcome.FAILED:
        return Delivery(previous)
    return _store(event.id, event.type, data, previous)


def _apply_safely(event_id: str, event_type: str, obj: dict[str, Any]) -> Applied:
    """Apply the event; an error rolls its changes back and becomes a FAILED outcome. Only a passing error (Stripe
    or the database unreachable) is marked `errored`, so Stripe sends the event again; a refusal of our rules
    would be refused again: it is kept for the operator."""
    try:
        return apply(event_type, obj)
    except DomainError as error:
        detail, passing = error.message or type(error).__name__, False
    except (gateway.StripeError, SQLAlchemyError) as error:
        detail, passing = f"{type(error).__name__}: {error}", True
    db.session.rollback()
    logger.warning("stripe event %s (%s) could not be applied: %s", event_id, event_type, detail)
    return Applied(EventOutcome.FAILED, _payment_for(obj, lock=False), detail, errored=passing)


def _store(event_id: str, event_type: str, data: dict[str, Any], previous: StripeEvent | None) -> Delivery:
    """Apply the event and store it in one transaction; a failed application is stored alone, for the operator."""
    obj = data.get("data", {}).get("object", {})
    applied = _apply_safely(event_id, event_type, obj)
    record = db.session.get(StripeEvent, event_id) if previous is not None else None
    if record is None:
        record = StripeEvent(id=event_id)
        db.session.add(record)
    record.type = event_type
    record.outcome = applied.outcome
    record.payment_id = applied.payment.id if applied.payment is not None else None
    record.object_id = obj.get("id")
    record.detail = applied.detail
    record.payload = data
    record.received_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError:
        # Another delivery of the same event committed first: it made the change, this one does nothing.
        db.session.rollback()
        return Delivery(db.session.get(StripeEvent, event_id))
    return Delivery(record, retry=applied.errored)


def apply(event_type: str, obj: dict[str, Any]) -> Applied:
    """Apply a PaymentIntent or refund event's object to our payment (flushes, does not commit)."""
    if event_type in INTENT_EVENTS:
        return apply_intent(obj, INTENT_EVENTS[event_type])
    if event_type in CHARGE_REFUND_EVENTS:
        return _apply_refunded_charge(obj)
    if event_type in REFUND_EVENTS:
        return _apply_refund(obj)
    return Applied(EventOutcome.IGNORED, detail=f"not an event we act on: {event_type}")


def apply_intent(intent: dict[str, Any], status: PaymentStatus) -> Applied:
    """Move the intent's payment forward to `status` (never back); also used by the reconciliation."""
    payment = _payment_for(intent, lock=True)
    if payment is None:
        return Applied(EventOutcome.UNMATCHED, detail=f"no payment for PaymentIntent {intent.get('id')}")
    mismatch = _mismatch(payment, intent)
    if mismatch:
        return Applied(EventOutcome.FAILED, payment, mismatch)
    current = PaymentStatus(payment.status)
    if current == PaymentStatus.FAILED and status == PaymentStatus.SUCCEEDED:
        return Applied(EventOutcome.FAILED, payment, "Stripe took the money of a payment marked failed: check it")
    if RANK[status] <= RANK[current]:
        return Applied(EventOutcome.IGNORED, payment, f"no change: the payment is already {current}")

    if not payment.stripe_payment_intent_id:
        payment.stripe_payment_intent_id = intent["id"]
    if status == PaymentStatus.PROCESSING:
        payments.mark_processing(payment)
    elif status == PaymentStatus.SUCCEEDED:
        payments.mark_succeeded(payment)
    else:
        code, message = _failure(intent)
        payments.mark_failed(payment, code, message)
    return Applied(EventOutcome.APPLIED, payment, f"{current} → {payment.status}")


def _payment_for(obj: dict[str, Any], *, lock: bool) -> Payment | None:
    """Our card payment of a PaymentIntent (or of a charge's intent): by intent id, else by its metadata."""
    intent_id = obj.get("payment_intent") if obj.get("object") in {"charge", "refund"} else obj.get("id")
    if not intent_id:
        return None
    condition = Payment.stripe_payment_intent_id == intent_id
    payment_id = str((obj.get("metadata") or {}).get("payment_id") or "")
    if payment_id.isdigit() and obj.get("object") == "payment_intent":
        # The webhook may come before the call that created the intent returned and stored its id.
        condition = condition | ((Payment.id == int(payment_id)) & Payment.stripe_payment_intent_id.is_(None))
    query = select(Payment).where(condition, Payment.method == PaymentMethod.CARD)
    if lock:
        payment = db.session.scalars(query.limit(1)).first()
        if payment is None:
            return None
        return payments.lock_payment(payment)[1]  # the order first, as every payment service does
    return db.session.scalars(query.limit(1)).first()


def _mismatch(payment: Payment, intent: dict[str, Any]) -> str | None:
    """Why the intent cannot be this payment's (another intent, amount or currency), if it cannot."""
    if payment.stripe_payment_intent_id not in (None, intent.get("id")):
        return f"the payment has PaymentIntent {payment.stripe_payment_intent_id}, not {intent.get('id')}"
    if intent.get("amount") != stripe_amount(payment.amount) or intent.get("currency") != gateway.CURRENCY:
        return (
            f"amount {intent.get('amount')} {intent.get('currency')} differs from the payment's "
            f"{stripe_amount(payment.amount)} {gateway.CURRENCY}"
        )
    return None


def _failure(intent: dict[str, Any]) -> tuple[str, str]:
    """Stripe's decline code and message of a failed or canceled intent."""
    error = intent.get("last_payment_error") or {}
    if intent.get("status") == "canceled" and not error:
        return "canceled", str(intent.get("cancellation_reason") or "canceled")
    return payments.card_failure(error)


def _apply_refunded_charge(charge: dict[str, Any]) -> Applied:
    """Move each pending refund of ours to its status at Stripe, matched by Stripe refund id (the charge's
    `refunds` list, or Stripe's own when the event leaves it out); more refunded at Stripe than here goes to the
    operator."""
    payment = _payment_for(charge, lock=True)
    if payment is None:
        return Applied(EventOutcome.UNMATCHED, detail=f"no payment for charge {charge.get('id')}")
    listed = charge.get("refunds") or {}
    at_stripe = listed.get("data") if not listed.get("has_more") else None
    if at_stripe is None:
        at_stripe = gateway.charge_refunds(charge["id"])
    moved = sum(_apply_stripe_refund(payment, stripe_refund) for stripe_refund in at_stripe)
    refunded = int(charge.get("amount_refunded") or 0)
    if refunded > stripe_amount(payment.refunded_amount):
        return Applied(
            EventOutcome.FAILED,
            payment,
            f"Stripe refunded {refunded // 100} rupiah, the marketplace recorded {payment.refunded_amount}",
        )
    return Applied(EventOutcome.APPLIED, payment, f"{moved} refund(s) updated")


def _apply_refund(stripe_refund: dict[str, Any]) -> Applied:
    """One refund's new status at Stripe (succeeded, failed, canceled) applied to ours."""
    found = _refund_for(stripe_refund)
    if found is None:
        return Applied(EventOutcome.UNMATCHED, detail=f"no refund for {stripe_refund.get('id')}")
    payment = payments.lock_payment(found.payment)[1]
    db.session.refresh(found)
    was = found.status
    if was == RefundStatus.SUCCEEDED and stripe_refund.get("status") in {"failed", "canceled"}:
        refunds.undo_succeeded_refund(found, code=stripe_refund.get("failure_reason") or stripe_refund.get("status"))
        return Applied(EventOutcome.APPLIED, payment, f"refund {found.id}: succeeded → failed, reversal cancelled")
    if not _apply_stripe_refund(payment, stripe_refund):
        return Applied(EventOutcome.IGNORED, payment, f"no change: the refund is {was}")
    return Applied(EventOutcome.APPLIED, payment, f"refund {found.id}: {was} → {found.status}")


def _apply_stripe_refund(payment: Payment, stripe_refund: dict[str, Any]) -> bool:
    """Apply a Stripe refund's status to our pending refund of the payment it matches, if any; whether it moved."""
    found = _refund_for(stripe_refund, payment_id=payment.id)
    if found is None or found.status != RefundStatus.PENDING:
        return False
    found.stripe_refund_id = found.stripe_refund_id or stripe_refund.get("id")
    status, reason = stripe_refund.get("status"), stripe_refund.get("failure_reason")
    return refunds.apply_stripe_status(found, status, failure=reason)


def _refund_for(stripe_refund: dict[str, Any], *, payment_id: int | None = None) -> Refund | None:
    """Our refund of a Stripe refund: by its id, else (Stripe's answer never stored) by its metadata `refund_id` on
    a payment of the same PaymentIntent."""
    condition = Refund.stripe_refund_id == stripe_refund.get("id")
    refund_id = str((stripe_refund.get("metadata") or {}).get("refund_id") or "")
    if refund_id.isdigit() and stripe_refund.get("payment_intent"):
        of_intent = select(Payment.id).where(Payment.stripe_payment_intent_id == stripe_refund["payment_intent"])
        condition = condition | (
            (Refund.id == int(refund_id)) & Refund.stripe_refund_id.is_(None) & Refund.payment_id.in_(of_intent)
        )
    query = select(Refund).where(condition)
    if payment_id is not None:
        query = query.where(Refund.payment_id == payment_id)
    return db.session.scalars(query.limit(1)).first()
