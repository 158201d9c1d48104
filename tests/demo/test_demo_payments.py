"""Demo payments: after the demo orders, three more invoiced orders paid by bank transfer through the payments
services (two confirmed with kuitansi and ledger, one partly refunded, a payout to a member, one waiting for the
cooperative), while the demo orders' own invoice stays payable by card."""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace.catalog.services.media.attachments import looks_like_pdf
from marketplace.core.storage import storage
from marketplace.demo.orders import seed_orders
from marketplace.demo.payments import PAYMENT_STORIES, seed_payments, small_pdf
from marketplace.extensions import db
from marketplace.payments.models import LedgerEntry, Payment, Payout, Refund
from marketplace.payments.services import ledger
from marketplace.payments.states import LedgerKind, PaymentMethod, PaymentStatus
from marketplace.procurement.models import Order
from marketplace.procurement.states import DocumentKind, OrderStatus
from tests.demo.test_demo_orders import demo  # noqa: F401  (the fixture)


def seeded() -> list[Payment]:
    seed_orders()
    assert seed_payments() == len(PAYMENT_STORIES) == 3
    return list(db.session.scalars(select(Payment).order_by(Payment.id)))


def test_three_transfers_two_confirmed_one_partly_refunded_one_waiting(demo) -> None:  # noqa: F811
    confirmed, refunded, recorded = seeded()

    assert {payment.method for payment in (confirmed, refunded, recorded)} == {PaymentMethod.TRANSFER}
    assert confirmed.status == PaymentStatus.SUCCEEDED and confirmed.confirmed_at is not None
    assert refunded.status == PaymentStatus.PARTIALLY_REFUNDED
    assert 0 < refunded.refunded_amount < refunded.amount
    (refund,) = refunded.refunds
    assert refund.amount == refunded.refunded_amount and refund.proof_storage_key and refund.bank_reference
    assert recorded.status == PaymentStatus.PENDING and recorded.order.status == OrderStatus.WAITING_PAYMENT
    for payment in (confirmed, refunded, recorded):
        assert payment.amount == payment.order.total
        assert payment.bank_reference.startswith("SP2D-")
        with storage().open(payment.proof_storage_key) as proof:
            assert looks_like_pdf(proof.read())


def test_confirmed_orders_are_completed_with_a_kuitansi_and_the_card_invoice_stays_payable(demo) -> None:  # noqa: F811
    confirmed, refunded, recorded = seeded()

    for payment in (confirmed, refunded):
        assert payment.order.status == OrderStatus.COMPLETED
        assert DocumentKind.KUITANSI in {document.kind for document in payment.order.documents}
    paid_order_ids = {payment.order_id for payment in (confirmed, refunded, recorded)}
    open_invoices = db.session.scalars(
        select(Order).where(Order.status == OrderStatus.WAITING_PAYMENT, Order.id.not_in(paid_order_ids))
    ).all()
    assert len(open_invoices) == 1
    assert db.session.scalar(select(func.count()).where(Payment.order_id == open_invoices[0].id)) == 0


def test_the_ledger_has_earnings_a_reversal_and_a_payout(demo) -> None:  # noqa: F811
    confirmed, refunded, _recorded = seeded()

    def kinds(payment: Payment) -> set[str]:
        return set(db.session.scalars(select(LedgerEntry.kind).where(LedgerEntry.order_id == payment.order_id)))

    assert LedgerKind.EARNED in kinds(confirmed)
    reversed_total = db.session.scalar(
        select(func.sum(LedgerEntry.amount)).where(
            LedgerEntry.kind == LedgerKind.REVERSED, LedgerEntry.refund_id == refunded.refunds[0].id
        )
    )
    assert reversed_total == -refunded.refunded_amount
    (payout,) = db.session.scalars(select(Payout)).all()
    assert payout.cooperative_id == confirmed.order.cooperative_id and payout.amount > 0
    assert payout.member_id == confirmed.order.lines[0].seller_id
    assert ledger.balance(payout.cooperative_id, payout.member_id) >= 0


def test_the_seed_is_deterministic(demo) -> None:  # noqa: F811
    payments = seeded()

    assert [payment.order.rup_name for payment in payments] == [story.order.rup_name for story in PAYMENT_STORIES]
    assert [payment.bank_reference for payment in payments] == [
        "SP2D-00013/LS/2026", "SP2D-00014/LS/2026", "SP2D-00015/LS/2026",
    ]  # fmt: skip
    assert db.session.scalar(select(func.count(Refund.id))) == 1
    assert small_pdf(["a (b)"]) == small_pdf(["a (b)"]) and looks_like_pdf(small_pdf(["x"]))
