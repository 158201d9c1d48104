"""Paying an order's invoice: by KKP card through Stripe (paid only when the verified webhook says so), or by a bank
transfer the bendahara records with its proof and the cooperative confirms; refunds by the cooperative.

Every state change locks the order, then the payment row (in that order, everywhere), so double clicks and
concurrent webhooks never charge or complete twice: an order has at most one active payment (`states.ACTIVE`), and
a card payment has at most one PaymentIntent. The `mark_*` functions are called inside another service's or the
webhook's transaction and only flush; the others commit.

Field paths of `ValidationFailed`: `amount`, `transfer_date`, `bank_reference`, `proof`, `reason`, `token`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import uuid4

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from lokal import format_rupiah
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.catalog.services.media.common import store_and_commit
from marketplace.core.audit import record_event
from marketplace.core.dates import past_day_error
from marketplace.core.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from marketplace.core.timeutil import to_jakarta, utcnow
from marketplace.extensions import db
from marketplace.payments import gateway
from marketplace.payments.models import Payment
from marketplace.payments.services.proofs import PROOF_TYPES, proof_name, read_proof, reference_errors
from marketplace.payments.states import ACTIVE, METHOD_LABELS, PAYMENT, RANK, PaymentMethod, PaymentStatus
from marketplace.procurement.models import Order
from marketplace.procurement.permissions import is_bendahara, is_provider_manager
from marketplace.procurement.services import deadlines, documents, fulfilment, notify
from marketplace.procurement.services.common import locked_order, require_state
from marketplace.procurement.states import ORDER, OrderStatus

S = PaymentStatus
REASON_MIN_LENGTH = 10
#: Stripe's decline codes (and `decline_code`s) we can explain in the user's language.
DECLINE_MESSAGES = {
    "card_declined": _l("The card was declined. Use another card or pay by bank transfer."),
    "generic_decline": _l("The card was declined. Use another card or pay by bank transfer."),
    "insufficient_funds": _l("The card's balance or limit is not enough for this payment."),
    "expired_card": _l("The card has expired."),
    "incorrect_cvc": _l("The card's security code (CVC) is incorrect."),
    "incorrect_number": _l("The card number is incorrect."),
    "processing_error": _l("An error occurred while processing the card. Try again in a moment."),
    "authentication_required": _l("The card needs 3-D Secure authentication, which did not succeed."),
    "payment_intent_authentication_failure": _l("The card's 3-D Secure authentication failed or was cancelled."),
    "abandoned": _l("The card payment was abandoned before it was completed."),
    "expired": _l("The card payment was not completed in time and was cancelled."),
}


# Reading ------------------------------------------------------------------------------------------------------------


def payments_of(order: Order) -> list[Payment]:
    """The order's payments, oldest first, with their refunds."""
    query = select(Payment).where(Payment.order_id == order.id).options(selectinload(Payment.refunds))
    return list(db.session.scalars(query.order_by(Payment.id)))


def active_payment(order: Order) -> Payment | None:
    """The payment that holds the order's invoice (pending, processing or paid), if any."""
    return db.session.scalars(
        select(Payment).where(Payment.order_id == order.id, Payment.status.in_([str(s) for s in ACTIVE]))
    ).first()


def kkp_limit() -> int:
    """The most a KKP card may pay to one payee, in rupiah (configuration KKP_LIMIT)."""
    return int(current_app.config["KKP_LIMIT"])


def card_allowed(order: Order) -> bool:
    """Whether the order's total may be paid by card (card payment on and the total within the KKP limit)."""
    return gateway.card_payments_enabled() and order.total <= kkp_limit()


def may_pay(user: User, order: Order) -> bool:
    """A bendahara of the work unit, while the invoice is unpaid and no payment holds it."""
    return is_bendahara(user, order) and order.status == OrderStatus.WAITING_PAYMENT and active_payment(order) is None


def failure_text(payment: Payment) -> str | None:
    """Why the payment failed, in the user's language where we know Stripe's code, else Stripe's own message."""
    if payment.status != S.FAILED:
        return None
    known = DECLINE_MESSAGES.get(payment.failure_code or "")
    return str(known) if known is not None else payment.failure_message


def payment_status(payment: Payment) -> dict[str, Any]:
    """What the paying page polls: the payment's and the order's status and, if it failed, why."""
    return {
        "payment_id": payment.id,
        "status": payment.status,
        "order_status": payment.order.status,
        "paid": RANK[S(payment.status)] >= RANK[S.SUCCEEDED],
        "failed": payment.status == S.FAILED,
        "message": failure_text(payment),
    }


# Card ---------------------------------------------------------------------------------------------------------------


