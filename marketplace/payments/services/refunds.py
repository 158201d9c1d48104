"""Refunds by the cooperative's managers: a card payment through Stripe, a transfer recorded with its proof; the
members' earnings are reversed in proportion (`ledger.reverse_for_refund`)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from lokal import format_rupiah
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.services.media.common import store_and_commit
from marketplace.core.errors import Conflict, IllegalTransition, ValidationFailed
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.payments import gateway
from marketplace.payments.models import Payment, Refund
from marketplace.payments.services.form_keys import clean_form_key
from marketplace.payments.services.payments import REASON_MIN_LENGTH, lock_payment, require_manager, timeline_event
from marketplace.payments.services.proofs import PROOF_TYPES, proof_name, read_proof, reference_errors
from marketplace.payments.states import PAYMENT, PaymentMethod, PaymentStatus, RefundStatus
from marketplace.procurement.services import notify

S = PaymentStatus
#: Stripe refused a card refund (and gave no message of its own).
STRIPE_REFUSED = _l("Stripe refused the refund.")
STRIPE_UNANSWERED = _l(
    "Stripe did not answer. The refund stays pending and holds its amount; it is asked again with the same key by "
    "the reconciliation, so it is never made twice."
)


def refundable_amount(payment: Payment) -> int:
    """What may still be refunded: the amount less refunds done or under way."""
    pending = sum(r.amount for r in payment.refunds if r.status == RefundStatus.PENDING)
    return payment.amount - payment.refunded_amount - pending


def refund(
    *,
    actor: User,
    payment: Payment,
    amount: int | None,
    reason: str,
    bank_reference: str | None = None,
    proof: Any = None,
    key: str | None = None,
) -> Refund:
    """A manager refunds all or part of a paid payment: a card through Stripe, a transfer recorded with its proof.
    The members' earnings are reversed in proportion.

    `key` is the refund form's idempotency key (`form_keys`): the same key again returns the refund it made (its
    Stripe call retried if it never got an answer, its refusal raised again) instead of refunding twice; the card
    refund's Stripe idempotency key is derived from it."""
    order, payment = lock_payment(payment)
    require_manager(actor, order)
    errors: dict[str, str] = {}
    key = clean_form_key(key, errors)
    earlier = _refund_of_key(payment, key) if key and not errors else None
    if earlier is not None:
        return _repeat(earlier)
    if payment.status not in {S.SUCCEEDED, S.PARTIALLY_REFUNDED}:
        raise IllegalTransition("payment", payment.status, "refund")
    left = refundable_amount(payment)
    if amount is None or not 0 < amount <= left:
        errors["amount"] = _("Enter an amount from Rp1 to %(max)s.", max=format_rupiah(left))
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        errors["reason"] = _("Give the reason (at least %(min)s characters).", min=REASON_MIN_LENGTH)
    card = payment.method == PaymentMethod.CARD
    data = content_type = None
    if not card:
        bank_reference = (bank_reference or "").strip()
        errors.update(reference_errors(bank_reference))
        data, content_type = read_proof(proof, errors)
    if errors:
        raise ValidationFailed(_("The refund could not be recorded."), errors)
    found = Refund(
        payment_id=payment.id,
        amount=amount,
        reason=reason,
        status=RefundStatus.PENDING,
        created_by_id=actor.id,
        form_key=key,
    )
    db.session.add(found)
    db.session.flush()
    found.idempotency_key = f"refund-{payment.id}-{key}" if key else f"refund-{found.id}"
    if card:
        # Committed before Stripe is called: a retry reuses the key, and the amount is held meanwhile.
        db.session.commit()
        return refund_at_stripe(found.id)
    found.bank_reference = bank_reference
    found.proof_storage_key = f"payments/{order.id}/refund-{uuid4().hex}.{PROOF_TYPES[content_type]}"
    found.proof_content_type = content_type
    found.proof_filename = proof_name(proof, content_type)
    mark_refund_succeeded(found, actor=actor)
    store_and_commit(found.proof_storage_key, data)
    return found


def _refund_of_key(payment: Payment, key: str) -> Refund | None:
    """The refund of the payment an earlier submission of the form with this key made, if any."""
    return db.session.scalars(select(Refund).where(Refund.payment_id == payment.id, Refund.form_key == key)).first()


