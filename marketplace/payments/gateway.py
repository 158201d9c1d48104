"""Stripe, through `stripe.StripeClient`: the only module that imports `stripe`.

Amounts go out as rupiah × 100 in currency "idr"; every create call carries an idempotency key derived from our own
ids (`payment-{id}`) or from the form that asked for it (`refund-{payment id}-{form key}`). STRIPE_API_BASE points
the client (and the page's Stripe.js) at a local emulator (localstripe), which does not honour idempotency keys:
callers keep retries safe with their own rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import stripe
from flask import current_app

from marketplace.core.money import stripe_amount

if TYPE_CHECKING:
    from marketplace.payments.models import Payment, Refund

CURRENCY = "idr"
STRIPE_JS_URL = "https://js.stripe.com/v3/"

#: Errors of the gateway, for callers that must not import `stripe`.
StripeError = stripe.StripeError
#: Stripe's answer did not come (network, Stripe's own 5xx, rate limit): it may or may not have done the request,
#: so the caller asks again later with the same idempotency key rather than call it refused.
UnansweredError = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)
#: Stripe refused the card (declined, expired, wrong CVC…): `.code` and `.user_message` say why.
CardError = stripe.CardError
#: A webhook's `Stripe-Signature` is missing, malformed or does not match the endpoint secret.
SignatureError = stripe.SignatureVerificationError


def _setting(name: str) -> str | None:
    return current_app.config.get(name) or None


def api_base() -> str | None:
    """The emulator's address (STRIPE_API_BASE, without a trailing slash), or None for Stripe itself."""
    base = _setting("STRIPE_API_BASE")
    return base.rstrip("/") if base else None


def client() -> stripe.StripeClient | None:
    """A StripeClient from the configuration, or None when card payment is off."""
    if not card_payments_enabled():
        return None
    base = api_base()
    return stripe.StripeClient(
        _setting("STRIPE_SECRET_KEY"),
        base_addresses={"api": base} if base else None,
        max_network_retries=2,
    )


def _client() -> stripe.StripeClient:
    stripe_client = client()
    if stripe_client is None:
        raise RuntimeError(
            "card payment is off: STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY or STRIPE_WEBHOOK_SECRET unset"
        )
    return stripe_client


def card_payments_enabled() -> bool:
    """Whether the secret and publishable keys and the webhook secret are all configured."""
    return all(_setting(name) for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"))


def is_test_mode() -> bool:
    """Whether payments are not real: a test key or the local emulator."""
    key = _setting("STRIPE_SECRET_KEY") or ""
    return api_base() is not None or key.startswith(("sk_test_", "rk_test_"))


def publishable_key() -> str | None:
    """The key the page's Stripe.js is initialised with."""
    return _setting("STRIPE_PUBLISHABLE_KEY")


def stripe_js_url() -> str:
    """Stripe.js for the page: Stripe's own, or the emulator's replacement."""
    base = api_base()
    return f"{base}/js.stripe.com/v3/" if base else STRIPE_JS_URL


def _payment_method_from_token(stripe_client: stripe.StripeClient, payment: Payment, token: str) -> str:
    """The id to charge for a card token from Stripe.js `createToken`.

    Stripe turns the token into a PaymentMethod; localstripe cannot (its PaymentMethods need the raw card number), but
    charges the token's card (`card_…`) directly.
    """
    if api_base() is not None:
        return stripe_client.v1.tokens.retrieve(token).card.id
    method = stripe_client.v1.payment_methods.create(
        {"type": "card", "card": {"token": token}},
        {"idempotency_key": f"{payment.idempotency_key}-method"},
    )
    return method.id


def create_card_intent(payment: Payment, token: str) -> stripe.PaymentIntent:
    """Create and confirm the PaymentIntent of a card payment (a card that needs 3-D Secure leaves it
    `requires_action`); a declined card raises CardError."""
    if payment.stripe_payment_intent_id:
        raise RuntimeError(f"payment {payment.id} already has PaymentIntent {payment.stripe_payment_intent_id}")
    stripe_client = _client()
    key = payment.idempotency_key or f"payment-{payment.id}"
    params: dict[str, Any] = {
        "amount": stripe_amount(payment.amount),
        "currency": CURRENCY,
        "payment_method": _payment_method_from_token(stripe_client, payment, token),
        # Card only: 3-D Secure is completed on the page by Stripe.js, so Stripe needs no return URL.
        "payment_method_types": ["card"],
        "confirm": True,
        "metadata": {"payment_id": str(payment.id), "order_id": str(payment.order_id)},
    }
    return stripe_client.v1.payment_intents.create(params, {"idempotency_key": key})


def retrieve_intent(intent_id: str) -> stripe.PaymentIntent:
    """The PaymentIntent as Stripe has it now."""
    return _client().v1.payment_intents.retrieve(intent_id)


def cancel_intent(intent_id: str) -> stripe.PaymentIntent:
    """Cancel a PaymentIntent that has not taken the money (requires_action, requires_payment_method…)."""
    return _client().v1.payment_intents.cancel(intent_id)


def charge_refunds(charge_id: str) -> list[dict[str, Any]]:
    """Every refund of a charge as Stripe has it now (id, status, amount, metadata…), as plain data."""
    page = _client().v1.refunds.list({"charge": charge_id, "limit": 100})
    return [refund.to_dict() for refund in page.auto_paging_iter()]


def create_refund(refund: Refund) -> stripe.Refund:
    """Refund part or all of a card payment's PaymentIntent."""
    payment = refund.payment
    if not payment.stripe_payment_intent_id:
        raise RuntimeError(f"payment {payment.id} has no PaymentIntent to refund")
    params: dict[str, Any] = {
        "payment_intent": payment.stripe_payment_intent_id,
        "amount": stripe_amount(refund.amount),
        "metadata": {"refund_id": str(refund.id), "payment_id": str(payment.id)},
    }
    return _client().v1.refunds.create(params, {"idempotency_key": refund.idempotency_key or f"refund-{refund.id}"})


def construct_event(payload: bytes, sig_header: str | None) -> stripe.Event:
    """Verify a webhook's signature with the endpoint secret and parse it; raise SignatureError when it fails."""
    secret = _setting("STRIPE_WEBHOOK_SECRET")
    if not secret or not sig_header:
        raise SignatureError("missing signature or endpoint secret", sig_header or "")
    return stripe.Webhook.construct_event(payload, sig_header, secret)


def event_data(event: stripe.Event) -> dict[str, Any]:
    """The whole event as plain JSON data (its object under `data.object`)."""
    return event.to_dict()