def start_card_payment(*, actor: User, order: Order, token: str) -> Payment:
    """Pay the order's invoice with the card of a Stripe.js token: create (or reuse) the payment, then its
    PaymentIntent. The order is paid only when the webhook confirms it; a declined card fails the payment.

    The payment row is committed before Stripe is called (its id makes the idempotency key, and the webhook can
    find it); a second request waits for the payment's lock and gets the same payment and intent back."""
    order = locked_order(order.id)
    if not is_bendahara(actor, order):
        raise Forbidden(_("Only a bendahara of the work unit pays the invoice."))
    require_state(order, "pay")
    if not gateway.card_payments_enabled():
        raise Conflict(_("Card payment is not available; pay by bank transfer."))
    if order.total > kkp_limit():
        message = _(
            "A KKP card may pay at most %(limit)s to one provider; this invoice is %(total)s. Pay it by bank transfer.",
            limit=format_rupiah(kkp_limit()),
            total=format_rupiah(order.total),
        )
        raise ValidationFailed(message, {"amount": message})
    token = (token or "").strip()
    payment = active_payment(order)
    if payment is not None and payment.method != PaymentMethod.CARD:
        raise Conflict(_("A bank transfer is already recorded for this invoice and waits for confirmation."))
    if payment is None:
        if not token:
            raise ValidationFailed(_("Enter the card details."), {"token": _("Enter the card details.")})
        payment = Payment(
            order_id=order.id, method=PaymentMethod.CARD, status=S.PENDING, amount=order.total, created_by_id=actor.id
        )
        db.session.add(payment)
        db.session.flush()
        payment.idempotency_key = f"payment-{payment.id}"
        timeline_event(order, "order.payment_started", actor, payment)
        db.session.commit()
    order, payment = lock_payment(payment)
    if payment.stripe_payment_intent_id is None and payment.status == S.PENDING:
        try:
            intent = gateway.create_card_intent(payment, token)
        except gateway.CardError as error:
            code, message = card_failure((error.json_body or {}).get("error") or {"code": error.code})
            mark_failed(payment, code, message or getattr(error, "user_message", None) or str(error))
        else:
            payment.stripe_payment_intent_id = intent.id
            _apply_intent(payment, intent)
        db.session.commit()
    else:
        db.session.rollback()
    return payment


def _apply_intent(payment: Payment, intent: Any) -> None:
    """What Stripe's answer says before the webhook: processing, failed, or still waiting (3-D Secure)."""
    if intent.status in {"processing", "succeeded"}:
        mark_processing(payment)
    elif intent.status in {"requires_payment_method", "canceled"}:
        mark_failed(payment, *card_failure(intent.to_dict().get("last_payment_error") or {}))


def card_failure(error: dict[str, Any]) -> tuple[str, str]:
    """The code and message of Stripe's card error object: the specific `decline_code` (e.g. insufficient_funds)
    when Stripe gives one, else its `code`."""
    return str(error.get("decline_code") or error.get("code") or "card_declined"), str(error.get("message") or "")


def client_secret(payment: Payment) -> str | None:
    """The PaymentIntent's client secret, for the page to complete 3-D Secure (None if Stripe needs nothing)."""
    if payment.stripe_payment_intent_id is None or payment.status != S.PENDING:
        return None
    intent = gateway.retrieve_intent(payment.stripe_payment_intent_id)
    return intent.client_secret if intent.status == "requires_action" else None


def locked_payment(payment_id: int) -> Payment:
    """The payment re-read with its row locked until commit (lock its order first)."""
    payment = db.session.scalars(
        select(Payment).where(Payment.id == payment_id).with_for_update().execution_options(populate_existing=True)
    ).one_or_none()
    if payment is None:
        raise NotFound("payment not found")
    return payment


def lock_payment(payment: Payment) -> tuple[Order, Payment]:
    """Lock the payment's order, then the payment."""
    order = locked_order(payment.order_id)
    return order, locked_payment(payment.id)


# The marks below change a payment whose order and row the caller has locked (`lock_payment`) in this transaction.


def mark_processing(payment: Payment) -> Payment:
    """Stripe is processing the card payment (a later status is kept: events may come in any order); flush only."""
    if RANK[S(payment.status)] >= RANK[S.PROCESSING]:
        return payment
    PAYMENT.move(payment, "process", actor_id=None)
    payment.processing_since = utcnow()
    db.session.flush()
    return payment


def mark_failed(payment: Payment, code: str | None, message: str | None) -> Payment:
    """The card payment failed: the invoice stays payable, the bendahara is told why; flush only.

    A payment already paid (or failed) is left as it is."""
    order = payment.order
    if RANK[S(payment.status)] >= RANK[S.FAILED]:
        return payment
    PAYMENT.move(payment, "fail", actor_id=None, extra={"code": code})
    payment.failed_at = utcnow()
    payment.failure_code = (code or "")[:80] or None
    payment.failure_message = message or None
    timeline_event(order, "order.payment_failed", None, payment, code=code)
    notify.order_event(order, "payment_failed", payment=payment)
    db.session.flush()
    return payment


