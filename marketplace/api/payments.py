"""Payments: what was paid or refunded on an order's invoice (paying itself happens on the order page: the KKP card
needs Stripe's card form, a transfer its proof)."""

from __future__ import annotations

from marketplace.api.auth import api_user
from marketplace.api.framework import api_route
from marketplace.api.schemas.payments import PaymentOut, PaymentsOut
from marketplace.payments.services.payments import payments_of
from marketplace.procurement.services.common import get_order_for


@api_route(
    "/orders/<int:order_id>/payments",
    response=PaymentsOut,
    description="The order's payments, oldest first, each with its refunds: method, status, amounts in rupiah, "
    "when it succeeded or failed (and why), and for a transfer its day, bank reference and confirmation. Anyone "
    "who may see the order may see its payments; another order is 404.",
    tags=["payments"],
)
def list_order_payments(order_id: int) -> PaymentsOut:
    """List an order's payments."""
    order = get_order_for(api_user(), order_id)
    return PaymentsOut(payments=[PaymentOut.of(payment) for payment in payments_of(order)])
