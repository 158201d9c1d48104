"""Demo payments: three more invoiced orders of the city's work units, made like the demo orders (`demo.orders`), then
paid through the payments services as the people who would do it. The bendahara records each bank transfer (SP2D)
with a small generated PDF proof; the cooperative's manager confirms two of them (the order is completed, a
kuitansi issued and the members' earnings go to the ledger), refunds part of the second, and pays a member part of
their balance. The third transfer waits for the manager's confirmation. The invoice of `demo.orders` stays
WAITING_PAYMENT, so a newcomer can pay it by card (test card 4242 4242 4242 4242).

Deterministic (fixed stories, products in id order, amounts derived from the orders) and quick. Tasks are dropped.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from werkzeug.datastructures import FileStorage

from marketplace.accounts.models import Role, User
from marketplace.core.timeutil import today_wib
from marketplace.demo.orders import INVOICED, STORIES, Story, person, play, products_by_cooperative
from marketplace.demo.seeding import tasks_dropped
from marketplace.payments.models import Payment
from marketplace.payments.services import ledger, payments, refunds
from marketplace.procurement.models import Order

#: How each payment story ends.
CONFIRMED, REFUNDED, RECORDED = "confirmed", "refunded", "recorded"
REFUND_REASON = "Dua paket diterima dalam keadaan rusak; disepakati pengembalian dana sebagian sesuai BAST."
PAYOUT_NOTE = "Pembayaran bagian penjualan bulan ini."


@dataclass(frozen=True)
class PaymentStory:
    order: Story
    end: str


PAYMENT_STORIES = (
    PaymentStory(Story("dinsos", "ppk", INVOICED, rup_name="Paket sembako posyandu"), CONFIRMED),
    PaymentStory(Story("setda", "ppk", INVOICED, lines=2, rup_name="Konsumsi rapat paripurna"), REFUNDED),
    PaymentStory(Story("dindik", "ppk", INVOICED, rup_name="Makanan tambahan PAUD"), RECORDED),
)


def seed_payments() -> int:
    """Play every payment story after the demo orders; return how many payments were recorded."""
    products = products_by_cooperative()
    cooperatives = sorted(products)
    if not cooperatives:
        return 0
    with tasks_dropped():
        for index, story in enumerate(PAYMENT_STORIES):
            number = len(STORIES) + index
            chosen = products[cooperatives[number % len(cooperatives)]][: story.order.lines]
            order = play(story.order, number, chosen)
            _pay(story, number, order)
    return len(PAYMENT_STORIES)


def _pay(story: PaymentStory, number: int, order: Order) -> Payment:
    today = today_wib()
    bendahara = person(Role.BENDAHARA, work_unit_id=order.work_unit_id)
    reference = f"SP2D-{number + 1:05d}/LS/2026"
    payment = payments.record_transfer(
        actor=bendahara,
        order=order,
        transfer_date=today,
        amount=order.total,
        bank_reference=reference,
        proof=proof_file(f"bukti-{reference[:10].lower()}.pdf", [f"Bukti transfer {reference}", order.number]),
    )
    if story.end == RECORDED:
        return payment
    manager = person(Role.COOP_MANAGER, cooperative_id=order.cooperative_id)
    payment = payments.confirm_transfer(actor=manager, payment=payment)
    if story.end == REFUNDED:
        _refund_part(payment, order, manager, number)
    else:
        _payout(order, manager, number)
    return payment


def _refund_part(payment: Payment, order: Order, manager: User, number: int) -> None:
    """Refund two units of the first line (at most a tenth of the payment) by bank transfer."""
    line = order.lines[0]
    amount = min(payment.amount // 10, line.total * 2 // line.quantity)
    reference = f"RTR-{number + 1:05d}/2026"
    refunds.refund(
        actor=manager,
        payment=payment,
        amount=amount,
        reason=REFUND_REASON,
        bank_reference=reference,
        proof=proof_file("bukti-pengembalian.pdf", [f"Pengembalian dana {reference}", order.number]),
    )


def _payout(order: Order, manager: User, number: int) -> None:
    """Pay the first line's seller half of their balance (in whole thousands)."""
    member_id = order.lines[0].seller_id
    amount = int(ledger.balance(order.cooperative_id, member_id)) // 2 // 1000 * 1000
    if amount <= 0:
        return
    ledger.record_payout(
        actor=manager,
        cooperative_id=order.cooperative_id,
        member_id=member_id,
        amount=amount,
        bank_reference=f"TRF-KOP-{number + 1:05d}",
        paid_on=today_wib(),
        note=PAYOUT_NOTE,
    )


def proof_file(filename: str, lines: list[str]) -> FileStorage:
    """An upload of a one-page PDF showing `lines` (a stand-in for a scanned transfer slip)."""
    return FileStorage(io.BytesIO(small_pdf(lines)), filename=filename, content_type="application/pdf")


def small_pdf(lines: list[str]) -> bytes:
    """A minimal valid PDF (A5, Helvetica) with one line of text per item; ASCII only."""
    text = "".join(
        f"BT /F1 12 Tf 40 {540 - 20 * index} Td ({_pdf_text(line)}) Tj ET\n" for index, line in enumerate(lines)
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%sendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_text(value: str) -> str:
    """A PDF string literal's content: ASCII, with backslashes and parentheses escaped."""
    ascii_only = value.encode("ascii", "replace").decode()
    return ascii_only.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
