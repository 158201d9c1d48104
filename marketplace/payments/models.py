"""Payments of orders (card through Stripe, or bank transfer), refunds, Stripe's webhook events (each processed
once), and the members' ledger with the cooperative's payouts. Money is integer rupiah; Stripe amounts are
rupiah × 100 (see `marketplace.core.money.stripe_amount`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import TimestampMixin
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class Payment(TimestampMixin, db.Model):
    """One attempt to pay an order's invoice: a card PaymentIntent, or a bank transfer recorded with its proof."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("refunded_amount >= 0 AND refunded_amount <= amount", name="refunded_range"),
        Index("ix_payments_status_processing", "status", "processing_since"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    #: `states.PaymentMethod`.
    method: Mapped[str] = mapped_column(String(10))
    #: `states.PaymentStatus`.
    status: Mapped[str] = mapped_column(String(20), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    #: The bendahara who paid or recorded it.
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: Derived from our ids (`payment-{id}`), sent with every Stripe create call.
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    #: When Stripe said `processing` (the reconciliation looks at payments processing for over an hour).
    processing_since: Mapped[datetime | None]
    succeeded_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    failure_code: Mapped[str | None] = mapped_column(String(80))
    failure_message: Mapped[str | None] = mapped_column(Text)
    # Bank transfer (LS / SP2D)
    transfer_date: Mapped[date | None] = mapped_column(Date)
    bank_reference: Mapped[str | None] = mapped_column(String(120))
    proof_storage_key: Mapped[str | None] = mapped_column(String(255))
    proof_content_type: Mapped[str | None] = mapped_column(String(80))
    proof_filename: Mapped[str | None] = mapped_column(String(255))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]

    order = relationship("Order")
    created_by = relationship("User", foreign_keys=[created_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.id")


class Refund(db.Model):
    """Money given back on a payment: through Stripe for a card, recorded with its proof for a transfer."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("payment_id", "form_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    #: `states.RefundStatus`.
    status: Mapped[str] = mapped_column(String(12))
    #: The random key of the refund form that made it (`services.form_keys`): the same form again returns this
    #: refund. None for refunds made by code.
    form_key: Mapped[str | None] = mapped_column(String(48))
    #: Sent to Stripe: `refund-{payment id}-{form key}`, or `refund-{id}` without a form key.
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    bank_reference: Mapped[str | None] = mapped_column(String(120))
    proof_storage_key: Mapped[str | None] = mapped_column(String(255))
    proof_content_type: Mapped[str | None] = mapped_column(String(80))
    proof_filename: Mapped[str | None] = mapped_column(String(255))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded_at: Mapped[datetime | None]

    payment: Mapped[Payment] = relationship(back_populates="refunds")
    created_by = relationship("User")


class StripeEvent(db.Model):
    """A verified Stripe webhook event, stored in the same transaction as the change it made: a repeat is a no-op."""

    __tablename__ = "stripe_events"

    #: Stripe's event id (`evt_…`).
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    #: `states.EventOutcome`.
    outcome: Mapped[str] = mapped_column(String(12), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    #: The PaymentIntent (or other object) the event is about.
    object_id: Mapped[str | None] = mapped_column(String(80))
    detail: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Payout(db.Model):
    """Money the cooperative paid to a member (bank transfer), recorded by a manager."""

    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("cooperative_id", "form_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    bank_reference: Mapped[str] = mapped_column(String(120))
    paid_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    #: The random key of the payout form that recorded it: the same form again returns this payout.
    form_key: Mapped[str | None] = mapped_column(String(48))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member = relationship("User", foreign_keys=[member_id])
    created_by = relationship("User", foreign_keys=[created_by_id])


class LedgerEntry(db.Model):
    """One signed movement of a member's balance in a cooperative (see `states.LedgerKind`)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_member", "cooperative_id", "member_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: `states.LedgerKind`.
    kind: Mapped[str] = mapped_column(String(10))
    #: Signed rupiah: + earned (and a fee given back), − fee, payout, reversal.
    amount: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"), index=True)
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member = relationship("User")
    order = relationship("Order")
