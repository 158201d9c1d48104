"""Stripe's webhook endpoint: the raw body, verified with the endpoint secret; no session, no CSRF token."""

from __future__ import annotations

from flask import Response, jsonify, request

from marketplace.extensions import csrf
from marketplace.payments.services import webhooks
from marketplace.payments.views import bp


@bp.post("/payments/stripe/webhook")
@csrf.exempt
def stripe_webhook() -> tuple[Response, int]:
    """400 for a bad or missing signature (nothing changes); 200 for a verified event, applied once."""
    try:
        event = webhooks.handle(request.get_data(cache=False), request.headers.get("Stripe-Signature"))
    except webhooks.BadSignature:
        return jsonify(error="bad signature"), 400
    if event is None:
        return jsonify(received=True), 200
    return jsonify(received=True, id=event.id, outcome=event.outcome), 200
