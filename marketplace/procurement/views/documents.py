"""Order documents: the printable page and the PDF of a Surat Pesanan, BAST or invoice (for whoever may open the
order), and signing the Surat Pesanan (the order's PPK and the cooperative's managers)."""

from __future__ import annotations

from flask import Response, abort, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from marketplace.core.forms import BaseForm
from marketplace.procurement.models import Order, OrderDocument
from marketplace.procurement.services import documents
from marketplace.procurement.services.common import get_order_for
from marketplace.procurement.states import DocumentKind
from marketplace.procurement.views import bp, orders

#: The `<kind>` of document URLs: `surat_pesanan`, `bast`, `invoice`, `kuitansi`.
KINDS = "any(" + ", ".join(kind.value for kind in DocumentKind) + "):kind"


class SignForm(BaseForm):
    """Sign the Surat Pesanan: the SHA-256 the user saw, and their confirmation."""

    sha256 = HiddenField()
    confirm = BooleanField(
        _l("I have read this Surat Pesanan and sign it for my side."),
        validators=[DataRequired(_l("Tick the box to confirm that you sign."))],
    )


def forms_for(order: Order, actions: set[str]) -> dict[str, FlaskForm]:
    """The sign form, when signing the order's Surat Pesanan is among `actions` (those the reader may make now)."""
    if documents.SIGN not in actions:
        return {}
    document = documents.document_of(order, DocumentKind.SURAT_PESANAN)
    return {"sign": SignForm(formdata=None, sha256=document.sha256 if document else "")}


@bp.get(f"/pesanan/<int:order_id>/dokumen/<{KINDS}>")
@login_required
def document(order_id: int, kind: str):
    """The document as a printable page (its body as issued, the signatures, a print button)."""
    order, found = _document(order_id, kind)
    back = url_for("procurement.order_detail", order_id=order.id)
    return documents.full_html(found, printable=True, back_url=back)


@bp.get(f"/pesanan/<int:order_id>/dokumen/<{KINDS}>.pdf")
@login_required
def document_pdf(order_id: int, kind: str):
    """The document as an A4 PDF download named after its number."""
    _order, found = _document(order_id, kind)
    return Response(
        documents.render_pdf(found),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{found.number}.pdf"'},
    )


@bp.post("/pesanan/<int:order_id>/tandatangani")
@login_required
def sign(order_id: int):
    """Sign the order's Surat Pesanan for the user's side (403 for anyone else); an unticked confirmation shows the
    order page again with the error next to the box."""
    order = get_order_for(current_user, order_id)
    actor = current_user._get_current_object()
    form = SignForm()

    def move() -> None:
        documents.sign(actor=actor, order=order, sha256=form.sha256.data or None)

    done = _("You signed the Surat Pesanan.")
    return orders.submit_on_order_page(order, "sign", form, move, done, anchor="#documents")


def _document(order_id: int, kind: str) -> tuple[Order, OrderDocument]:
    order = get_order_for(current_user, order_id)
    found = documents.document_of(order, kind)
    if found is None:
        abort(404)
    return order, found
