"""Surat Pesanan, BAST and invoice: issued once per order as HTML in Bahasa Indonesia (the SHA-256 of that HTML is
what the parties sign), signed in the app by each party once, and printed or downloaded as PDF.

PDFs are made by WeasyPrint, which needs the system library pango (installed on the servers and in the image). The
documents use no external fonts or images, and `render_pdf` refuses every URL fetch: rendering never touches the
network.
"""

from __future__ import annotations

import hashlib

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from lokal import terbilang
from markupsafe import Markup
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.core.audit import client_ip, record_event
from marketplace.core.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.procurement.models import Order, OrderDocument, Signature
from marketplace.procurement.permissions import party_of
from marketplace.procurement.services import deadlines, notify, numbers
from marketplace.procurement.services.common import locked_order
from marketplace.procurement.states import NUMBER_PREFIXES, ORDER, SIGNING_PARTIES, DocumentKind, Party
from marketplace.reference.regions import Region, ancestor_codes, get_region

#: The API action name of signing the Surat Pesanan.
SIGN = "sign"
#: The language documents are issued in.
DOCUMENT_LOCALE = "id"


def document_of(order: Order, kind: DocumentKind | str) -> OrderDocument | None:
    """The order's document of this kind, if issued."""
    return db.session.scalars(
        select(OrderDocument).where(OrderDocument.order_id == order.id, OrderDocument.kind == str(kind))
    ).one_or_none()


def issue_surat_pesanan(order: Order, actor: User | None) -> OrderDocument:
    """Issue the order's Surat Pesanan (its number is the order's), or return it if already issued; flush only."""
    return _issue(order, actor, DocumentKind.SURAT_PESANAN, number=order.number)


def issue_bast(order: Order, actor: User | None) -> OrderDocument:
    """Issue the order's BAST (receipt quantities and note as now on the order), or return the existing one."""
    return _issue(order, actor, DocumentKind.BAST)


def issue_invoice(order: Order, actor: User | None) -> OrderDocument:
    """Issue the order's invoice for its total, or return the existing one; flush only."""
    return _issue(order, actor, DocumentKind.INVOICE)


def issue_kuitansi(order: Order, actor: User | None, **context: object) -> OrderDocument:
    """Issue the order's receipt (kuitansi) when it is paid in the system (`context`: `payment`, its `method_label`),
    or return the existing one; flush only."""
    return _issue(order, actor, DocumentKind.KUITANSI, **context)


def _issue(
    order: Order, actor: User | None, kind: DocumentKind, number: str | None = None, **context: object
) -> OrderDocument:
    existing = document_of(order, kind)
    if existing is not None:
        return existing
    number = number or numbers.next_number(order.cooperative_id, NUMBER_PREFIXES[kind])
    issued_at = utcnow()
    html = render_document_html(order, kind, number=number, issued_at=issued_at, **context)
    document = OrderDocument(
        order_id=order.id,
        cooperative_id=order.cooperative_id,
        kind=str(kind),
        number=number,
        html=html,
        sha256=sha256_of(html),
        issued_at=issued_at,
        issued_by_id=actor.id if actor else None,
    )
    db.session.add(document)
    db.session.flush()
    return document


def sha256_of(html: str) -> str:
    """The hex SHA-256 of the document's HTML (UTF-8)."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def render_document_html(order: Order, kind: DocumentKind, *, number: str, issued_at, **context: object) -> str:
    """The document's body, rendered in Bahasa Indonesia from `procurement/documents/<kind>.html` (`context`: what
    one kind needs beyond the order, e.g. the kuitansi's payment)."""
    references = {
        str(other.kind): other.number
        for other in db.session.scalars(select(OrderDocument).filter_by(order_id=order.id))
    }
    with force_locale(DOCUMENT_LOCALE):
        return render_template(
            f"procurement/documents/{kind}.html",
            order=order,
            number=number,
            issued_at=issued_at,
            delivery_regions=region_levels(order.delivery_region_code),
            total_in_words=amount_in_words(order.total),
            references=references,
            **context,
        )


def region_levels(code: str | None) -> list[Region]:
    """The Kemendagri regions from the kelurahan/desa (or the deepest known level) up to the province."""
    found = [get_region(each) for each in ancestor_codes(code)] if code else []
    return [region for region in reversed(found) if region is not None]


def amount_in_words(amount: int) -> str:
    """Terbilang: `Satu juta dua ratus ribu rupiah`."""
    return terbilang(amount, currency=True, case="sentence")


