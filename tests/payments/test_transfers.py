"""Bank transfers: the bendahara records one with its proof (checked by content and size), a manager of the
cooperative confirms it (only they may), which completes the order, issues the kuitansi and notifies everyone."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed
from marketplace.core.storage import storage
from marketplace.core.timeutil import to_jakarta, utcnow
from marketplace.extensions import db
from marketplace.payments.models import LedgerEntry
from marketplace.payments.services import payments
from marketplace.payments.states import LedgerKind, PaymentMethod, PaymentStatus
from marketplace.procurement.services import documents
from marketplace.procurement.states import DocumentKind, OrderStatus

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


def upload(data: bytes = PDF, name: str = "bukti.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def today():
    return to_jakarta(utcnow()).date()


def emptied(mailbox):
    """The mailbox after delivering and discarding what earlier steps queued."""
    assert mailbox.messages is not None
    mailbox.clear()
    return mailbox


def record(market, order, **changes):
    values = {
        "actor": market.bendahara,
        "order": order,
        "transfer_date": today(),
        "amount": order.total,
        "bank_reference": "SP2D-0099/2026",
        "proof": upload(),
    }
    values.update(changes)
    return payments.record_transfer(**values)


def test_recorded_transfer_waits_for_the_cooperative(market, invoiced_order, mailbox):
    emptied(mailbox)
    payment = record(market, invoiced_order, proof=upload(png_bytes(), "foto transfer.png"))

    assert payment.method == PaymentMethod.TRANSFER
    assert payment.status == PaymentStatus.PENDING
    assert payment.amount == invoiced_order.total == 924_650  # rice 10 × (72.500 + 11 % + 2.000) + oil 5 × 19.980
    assert invoiced_order.status == OrderStatus.WAITING_PAYMENT
    assert payment.proof_content_type == "image/png"
    assert payment.proof_filename == "foto-transfer.png"
    assert payment.proof_storage_key.startswith(f"payments/{invoiced_order.id}/")
    assert storage().path(payment.proof_storage_key).read_bytes() == png_bytes()
    sent = mailbox.to(market.manager.email)
    assert len(sent) == 1 and "SP2D-0099/2026" in mailbox.body(sent[0])
    assert not mailbox.to(market.bendahara.email) and not mailbox.to(market.ppk.email)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00 not a pdf at all", "bukti.pdf"),  # an executable named .pdf
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "bukti.png"),  # a GIF named .png
        (b"<html><script>alert(1)</script></html>", "bukti.jpg"),
    ],
)
def test_proof_type_is_checked_by_content(market, invoiced_order, data, name):
    with pytest.raises(ValidationFailed) as refused:
        record(market, invoiced_order, proof=upload(data, name))
    assert set(refused.value.fields) == {"proof"}
    assert "PDF, JPEG atau PNG" in refused.value.fields["proof"]


def test_proof_over_10_mb_is_refused(market, invoiced_order):
    big = PDF[:-6] + b" " * (10 * 1024 * 1024) + b"%%EOF\n"
    with pytest.raises(ValidationFailed) as refused:
        record(market, invoiced_order, proof=upload(big))
    assert "10 MB" in refused.value.fields["proof"]


def test_transfer_input_is_checked(market, invoiced_order):
    with pytest.raises(ValidationFailed) as refused:
        record(
            market,
            invoiced_order,
            transfer_date=today() + timedelta(days=1),
            amount=invoiced_order.total - 1,
            bank_reference="  ",
            proof=None,
        )
    assert set(refused.value.fields) == {"transfer_date", "amount", "bank_reference", "proof"}
    assert "Rp924.650" in refused.value.fields["amount"]
    assert payments.payments_of(invoiced_order) == []


def test_a_transfer_cannot_predate_the_order(market, invoiced_order):
    with pytest.raises(ValidationFailed) as refused:
        record(market, invoiced_order, transfer_date=date(1900, 1, 1))
    assert set(refused.value.fields) == {"transfer_date"}
    assert payments.payments_of(invoiced_order) == []


def test_only_the_work_units_bendahara_records(market, invoiced_order):
    for someone in (market.ppk, market.manager, market.pp):
        with pytest.raises(Forbidden):
            record(market, invoiced_order, actor=someone)


def test_one_active_payment_per_order(market, invoiced_order):
    record(market, invoiced_order)
    with pytest.raises(Conflict):
        record(market, invoiced_order, bank_reference="SP2D-0100/2026")
    assert len(payments.payments_of(invoiced_order)) == 1


def test_confirmation_completes_the_order_with_a_kuitansi(market, invoiced_order, mailbox):
    payment = record(market, invoiced_order)
    emptied(mailbox)

    payments.confirm_transfer(actor=market.manager, payment=payment)

    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.confirmed_by_id == market.manager.id
    assert invoiced_order.status == OrderStatus.COMPLETED
    assert invoiced_order.completed_at is not None
    kuitansi = documents.document_of(invoiced_order, DocumentKind.KUITANSI)
    assert kuitansi.number.startswith("KW-")
    assert "Rp924.650" in kuitansi.html and "SP2D-0099/2026" in kuitansi.html
    assert "Sembilan ratus dua puluh empat ribu enam ratus lima puluh rupiah" in kuitansi.html
    earned = db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.EARNED)).all()
    assert sum(entry.amount for entry in earned) == invoiced_order.total
    recipients = {m["To"] for m in mailbox.messages}
    expected = {market.ppk, market.pp, market.bendahara, market.seller_a, market.seller_b}
    assert {user.email for user in expected} <= recipients
    assert market.manager.email not in recipients  # who confirmed is not emailed
    assert market.other_manager.email not in recipients
    assert all(kuitansi.number in mailbox.body(m) for m in mailbox.messages)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_type == "order", AuditEvent.subject_id == invoiced_order.id)
    ).all()
    assert "order.transfer_recorded" in actions and "order.pay" in actions


def test_only_the_cooperatives_manager_confirms(market, invoiced_order):
    payment = record(market, invoiced_order)
    for someone in (market.bendahara, market.ppk, market.other_manager, market.seller_a, market.operator):
        with pytest.raises(Forbidden):
            payments.confirm_transfer(actor=someone, payment=payment)
    assert payment.status == PaymentStatus.PENDING
    assert invoiced_order.status == OrderStatus.WAITING_PAYMENT


def test_confirming_twice_is_refused_and_changes_nothing(market, invoiced_order):
    payment = record(market, invoiced_order)
    payments.confirm_transfer(actor=market.manager, payment=payment)
    with pytest.raises(IllegalTransition):
        payments.confirm_transfer(actor=market.manager, payment=payment)
    assert len(db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.EARNED)).all()) == 2


def test_rejected_transfer_leaves_the_invoice_payable(market, invoiced_order, mailbox):
    payment = record(market, invoiced_order)
    emptied(mailbox)
    with pytest.raises(ValidationFailed):
        payments.reject_transfer(actor=market.manager, payment=payment, reason="no")

    payments.reject_transfer(actor=market.manager, payment=payment, reason="Dana belum masuk ke rekening koperasi.")

    assert payment.status == PaymentStatus.FAILED
    assert invoiced_order.status == OrderStatus.WAITING_PAYMENT
    assert payments.may_pay(market.bendahara, invoiced_order)
    assert [m["To"] for m in mailbox.messages] == [market.bendahara.email]
    assert "Dana belum masuk" in mailbox.body(mailbox.messages[0])
    second = record(market, invoiced_order, bank_reference="SP2D-0101/2026")
    assert second.status == PaymentStatus.PENDING


def test_an_invoice_with_a_payment_under_way_is_not_paid_outside(market, invoiced_order) -> None:
    from datetime import date

    from marketplace.core.errors import Conflict
    from marketplace.payments.models import Payment
    from marketplace.procurement.services import fulfilment

    assert "pay-outside" in fulfilment.available_actions(market.bendahara, invoiced_order)
    db.session.add(
        Payment(
            order_id=invoiced_order.id,
            method="transfer",
            status="pending",
            amount=invoiced_order.total,
            created_by_id=market.bendahara.id,
        )
    )
    db.session.flush()
    assert "pay-outside" not in fulfilment.available_actions(market.bendahara, invoiced_order)
    with pytest.raises(Conflict):
        fulfilment.pay_outside(
            actor=market.bendahara, order=invoiced_order, reference="SP2D-1", paid_on=date(2026, 11, 2)
        )
