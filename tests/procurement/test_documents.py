"""Issued documents: the Surat Pesanan's content (numbers, parties, KBKI, amounts, terbilang, region names), its
SHA-256, BAST and invoice numbering and content, escaping of hostile text, and the PDF."""

from __future__ import annotations

import hashlib
import re
import zlib

import pytest

from marketplace.core.errors import Conflict
from marketplace.extensions import db
from marketplace.procurement.models import OrderDocument
from marketplace.procurement.services import documents
from marketplace.procurement.states import OrderStatus, Party
from tests.procurement.conftest import make_order

# make_order's default lines, by hand: rice 10 × 72.500 = 725.000, PPN 11 % 79.750, shipping 10 × 2.000 = 20.000
# (824.750); oil 5 × 18.000 = 90.000, PPN 9.900, no shipping (99.900).
SUBTOTAL, PPN, SHIPPING, TOTAL = 815_000, 89_650, 20_000, 924_650
TOTAL_IN_WORDS = "Sembilan ratus dua puluh empat ribu enam ratus lima puluh rupiah"


def text_of(html: str) -> str:
    """The HTML's visible text with whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def accepted(market):
    """An accepted order (ESIGN_IN_PROGRESS) of a work unit with NPWP and address."""
    market.work_unit.npwp = "0012345678901000"
    market.work_unit.address = "Jl. Gajah Mada No. 100"
    return make_order(market, OrderStatus.ESIGN_IN_PROGRESS)


def test_surat_pesanan_content(market, accepted) -> None:
    order = accepted
    assert (order.subtotal, order.ppn_total, order.shipping_total, order.total) == (SUBTOTAL, PPN, SHIPPING, TOTAL)
    document = documents.issue_surat_pesanan(order, market.manager)
    text = text_of(document.html)

    assert document.kind == "surat_pesanan" and document.number == order.number
    assert document.issued_by_id == market.manager.id and document.cooperative_id == market.coop.id
    assert order.number in text and "WIB" in text
    unit, coop = market.work_unit, market.coop
    for expected in (
        unit.agency.name,
        unit.name,
        unit.kode_satker,
        "0012345678901000",
        "Jl. Gajah Mada No. 100",
        market.ppk.full_name,
        coop.name,
        coop.nib,
        coop.npwp,
        order.kode_rup,
        order.rup_name,
        "APBD",
        order.budget_account,
        order.delivery_address,
    ):
        assert expected in text, expected
    # Region names of 35.76.02.1001, each level.
    for name in ("Gununggedangan", "Magersari", "Kota Mojokerto", "Jawa Timur"):
        assert name in text, name
    for line in order.lines:
        assert line.kbki_code and line.kbki_code in text
        assert line.name in text and line.unit_name in text
    for amount in ("Rp72.500", "Rp79.750", "Rp20.000", "Rp824.750", "Rp99.900", "Rp815.000", "Rp89.650"):
        assert amount in text, amount
    assert "Rp924.650" in text
    assert TOTAL_IN_WORDS in text


def test_sha256_is_the_stored_html(market, accepted) -> None:
    document = documents.issue_surat_pesanan(accepted, market.manager)
    db.session.expire_all()
    stored = db.session.get(OrderDocument, document.id)
    assert stored.sha256 == hashlib.sha256(stored.html.encode("utf-8")).hexdigest()


def test_issuing_twice_returns_the_same_document(market, accepted) -> None:
    first = documents.issue_surat_pesanan(accepted, market.manager)
    assert documents.issue_surat_pesanan(accepted, market.ppk).id == first.id
    assert documents.issue_bast(accepted, market.ppk).id == documents.issue_bast(accepted, market.ppk).id
    assert len(accepted.documents) == 2


def test_bast_and_invoice_numbers_and_content(market, accepted) -> None:
    order = accepted
    order.lines[0].quantity_received = 8
    order.lines[1].quantity_received = 5
    order.receipt_note = "Dua karung beras <rusak> saat diterima"
    sp = documents.issue_surat_pesanan(order, market.manager)
    bast = documents.issue_bast(order, market.ppk)
    invoice = documents.issue_invoice(order, market.manager)

    assert re.fullmatch(r"BAST-\d{4}-00001", bast.number) and re.fullmatch(r"INV-\d{4}-00001", invoice.number)
    bast_text = text_of(bast.html)
    assert "Dua karung beras &lt;rusak&gt; saat diterima" in bast.html
    assert re.search(r"Beras Premium Majapahit 5 kg .*? 10 8 ", bast_text)
    invoice_text = text_of(invoice.html)
    assert sp.number in invoice_text and bast.number in invoice_text
    assert "Rp924.650" in invoice_text and TOTAL_IN_WORDS in invoice_text

    other = make_order(market, OrderStatus.WAITING_INVOICE)
    assert documents.issue_bast(other, market.ppk).number.endswith("-00002")


def test_invoice_shows_the_cooperative_bank_account(market, accepted) -> None:
    market.coop.bank_name = "Bank Jatim"
    market.coop.bank_account_number = "7770001112"
    market.coop.bank_account_name = "KKMP Gununggedangan"
    assert "7770001112" in documents.issue_invoice(accepted, market.manager).html
    assert "7770001112" not in documents.issue_surat_pesanan(accepted, market.manager).html


def test_hostile_product_name_is_escaped(market) -> None:
    order = make_order(market, OrderStatus.ESIGN_IN_PROGRESS)
    order.lines[0].name = '<script>alert("x")</script><img src=x onerror=1>'
    document = documents.issue_surat_pesanan(order, market.manager)
    assert "<script>alert" not in document.html and "<img src=x" not in document.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in document.html
    assert "<script>alert" not in documents.full_html(document, printable=True)


def test_sign_document_records_the_signature_once(app, market, accepted) -> None:
    document = documents.issue_surat_pesanan(accepted, market.manager)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        signature = documents.sign_document(document, market.ppk, Party.BUYER)
    assert (signature.user_id, signature.party, signature.signer_name) == (market.ppk.id, "buyer", "PPK Dinsos")
    assert signature.sha256 == document.sha256 and signature.ip_address == "10.1.2.3" and signature.signed_at
    assert signature.signer_role
    with pytest.raises(Conflict):
        documents.sign_document(document, market.other_ppk, Party.BUYER)
    documents.sign_document(document, market.manager, Party.PROVIDER)
    assert {each.party for each in document.signatures} == {"buyer", "provider"}


def test_signature_blocks_on_the_page(market, accepted) -> None:
    document = documents.issue_surat_pesanan(accepted, market.manager)
    page = documents.full_html(document)
    assert page.count('class="pending"') == 2
    documents.sign_document(document, market.ppk, Party.BUYER)
    page = text_of(documents.full_html(document))
    assert "PPK Dinsos" in page and document.sha256[:16] in page and "WIB" in page
    assert document.html in documents.full_html(document)


# This machine's pango lacks HarfBuzz-Subset; WeasyPrint warns about it (fonts are embedded whole instead).
NO_HARFBUZZ_SUBSET = pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")


@NO_HARFBUZZ_SUBSET
def test_pdf(market, accepted) -> None:
    document = documents.issue_surat_pesanan(accepted, market.manager)
    pdf = documents.render_pdf(document)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 5_000
    # pypdf is not installed: read the (compressed) object streams, where the title holds the number.
    streams = b"".join(
        zlib.decompressobj().decompress(found) for found in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    )
    assert f"/Title ({document.number})".encode() in streams
    assert b" TJ" in streams  # text is drawn


def test_only_the_documents_signed_in_the_app_show_signature_blocks(market) -> None:
    from marketplace.procurement.services.documents import full_html

    order = make_order(market, OrderStatus.WAITING_PAYMENT)
    invoice = documents.issue_invoice(order, market.manager)
    bast = documents.issue_bast(order, market.ppk)
    assert 'class="signatures"' not in full_html(invoice)
    page = full_html(bast)
    assert "signature-buyer" in page and "signature-provider" not in page
