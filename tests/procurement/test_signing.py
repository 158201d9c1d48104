"""Signing the Surat Pesanan (the PPK and a manager, once each; the second signature starts the order), and the
document pages: print view, PDF download, sign form, and who may open them."""

from __future__ import annotations

import pytest
from flask import render_template
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed
from marketplace.extensions import db
from marketplace.procurement.services import documents
from marketplace.procurement.states import OrderStatus
from marketplace.procurement.views.documents import forms_for
from tests.procurement.conftest import make_order

NO_HARFBUZZ_SUBSET = pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")


@pytest.fixture
def order(market):
    """An accepted order with its Surat Pesanan issued, waiting for both signatures."""
    found = make_order(market, OrderStatus.ESIGN_IN_PROGRESS)
    documents.issue_surat_pesanan(found, market.manager)
    found.waiting_for = "signatures"
    return found


def order_events(order) -> list[str]:
    return db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.subject_type == "order", AuditEvent.subject_id == order.id)
        .order_by(AuditEvent.id)
    ).all()


def test_ppk_then_manager_sign_and_start_the_order(market, order) -> None:
    sp = documents.document_of(order, "surat_pesanan")
    assert documents.available_actions(market.ppk, order) == {"sign"}
    assert documents.available_actions(market.manager, order) == {"sign"}

    documents.sign(actor=market.ppk, order=order, sha256=sp.sha256)
    assert order.status == OrderStatus.ESIGN_IN_PROGRESS
    assert order_events(order) == ["order.signed"]
    assert documents.available_actions(market.ppk, order) == set()
    assert documents.available_actions(market.manager, order) == {"sign"}

    documents.sign(actor=market.manager, order=order)
    db.session.expire_all()
    assert order.status == OrderStatus.ON_PROCESS
    assert order.waiting_for is None and order.action_due_at is None
    assert order_events(order) == ["order.signed", "order.sign"]
    signatures = documents.document_of(order, "surat_pesanan").signatures
    assert [(s.party, s.user_id, s.sha256) for s in signatures] == [
        ("buyer", market.ppk.id, sp.sha256),
        ("provider", market.manager.id, sp.sha256),
    ]
    assert documents.available_actions(market.ppk, order) == set()
    with pytest.raises(IllegalTransition):
        documents.sign(actor=market.ppk, order=order)
    assert len(documents.document_of(order, "surat_pesanan").signatures) == 2


def test_manager_may_sign_first(market, order) -> None:
    documents.sign(actor=market.manager, order=order)
    assert order.status == OrderStatus.ESIGN_IN_PROGRESS
    documents.sign(actor=market.ppk, order=order)
    assert order.status == OrderStatus.ON_PROCESS


@pytest.mark.parametrize(("first", "asked"), [("ppk", "manager"), ("manager", "ppk")])
def test_the_first_signature_asks_the_other_side_to_sign(market, order, mailbox, first, asked) -> None:
    due = order.action_due_at
    documents.sign(actor=getattr(market, first), order=order)
    assert order.waiting_for == "signatures" and order.action_due_at == due  # both were asked at once
    subjects = [message["Subject"] for message in mailbox.to(getattr(market, asked).email)]
    assert any("waits for your signature" in subject or "menunggu tanda tangan" in subject for subject in subjects)
    assert mailbox.to(getattr(market, first).email) == []


def test_a_party_signs_once(market, order) -> None:
    documents.sign(actor=market.ppk, order=order)
    with pytest.raises(Conflict):
        documents.sign(actor=market.ppk, order=order)
    assert order.status == OrderStatus.ESIGN_IN_PROGRESS


@pytest.mark.parametrize("who", ["pp", "bendahara", "seller_a", "other_manager", "other_ppk", "operator"])
def test_others_may_not_sign(market, order, who) -> None:
    user = getattr(market, who)
    assert documents.available_actions(user, order) == set()
    with pytest.raises(Forbidden):
        documents.sign(actor=user, order=order)
    assert documents.document_of(order, "surat_pesanan").signatures == []


@pytest.mark.parametrize(
    "status", [OrderStatus.WAITING_SELLER_CONFIRMATION, OrderStatus.ON_NEGOTIATION, OrderStatus.CANCELLED]
)
def test_signing_needs_esign_in_progress(market, status) -> None:
    order = make_order(market, status)
    assert documents.available_actions(market.ppk, order) == set()
    with pytest.raises(IllegalTransition):
        documents.sign(actor=market.ppk, order=order)
    assert order.documents == []


def test_signing_another_hash_is_refused(market, order) -> None:
    with pytest.raises(ValidationFailed) as raised:
        documents.sign(actor=market.ppk, order=order, sha256="0" * 64)
    assert "sha256" in raised.value.fields