def mark_succeeded(payment: Payment, *, at: datetime | None = None, actor: User | None = None) -> Payment:
    """The payment is paid (verified webhook, or a confirmed transfer): the order is COMPLETED, the kuitansi
    issued, the members' earnings recorded and everyone notified. A repeat does nothing; flush only."""
    order = payment.order
    if RANK[S(payment.status)] >= RANK[S.SUCCEEDED]:
        return payment
    actor_id = actor.id if actor else None
    PAYMENT.move(payment, "succeed", actor_id=actor_id)
    payment.succeeded_at = at or utcnow()
    if not ORDER.can(order, "pay"):
        # Paid twice, or paid after cancellation: the money is recorded and the operator sees the event.
        timeline_event(order, "order.payment_unexpected", actor, payment)
        db.session.flush()
        return payment
    fulfilment.complete(order, "pay", actor_id=actor_id, extra={"payment_id": payment.id, "method": payment.method})
    kuitansi = documents.issue_kuitansi(order, actor, payment=payment, method_label=METHOD_LABELS[payment.method])
    from marketplace.payments.services import ledger

    ledger.record_earnings(payment)
    notify.order_event(order, "paid", actor=actor, payment=payment, kuitansi=kuitansi)
    db.session.flush()
    return payment


# Bank transfer ------------------------------------------------------------------------------------------------------


def record_transfer(
    *, actor: User, order: Order, transfer_date: date | None, amount: int | None, bank_reference: str, proof: Any
) -> Payment:
    """Record the work unit's bank transfer (LS/SP2D) of the invoice with its proof (PDF, JPEG or PNG, ≤ 10 MB);
    the cooperative's managers confirm it."""
    order = locked_order(order.id)
    if not is_bendahara(actor, order):
        raise Forbidden(_("Only a bendahara of the work unit records a payment."))
    require_state(order, "pay")
    if active_payment(order) is not None:
        raise Conflict(_("A payment of this invoice is already under way or done."))
    bank_reference = (bank_reference or "").strip()
    errors = reference_errors(bank_reference)
    day_error = past_day_error(
        transfer_date,
        earliest=to_jakarta(order.created_at).date(),
        missing=_("Enter the transfer date."),
        future=_("The transfer date cannot be in the future."),
    )
    if day_error:
        errors["transfer_date"] = day_error
    if amount != order.total:
        errors["amount"] = _("The transfer must be the invoice's total, %(total)s.", total=format_rupiah(order.total))
    data, content_type = read_proof(proof, errors)
    if errors:
        raise ValidationFailed(_("The transfer could not be recorded."), errors)
    key = f"payments/{order.id}/{uuid4().hex}.{PROOF_TYPES[content_type]}"
    payment = Payment(
        order_id=order.id,
        method=PaymentMethod.TRANSFER,
        status=S.PENDING,
        amount=order.total,
        created_by_id=actor.id,
        transfer_date=transfer_date,
        bank_reference=bank_reference,
        proof_storage_key=key,
        proof_content_type=content_type,
        proof_filename=proof_name(proof, content_type),
    )
    db.session.add(payment)
    db.session.flush()
    timeline_event(order, "order.transfer_recorded", actor, payment, bank_reference=bank_reference)
    deadlines.wait_for(order, deadlines.PROVIDER)
    notify.order_event(order, "transfer_recorded", actor=actor, payment=payment)
    store_and_commit(key, data)
    return payment


def confirm_transfer(*, actor: User, payment: Payment) -> Payment:
    """A manager of the cooperative confirms the money arrived: the order is paid (see `mark_succeeded`)."""
    order, payment = lock_payment(payment)
    require_manager(actor, order)
    if payment.method != PaymentMethod.TRANSFER or payment.status != S.PENDING:
        raise IllegalTransition("payment", payment.status, "confirm")
    payment.confirmed_by_id = actor.id
    payment.confirmed_at = utcnow()
    mark_succeeded(payment, actor=actor)
    db.session.commit()
    return payment


def reject_transfer(*, actor: User, payment: Payment, reason: str) -> Payment:
    """A manager says a recorded transfer did not arrive (or does not match): it fails and the invoice is payable."""
    order, payment = lock_payment(payment)
    require_manager(actor, order)
    if payment.method != PaymentMethod.TRANSFER or payment.status != S.PENDING:
        raise IllegalTransition("payment", payment.status, "reject")
    require_reason(reason)
    mark_failed(payment, "transfer_rejected", reason.strip())
    deadlines.wait_for(order, deadlines.BENDAHARA)
    db.session.commit()
    return payment


# Helpers ------------------------------------------------------------------------------------------------------------


def require_manager(actor: User, order: Order) -> None:
    if not is_provider_manager(actor, order):
        raise Forbidden(_("Only the cooperative's managers confirm and refund payments."))


def require_reason(reason: str | None) -> None:
    if len((reason or "").strip()) < REASON_MIN_LENGTH:
        message = _("Give the reason (at least %(min)s characters).", min=REASON_MIN_LENGTH)
        raise ValidationFailed(message, {"reason": message})


def timeline_event(order: Order, action: str, actor: User | None, payment: Payment, **after: Any) -> None:
    """An event on the order's timeline about one of its payments."""
    record_event(
        action,
        subject_type="order",
        subject_id=order.id,
        actor_id=actor.id if actor else None,
        after={"payment_id": payment.id, "method": payment.method, "amount": payment.amount, **after},
    )
