"""The reconciliation: card payments Stripe said were processing over an hour ago are retrieved from Stripe and
their real status applied, as a webhook would (forward only, order and payment locked); card payments left waiting
(PENDING: 3-D Secure never completed, or no PaymentIntent made) for longer than PAYMENTS_PENDING_STALE_MINUTES are
settled (`abandon.settle_waiting`): cancelled at Stripe and failed, or applied if Stripe took the money; card
refunds whose Stripe call got no answer are asked again with their idempotency key. Beat runs it daily
(PAYMENTS_RECONCILE_CRON); the operator may run it at once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from marketplace.core.audit import AuditEvent, record_event
from marketplace.core.errors import DomainError
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.payments import gateway
from marketplace.payments.models import Payment, Refund
from marketplace.payments.services.abandon import EXPIRED, is_abandonable, settle_waiting
from marketplace.payments.services.payments import lock_payment
from marketplace.payments.services.refunds import refund_at_stripe
from marketplace.payments.services.webhooks import apply_intent
from marketplace.payments.states import PaymentMethod, PaymentStatus, RefundStatus

#: The audit action of a change the reconciliation made (on the order's timeline, `after.payment_id`).
RECONCILE_ACTION = "payment.reconciled"
#: How many recent reconciliation changes the operator's page shows.
RECENT_CHANGES = 20

logger = logging.getLogger(__name__)

#: How long a payment may stay processing before the reconciliation asks Stripe.
STALE_AFTER = timedelta(hours=1)
#: A PaymentIntent's status and the payment status it means (the others change nothing).
INTENT_STATUSES = {
    "succeeded": PaymentStatus.SUCCEEDED,
    "requires_payment_method": PaymentStatus.FAILED,
    "canceled": PaymentStatus.FAILED,
}


def stale_payments(now: datetime | None = None) -> list[Payment]:
    """Card payments with a PaymentIntent, processing since over an hour before `now`, oldest first."""
    since = Payment.processing_since
    intent = Payment.stripe_payment_intent_id.is_not(None)
    return _card_payments(PaymentStatus.PROCESSING, since, (now or utcnow()) - STALE_AFTER, intent)


def pending_stale_after() -> timedelta:
    """How long a card payment may wait (PENDING) before the reconciliation settles it."""
    return timedelta(minutes=current_app.config["PAYMENTS_PENDING_STALE_MINUTES"])


def stale_pending_payments(now: datetime | None = None) -> list[Payment]:
    """Card payments waiting (PENDING) since before `now` less `pending_stale_after()`, oldest first."""
    return _card_payments(PaymentStatus.PENDING, Payment.created_at, (now or utcnow()) - pending_stale_after())


def _card_payments(status: PaymentStatus, since: Any, cutoff: datetime, *conditions: Any) -> list[Payment]:
    """Card payments in `status` whose `since` column is before `cutoff`, oldest first."""
    query = select(Payment).where(Payment.method == PaymentMethod.CARD, Payment.status == status, since < cutoff)
    return list(db.session.scalars(query.where(*conditions).order_by(since, Payment.id)))


def reconcile(now: datetime | None = None) -> list[tuple[Payment, str, str]]:
    """Apply Stripe's status to every stale processing payment and settle every stale waiting one; return
    (payment, old status, new status) of those that changed. Each payment is committed on its own: one Stripe or
    database error does not stop the others."""
    if gateway.client() is None:
        return []
    work = [(_reconcile_one, payment.id) for payment in stale_payments(now)]
    work += [(_settle_one, payment.id) for payment in stale_pending_payments(now)]
    changed: list[tuple[Payment, str, str]] = []
    for step, payment_id in work:
        try:
            result = step(payment_id)
        except (gateway.StripeError, DomainError):
            db.session.rollback()
            logger.exception("reconciliation of payment %s failed", payment_id)
            continue
        if result is not None:
            changed.append(result)
    _ask_unanswered_refunds_again()
    return changed


def unanswered_refunds() -> list[int]:
    """The ids of pending card refunds that have no Stripe refund yet (their call got no answer), oldest first."""
    return list(
        db.session.scalars(
            select(Refund.id)
            .join(Payment, Payment.id == Refund.payment_id)
            .where(
                Refund.status == RefundStatus.PENDING,
                Refund.stripe_refund_id.is_(None),
                Payment.method == PaymentMethod.CARD,
            )
            .order_by(Refund.id)
        )
    )


def _ask_unanswered_refunds_again() -> None:
    """Ask Stripe again for each unanswered refund (same idempotency key: made once at most); each on its own."""
    for refund_id in unanswered_refunds():
        try:
            refund_at_stripe(refund_id)
        except DomainError:
            db.session.rollback()
            logger.warning("reconciliation: refund %s is still unanswered or was refused", refund_id)


def _reconcile_one(payment_id: int) -> tuple[Payment, str, str] | None:
    """Retrieve one payment's intent and apply its status; commit."""
    payment = db.session.get(Payment, payment_id)
    intent = gateway.retrieve_intent(payment.stripe_payment_intent_id)
    target = INTENT_STATUSES.get(intent.status)
    if target is None:
        db.session.rollback()
        return None
    old = payment.status
    applied = apply_intent(intent.to_dict(), target)
    payment = applied.payment or payment
    return _record_change(payment, old, intent.status)


def _settle_one(payment_id: int) -> tuple[Payment, str, str] | None:
    """Settle one card payment left waiting (`abandon.settle_waiting`); commit."""
    payment = lock_payment(db.session.get(Payment, payment_id))[1]
    if not is_abandonable(payment):
        db.session.rollback()
        return None
    old = payment.status
    intent_status = settle_waiting(payment, actor=None, code=EXPIRED)
    return _record_change(payment, old, intent_status)


def _record_change(payment: Payment, old: str, intent_status: str | None) -> tuple[Payment, str, str] | None:
    """Record and commit the payment's change from `old` (roll back when there is none)."""
    if payment.status == old:
        db.session.rollback()
        return None
    record_event(
        RECONCILE_ACTION,
        subject_type="order",
        subject_id=payment.order_id,
        actor_id=None,
        before={"payment_id": payment.id, "status": old},
        after={"payment_id": payment.id, "status": payment.status, "intent_status": intent_status},
    )
    db.session.commit()
    return payment, old, payment.status


def recent_changes(limit: int = RECENT_CHANGES) -> list[AuditEvent]:
    """The latest status changes the reconciliation made, newest first."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.action == RECONCILE_ACTION)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))
