"""Refunds by the cooperative's managers: part then all, of a transfer (recorded with its proof) and of a card
payment (through localstripe); the members' earnings are reversed and the order's timeline shows it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Forbidden, IllegalTransition, ValidationFailed
from marketplace.extensions import db
from marketplace.payments.models import LedgerEntry
from marketplace.payments.services import ledger_queries, payments, refunds
from marketplace.payments.states import LedgerKind, PaymentStatus, RefundStatus
from marketplace.procurement.states import OrderStatus
from tests.payments.test_transfers import PDF, emptied, record, upload
from tests.support.localstripe import (  # noqa: F401  fixtures
    WEBHOOK_PATH,
    card_token,
    emulator_event,
    localstripe_fixture,
    signature_header,
    stripe_enabled_fixture,
)

REASON = "Barang rusak sebagian saat diterima, disepakati dikembalikan."


@pytest.fixture
def paid_transfer(market, invoiced_order):
    payment = record(market, invoiced_order)
    payments.confirm_transfer(actor=market.manager, payment=payment)
    return payment


def reversed_total(payment) -> int:
    return -sum(
        db.session.scalars(
            select(LedgerEntry.amount).where(
                LedgerEntry.payment_id == payment.id, LedgerEntry.kind == LedgerKind.REVERSED
            )
        )
    )


def test_transfer_refund_part_then_all(market, invoiced_order, paid_transfer, mailbox):
    emptied(mailbox)
    first = refunds.refund(
        actor=market.manager,
        payment=paid_transfer,
        amount=100_000,
        reason=REASON,
        bank_reference="TRF-BALIK-01",
        proof=upload(),
    )
    assert first.status == RefundStatus.SUCCEEDED
    assert first.proof_content_type == "application/pdf"
    assert paid_transfer.status == PaymentStatus.PARTIALLY_REFUNDED
    assert paid_transfer.refunded_amount == 100_000
    assert reversed_total(paid_transfer) == 100_000
    assert invoiced_order.status == OrderStatus.COMPLETED
    assert market.bendahara.email in {m["To"] for m in mailbox.messages}

    rest = refunds.refundable_amount(paid_transfer)
    assert rest == invoiced_order.total - 100_000
    refunds.refund(
        actor=market.manager,
        payment=paid_transfer,
        amount=rest,
        reason=REASON,
        bank_reference="TRF-BALIK-02",
        proof=upload(),
    )
    assert paid_transfer.status == PaymentStatus.REFUNDED
    assert paid_transfer.refunded_amount == invoiced_order.total
    assert reversed_total(paid_transfer) == invoiced_order.total
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_type == "order", AuditEvent.subject_id == invoiced_order.id)
    ).all()
    assert actions.count("order.refunded") == 2
    with pytest.raises(IllegalTransition):
        refunds.refund(actor=market.manager, payment=paid_transfer, amount=1, reason=REASON)


def test_refund_input_is_checked(market, invoiced_order, paid_transfer):
    with pytest.raises(ValidationFailed) as refused:
        refunds.refund(
            actor=market.manager,
            payment=paid_transfer,
            amount=invoiced_order.total + 1,
            reason="short",
            bank_reference="",
            proof=upload(b"not a proof", "x.pdf"),
        )
    assert set(refused.value.fields) == {"amount", "reason", "bank_reference", "proof"}
    assert paid_transfer.refunds == [] and paid_transfer.refunded_amount == 0


def test_only_the_cooperatives_managers_refund(market, paid_transfer):
    for someone in (market.bendahara, market.ppk, market.other_manager, market.seller_a, market.operator):
        with pytest.raises(Forbidden):
            refunds.refund(
                actor=someone, payment=paid_transfer, amount=1, reason=REASON, bank_reference="X", proof=upload(PDF)
            )


def test_an_unpaid_transfer_cannot_be_refunded(market, invoiced_order):
    payment = record(market, invoiced_order)
    with pytest.raises(IllegalTransition):
        refunds.refund(actor=market.manager, payment=payment, amount=1, reason=REASON, bank_reference="X")


def test_card_refund_part_then_all_through_stripe(client, stripe_enabled, market, invoiced_order):
    payment = payments.start_card_payment(
        actor=market.bendahara, order=invoiced_order, token=card_token(stripe_enabled)
    )
    payload = emulator_event(stripe_enabled, payment.stripe_payment_intent_id, "payment_intent.succeeded")
    answer = client.post(
        WEBHOOK_PATH,
        data=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature_header(payload)},
    )
    assert answer.status_code == 200
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.SUCCEEDED

    part = refunds.refund(actor=market.manager, payment=payment, amount=250_000, reason=REASON)

    assert part.stripe_refund_id.startswith("re_")
    assert part.idempotency_key == f"refund-{part.id}"
    assert part.status == RefundStatus.SUCCEEDED
    at_stripe = stripe_enabled.client().v1.refunds.retrieve(part.stripe_refund_id)
    assert at_stripe.amount == 250_000 * 100 and at_stripe.payment_intent == payment.stripe_payment_intent_id
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert reversed_total(payment) == 250_000

    rest = refunds.refund(actor=market.manager, payment=payment, amount=payment.amount - 250_000, reason=REASON)
    assert rest.status == RefundStatus.SUCCEEDED
    assert payment.status == PaymentStatus.REFUNDED
    assert payment.refunded_amount == payment.amount
    assert reversed_total(payment) == payment.amount


def test_an_undone_refund_cancels_its_reversal_and_is_named_in_the_ledger(market, invoiced_order, paid_transfer):
    entries_before = ledger_entries(paid_transfer)
    done = refunds.refund(
        actor=market.manager, payment=paid_transfer, amount=100_000, reason=REASON,
        bank_reference="TRF-BALIK-01", proof=upload(),
    )  # fmt: skip
    refunds.undo_succeeded_refund(done, code="expired_or_canceled_card")
    refunds.undo_succeeded_refund(done)  # a repeat changes nothing
    assert (done.status, paid_transfer.status, paid_transfer.refunded_amount) == (
        RefundStatus.FAILED, PaymentStatus.SUCCEEDED, 0
    )  # fmt: skip
    cancelled = [entry for entry in ledger_entries(paid_transfer) if entry not in entries_before]
    assert sum(entry.amount for entry in cancelled) == 0 and len(cancelled) >= 4  # reversal, fee back, both undone
    labels = {ledger_queries.entry_label(entry) for entry in cancelled if entry.amount > 0 and entry.kind == "reversed"}
    assert labels == {"Pembalikan dibatalkan (pengembalian dana gagal)"}
    assert refunds.refundable_amount(paid_transfer) == invoiced_order.total


def ledger_entries(payment) -> list:
    return list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.payment_id == payment.id)))