def test_signing_issues_a_missing_surat_pesanan(market) -> None:
    order = make_order(market, OrderStatus.ESIGN_IN_PROGRESS)
    documents.sign(actor=market.ppk, order=order)
    assert documents.document_of(order, "surat_pesanan").number == order.number


# Pages --------------------------------------------------------------------------------------------------------------


def test_print_page(client, login_as, market, order) -> None:
    login_as(market.seller_b)
    response = client.get(f"/pesanan/{order.id}/dokumen/surat_pesanan")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert order.number in page and "window.print()" in page
    assert documents.document_of(order, "surat_pesanan").html in page
    assert ">Cetak</button>" in page


def test_print_page_controls_speak_the_readers_language(client, login_as, market, order) -> None:
    login_as(market.seller_b)
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = client.get(f"/pesanan/{order.id}/dokumen/surat_pesanan").get_data(as_text=True)
    assert ">Print</button>" in page and "Back to the order" in page
    assert documents.document_of(order, "surat_pesanan").html in page  # the document itself stays Indonesian


@NO_HARFBUZZ_SUBSET
def test_pdf_download(client, login_as, market, order) -> None:
    login_as(market.manager)
    response = client.get(f"/pesanan/{order.id}/dokumen/surat_pesanan.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{order.number}.pdf"'
    assert response.data.startswith(b"%PDF")


@pytest.mark.parametrize("suffix", ["", ".pdf"])
def test_other_work_unit_gets_404(client, login_as, market, order, suffix) -> None:
    login_as(market.other_ppk)
    assert client.get(f"/pesanan/{order.id}/dokumen/surat_pesanan{suffix}").status_code == 404


@pytest.mark.parametrize("url", ["/dokumen/bast", "/dokumen/invoice.pdf", "/dokumen/kuitansi"])
def test_unissued_or_unknown_document_is_404(client, login_as, market, order, url) -> None:
    login_as(market.ppk)
    assert client.get(f"/pesanan/{order.id}{url}").status_code == 404


def test_anonymous_is_sent_to_login(client, order) -> None:
    response = client.get(f"/pesanan/{order.id}/dokumen/surat_pesanan")
    assert response.status_code in (302, 401)


def test_sign_form_posts_the_signature(client, login_as, market, order) -> None:
    login_as(market.ppk)
    sp = documents.document_of(order, "surat_pesanan")
    response = client.post_form(f"/pesanan/{order.id}/tandatangani", {"sha256": sp.sha256})
    assert response.status_code == 422  # not confirmed: the order page again, the error next to the box
    page = response.get_data(as_text=True)
    assert 'id="sign-form"' in page and 'id="confirm-error"' in page
    assert documents.document_of(order, "surat_pesanan").signatures == []

    response = client.post_form(f"/pesanan/{order.id}/tandatangani", {"sha256": sp.sha256, "confirm": "y"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/pesanan/{order.id}#documents")
    db.session.expire_all()
    assert [s.party for s in documents.document_of(order, "surat_pesanan").signatures] == ["buyer"]

    again = client.post_form(f"/pesanan/{order.id}/tandatangani", {"sha256": sp.sha256, "confirm": "y"})
    assert again.status_code == 303
    assert len(documents.document_of(order, "surat_pesanan").signatures) == 1


@pytest.mark.parametrize(("who", "status"), [("seller_a", 403), ("pp", 403), ("other_ppk", 404)])
def test_sign_post_refused(client, login_as, market, order, who, status) -> None:
    login_as(getattr(market, who))
    response = client.post_form(f"/pesanan/{order.id}/tandatangani", {"confirm": "y"})
    assert response.status_code == status
    assert documents.document_of(order, "surat_pesanan").signatures == []


def test_documents_partial(app, market, order) -> None:
    sp = documents.document_of(order, "surat_pesanan")
    with app.test_request_context():
        actions = documents.available_actions(market.ppk, order)
        forms = forms_for(order, actions)
        assert forms["sign"].sha256.data == sp.sha256
        html = render_template(
            "procurement/_documents.html",
            order=order,
            actions=actions,
            forms=forms,
            document_labels={},
        )
        assert 'id="sign-form"' in html and sp.sha256 in html
        assert f"/pesanan/{order.id}/dokumen/surat_pesanan.pdf" in html
        assert forms_for(order, documents.available_actions(market.seller_a, order)) == {}
        html = render_template("procurement/_documents.html", order=order, actions=set(), forms={}, document_labels={})
        assert 'id="sign-form"' not in html and order.number in html


def test_order_page_shows_the_sign_form(client, login_as, market, order) -> None:
    login_as(market.manager)
    page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert 'id="sign-form"' in page and documents.document_of(order, "surat_pesanan").sha256 in page
