"""Card payments left waiting: a card payment stays PENDING while 3-D Secure is open, or when Stripe erred before
its PaymentIntent existed, and holds the invoice (`states.ACTIVE`) so that nothing else can pay it. A bendahara of
the work unit may abandon it from the order page; the reconciliation settles those waiting longer than
PAYMENTS_PENDING_STALE_MINUTES. Either way Stripe is asked first: an intent that can still take the money is
cancelled, one that took it is applied as its webhook would be."""

from __future__ import annotations

from flask_babel import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import Conflict, Forbidden, IllegalTransition
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.payments import gateway
from marketplace.payments.models import Payment
from marketplace.payments.services.payments import lock_payment, timeline_event
from marketplace.payments.services.webhooks import apply_intent
from marketplace.payments.states import PAYMENT, PaymentMethod, PaymentStatus
from marketplace.procurement.permissions import is_bendahara
from marketplace.procurement.services import notify

#: Failure codes (`Payment.failure_code`, explained by `payments.DECLINE_MESSAGES`).
ABANDONED = "abandoned"
EXPIRED = "expired"
#: PaymentIntent statuses in which it has not taken the money and Stripe lets us cancel it.
CANCELABLE = frozenset({"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"})
#: PaymentIntent statuses in which the card company has the payment, and the payment status each means.
TAKEN = {"processing": PaymentStatus.PROCESSING, "succeeded": PaymentStatus.SUCCEEDED}
NOTES = {ABANDONED: "abandoned by the bendahara", EXPIRED: "not completed in time, cancelled by the reconciliation"}


def is_abandonable(payment: Payment) -> bool:
    """Whether the payment is a card payment still waiting (not yet processing at Stripe)."""
    return payment.method == PaymentMethod.CARD and payment.status == PaymentStatus.PENDING


def abandon_card_payment(*, actor: User, payment: Payment) -> Payment:
    """A bendahara of the work unit gives up a card payment left waiting: its PaymentIntent (if any) is cancelled
    at Stripe and the payment fails with the reason, so the invoice may be paid again. Raises Forbidden,
    IllegalTransition (not a waiting card payment), or Conflict (Stripe unreachable, or the card company already
    took the payment: then its real state is applied)."""
    order, payment = lock_payment(payment)
    if not is_bendahara(actor, order):
        raise Forbidden(_("Only a bendahara of the work unit abandons a card payment."))
    if not is_abandonable(payment):
        raise IllegalTransition("payment", payment.status, "abandon")
    try:
        settle_waiting(payment, actor=actor, code=ABANDONED)
    except gateway.StripeError as error:
        db.session.rollback()
        raise Conflict(_("The card payment service is not reachable now. Try again in a moment.")) from error
    db.session.commit()
    if payment.status != PaymentStatus.FAILED:
        raise Conflict(_("The card company has already processed this payment; it can no longer be abandoned."))
    return payment


def settle_waiting(payment: Payment, *, actor: User | None, code: str) -> str | None:
    """Give up the waiting card payment, or apply what Stripe did with it (its order and row locked; flush only);
    return the PaymentIntent's status as Stripe had it (None without an intent)."""
    intent_id = payment.stripe_payment_intent_id
    if intent_id is None:
        mark_abandoned(payment, actor=actor, code=code)
        return None
    intent = gateway.retrieve_intent(intent_id)
    if intent.status in CANCELABLE:
        gateway.cancel_intent(intent_id)
    if intent.status in CANCELABLE or intent.status == "canceled":
        mark_abandoned(payment, actor=actor, code=code)
    elif intent.status in TAKEN:
        apply_intent(intent.to_dict(), TAKEN[intent.status])
    return intent.status


def mark_abandoned(payment: Payment, *, actor: User | None, code: str) -> Payment:
    """The waiting card payment fails with `code` (`ABANDONED` or `EXPIRED`); on the order's timeline, and the
    bendahara is told when nobody of theirs did it. Flush only."""
    PAYMENT.move(payment, "abandon", actor_id=actor.id if actor else None, extra={"code": code})
    payment.failed_at = utcnow()
    payment.failure_code = code
    payment.failure_message = NOTES.get(code)
    timeline_event(payment.order, "order.payment_failed", actor, payment, code=code)
    if actor is None:
        notify.order_event(payment.order, "payment_failed", payment=payment)
    db.session.flush()
    return payment
