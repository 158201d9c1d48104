"""Stripe's webhook endpoint: the raw body, verified with the endpoint secret; no session, no CSRF token."""

from __future__ import annotations

from flask import Response, jsonify, request

from marketplace.extensions import csrf
from marketplace.payments.services import webhooks
from marketplace.payments.views import bp


@bp.post("/payments/stripe/webhook")
@csrf.exempt
def stripe_webhook() -> tuple[Response, int]:
    """400 for a bad or missing signature (nothing changes); 500 when applying the event raised an error (it is
    stored as failed, and Stripe's retry applies it again); 200 for any other verified event, applied once."""
    try:
        delivery = webhooks.handle(request.get_data(cache=False), request.headers.get("Stripe-Signature"))
    except webhooks.BadSignature:
        return jsonify(error="bad signature"), 400
    event = delivery.event
    if event is None:
        return jsonify(received=True), 200
    status = 500 if delivery.retry else 200
    return jsonify(received=True, id=event.id, outcome=event.outcome, retry=delivery.retry), status