def sign_document(document: OrderDocument, actor: User, party: Party | str) -> Signature:
    """Add the party's signature of the document (name and role as printed, its SHA-256); flush only.

    The caller checks that `actor` acts for `party`; a party signs a document once (else Conflict)."""
    if any(signature.party == str(party) for signature in document.signatures):
        raise Conflict(_("This party has already signed the document."))
    with force_locale(DOCUMENT_LOCALE):
        role = str(signer_role(party))
    signature = Signature(
        party=str(party),
        user_id=actor.id,
        signer_name=actor.full_name,
        signer_role=role,
        sha256=document.sha256,
        signed_at=utcnow(),
        ip_address=client_ip(),
    )
    document.signatures.append(signature)
    db.session.flush()
    return signature


def signer_role(party: Party | str) -> str:
    """The role printed under a party's signature."""
    if str(party) == Party.BUYER:
        return _("Commitment-making officer (PPK)")
    return _("Cooperative manager")


def sign(*, actor: User, order: Order, sha256: str | None = None) -> Order:
    """Sign the order's Surat Pesanan for the actor's party (its PPK, or a manager of the cooperative).

    `sha256`, when given, must be the document's: the user signs what they saw. The first signature is audited
    as `order.signed`, leaves the status (and the deadline: both sides were asked to sign at once) and reminds the
    other side; the second moves the order to ON_PROCESS and notifies the sellers."""
    order = locked_order(order.id)
    party = party_of(actor, order)
    if party is None:
        raise Forbidden(_("Only the order's PPK and the cooperative's managers sign the Surat Pesanan."))
    if not ORDER.can(order, SIGN):
        raise IllegalTransition("order", order.status, SIGN)
    document = issue_surat_pesanan(order, actor)
    db.session.refresh(document, ["signatures"])  # as committed before the lock was taken, not as first loaded
    if sha256 is not None and sha256 != document.sha256:
        message = _("The document changed since you opened it; check it again before signing.")
        raise ValidationFailed(message, {"sha256": message})
    signature = sign_document(document, actor, party)
    signed = {"document": document.number, "sha256": document.sha256, "party": str(party)}
    if {each.party for each in document.signatures} >= {Party.BUYER, Party.PROVIDER}:
        ORDER.move(order, SIGN, actor_id=actor.id, extra=signed)
        deadlines.wait_for(order, None)
        notify.order_event(order, "signed")
    else:
        record_event(
            "order.signed",
            subject_type="order",
            subject_id=order.id,
            actor_id=actor.id,
            after={**signed, "signed_at": signature.signed_at.isoformat()},
        )
        notify.order_event(order, "countersign", actor=actor)
    db.session.commit()
    return order


def signed_parties(order: Order) -> set[str]:
    """The parties that have signed the order's Surat Pesanan."""
    document = document_of(order, DocumentKind.SURAT_PESANAN)
    return {signature.party for signature in document.signatures} if document else set()


def available_actions(user: User, order: Order) -> set[str]:
    """`{"sign"}` when the user's party may sign the Surat Pesanan now and has not yet."""
    party = party_of(user, order)
    if party is None or not ORDER.can(order, SIGN) or str(party) in signed_parties(order):
        return set()
    return {SIGN}


def full_html(document: OrderDocument, *, printable: bool = False, back_url: str | None = None) -> str:
    """The document as a whole page: the stored body and its signature blocks (and a print button if printable).
    The document is in Indonesian; the print bar above it speaks the reader's language."""
    print_bar = {"print": _("Print"), "back": _("Back to the order")} if printable else None
    with force_locale(DOCUMENT_LOCALE):
        return render_template(
            "procurement/documents/page.html",
            document=document,
            # The body was rendered (and escaped) by our own templates when issued: it is not user text.
            body=Markup(document.html),  # noqa: S704
            signatures={signature.party: signature for signature in document.signatures},
            parties=SIGNING_PARTIES.get(document.kind, ()),
            print_bar=print_bar,
            back_url=back_url,
        )


def render_pdf(document: OrderDocument) -> bytes:
    """The document as an A4 PDF (WeasyPrint; every URL fetch refused, so no network access)."""
    from weasyprint import HTML

    return HTML(string=full_html(document), base_url=None, url_fetcher=_refuse_fetch).write_pdf()


def _refuse_fetch(url: str, *args, **kwargs) -> dict:
    raise ValueError(f"documents fetch nothing: {url}")
