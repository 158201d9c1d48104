"""Payments of an order: each payment (card or bank transfer) with its refunds."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from marketplace.api.schemas.common import OutModel
from marketplace.payments.models import Payment
from marketplace.payments.services.payments import failure_text
from marketplace.payments.states import PaymentMethod, PaymentStatus, RefundStatus


class RefundOut(OutModel):
    id: int
    amount: int = Field(description="Rupiah")
    reason: str
    status: RefundStatus
    created_at: datetime
    succeeded_at: datetime | None


class PaymentOut(OutModel):
    """One payment of the order's invoice."""

    id: int
    method: PaymentMethod = Field(description="`card` (the KKP card, through Stripe) or `transfer` (bank transfer)")
    status: PaymentStatus
    amount: int = Field(description="Rupiah")
    refunded_amount: int = Field(description="Rupiah refunded so far")
    created_at: datetime
    succeeded_at: datetime | None
    failed_at: datetime | None
    failure: str | None = Field(None, description="Why the payment failed, in the caller's language")
    transfer_date: date | None = Field(description="The day the work unit made the transfer")
    bank_reference: str | None
    confirmed_at: datetime | None = Field(description="When the cooperative confirmed the transfer")
    refunds: list[RefundOut]

    @classmethod
    def of(cls, payment: Payment) -> PaymentOut:
        return cls.model_validate(payment).model_copy(update={"failure": failure_text(payment)})


class PaymentsOut(OutModel):
    payments: list[PaymentOut] = Field(description="Oldest first")