def _repeat(found: Refund) -> Refund:
    """The same form again: the refund it made as it is; its Stripe call again (same idempotency key) when it never
    got an answer; Stripe's refusal again when it was refused."""
    if found.status == RefundStatus.FAILED:
        db.session.rollback()
        raise ValidationFailed(str(STRIPE_REFUSED), {"amount": str(STRIPE_REFUSED)})
    retry = found.status == RefundStatus.PENDING and found.payment.method == PaymentMethod.CARD
    db.session.rollback()
    if retry and found.stripe_refund_id is None:
        return refund_at_stripe(found.id)
    return found


def refund_at_stripe(refund_id: int) -> Refund:
    """Ask Stripe for the pending card refund, with its idempotency key (unless an earlier call already got
    Stripe's answer: also safe to call again for one whose first call got none); commit."""
    lock_payment(db.session.get(Refund, refund_id).payment)
    found = db.session.scalars(
        select(Refund).where(Refund.id == refund_id).execution_options(populate_existing=True)
    ).one()
    if found.status != RefundStatus.PENDING or found.stripe_refund_id is not None:
        db.session.rollback()
        return found
    try:
        answer = gateway.create_refund(found)
    except gateway.UnansweredError as error:
        db.session.rollback()  # still pending: Stripe may have refunded; the same key asks again
        raise Conflict(str(STRIPE_UNANSWERED)) from error
    except gateway.StripeError as error:
        mark_refund_failed(found, code=getattr(error, "code", None) or "stripe_error")
        db.session.commit()
        message = getattr(error, "user_message", None) or str(STRIPE_REFUSED)
        raise ValidationFailed(message, {"amount": message}) from error
    found.stripe_refund_id = answer.id
    apply_stripe_status(found, answer.status)
    db.session.commit()
    return found


def apply_stripe_status(found: Refund, status: str | None, *, failure: str | None = None) -> bool:
    """Move a pending card refund to what Stripe's refund status says (`succeeded`, `failed`, `canceled`; the
    others wait); whether it moved. Its payment and order are locked by the caller; flush only."""
    if found.status != RefundStatus.PENDING:
        return False
    if status == "succeeded":
        mark_refund_succeeded(found, actor=found.created_by)
        return True
    if status in {"failed", "canceled"}:
        mark_refund_failed(found, code=failure or status)
        return True
    return False


def mark_refund_failed(found: Refund, *, code: str | None = None) -> Refund:
    """The refund did not happen: the amount it held may be refunded again; on the order's timeline. Flush only."""
    if found.status != RefundStatus.PENDING:
        return found
    found.status = RefundStatus.FAILED
    payment = found.payment
    timeline_event(payment.order, "order.refund_failed", found.created_by, payment, refund_id=found.id, code=code)
    db.session.flush()
    return found


def undo_succeeded_refund(found: Refund, *, code: str | None = None) -> Refund:
    """Stripe failed a refund it had reported done (the card's account closed, say): the money stayed with the
    cooperative, so the refund is FAILED, the payment holds its amount again, the members' reversal and fee given
    back are cancelled, and the order's timeline says so. A repeat does nothing; flush only."""
    if found.status != RefundStatus.SUCCEEDED:
        return found
    order, payment = lock_payment(found.payment)
    found.status = RefundStatus.FAILED
    payment.refunded_amount -= found.amount
    action = "refund_undone" if payment.refunded_amount <= 0 else "refund_undone_part"
    PAYMENT.move(payment, action, actor_id=None, extra={"refund_id": found.id, "code": code})
    from marketplace.payments.services import ledger

    ledger.cancel_reversal(found)
    timeline_event(order, "order.refund_failed", None, payment, refund_id=found.id, code=code, after_success=True)
    db.session.flush()
    return found


def mark_refund_succeeded(found: Refund, *, actor: User | None = None) -> Refund:
    """The refund is done (at once for a transfer; Stripe's answer or webhook for a card): the payment shows it and
    the members' earnings are reversed. A repeat does nothing; flush only."""
    if found.status == RefundStatus.SUCCEEDED:
        return found
    order, payment = lock_payment(found.payment)
    found.status = RefundStatus.SUCCEEDED
    found.succeeded_at = utcnow()
    payment.refunded_amount += found.amount
    action = "refund_all" if payment.refunded_amount >= payment.amount else "refund_part"
    PAYMENT.move(payment, action, actor_id=actor.id if actor else None, extra={"refund_id": found.id})
    db.session.flush()
    from marketplace.payments.services import ledger

    ledger.reverse_for_refund(found)
    details = {"refund_id": found.id, "amount": found.amount, "reason": found.reason}
    timeline_event(order, "order.refunded", actor, payment, **details)
    notify.order_event(order, "refunded", actor=actor, payment=payment, refund=found)
    db.session.flush()
    return found
