"""Paying an invoice: the bendahara's page (KKP card with Stripe.js, or a bank transfer with its proof), the card
payment's JSON endpoints (start, poll), and the cooperative's buttons on the order page (confirm or reject a
transfer, refund). The order is paid only by the verified webhook or a confirmed transfer, never by the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from marketplace.accounts.models import Role, User
from marketplace.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from marketplace.core.forms import BaseForm, place_errors
from marketplace.core.http import json_error
from marketplace.core.permissions import roles_required
from marketplace.core.storage import storage
from marketplace.core.timeutil import today_wib
from marketplace.extensions import db
from marketplace.payments import gateway
from marketplace.payments.models import Payment, Refund
from marketplace.payments.services import abandon, payments, proofs, refunds
from marketplace.payments.services.form_keys import form_key_field, new_form_key
from marketplace.payments.states import METHOD_LABELS, PAYMENT_STATUS_LABELS, RefundStatus
from marketplace.payments.views import bp
from marketplace.procurement.models import Order
from marketplace.procurement.permissions import ORDER_ROLES, is_bendahara, is_buyer_officer, is_provider_manager
from marketplace.procurement.services import documents
from marketplace.procurement.services.common import get_order_for
from marketplace.procurement.states import ORDER_STATUS_LABELS, DocumentKind
from marketplace.procurement.views.orders import submit_on_order_page

INVALID = 422
PROOF_ACCEPT = "application/pdf,image/jpeg,image/png"
MONEY = {"inputmode": "numeric", "min": 1}
REFUND_STATUS_LABELS = {
    RefundStatus.PENDING: _l("In progress"),
    RefundStatus.SUCCEEDED: _l("Refunded"),
    RefundStatus.FAILED: _l("Failed"),
}


class TransferForm(BaseForm):
    """A bank transfer (LS/SP2D) of the invoice: date, amount, bank reference and the proof."""

    transfer_date = DateField(_l("Transfer date"), validators=[InputRequired()])
    amount = IntegerField(_l("Amount (Rp)"), validators=[InputRequired(), NumberRange(min=1)], render_kw=MONEY)
    bank_reference = StringField(
        _l("Bank reference"),
        description=_l("The SP2D number or the bank's transaction reference."),
        validators=[InputRequired(), Length(max=proofs.REFERENCE_MAX_LENGTH)],
    )
    proof = FileField(
        _l("Proof of transfer"),
        description=_l("PDF, JPEG or PNG, at most 10 MB."),
        render_kw={"accept": PROOF_ACCEPT},
    )


class RefundForm(BaseForm):
    """A refund: amount and reason; for a transfer also the bank reference and the proof."""

    #: Made when the form is shown: submitting the same form twice refunds once.
    key = form_key_field()
    amount = IntegerField(
        _l("Amount to refund (Rp)"), validators=[InputRequired(), NumberRange(min=1)], render_kw=MONEY
    )
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=2000)])
    bank_reference = StringField(_l("Bank reference of the refund"), validators=[Optional(), Length(max=120)])
    proof = FileField(_l("Proof of the refund transfer"), render_kw={"accept": PROOF_ACCEPT})


class RejectForm(BaseForm):
    """Why a recorded transfer is not confirmed."""

    reason = TextAreaField(_l("Why is the transfer not confirmed?"), validators=[InputRequired(), Length(max=2000)])


class ButtonForm(BaseForm):
    """A button (CSRF only)."""


@dataclass
class PaymentPanel:
    """What the order page's payments part shows to the reader."""

    payments: list[Payment]
    can_pay: bool
    manager: bool
    #: A bendahara of the work unit (may abandon a pending card payment).
    bendahara: bool = False
    forms: dict[str, FlaskForm] = field(default_factory=dict)

    def form(self, name: str, payment: Payment) -> FlaskForm:
        """The submitted form with its errors, or a blank one; a refund form gets a fresh idempotency key."""
        key = f"{name}_{payment.id}"
        if key not in self.forms:
            blank = {"refund": RefundForm, "reject": RejectForm, "confirm": ButtonForm, "abandon": ButtonForm}[name]
            defaults = {"amount": refunds.refundable_amount(payment)} if name == "refund" else {}
            self.forms[key] = blank(formdata=None, **defaults)
        form = self.forms[key]
        if name == "refund":
            # Shown again after an error (nothing refunded, or Stripe refused): a new attempt needs a new key.
            form.key.data = new_form_key()
        return form

    def may_abandon(self, payment: Payment) -> bool:
        """Whether the reader may abandon this payment (`abandon.is_abandonable`)."""
        return self.bendahara and abandon.is_abandonable(payment)


@bp.app_context_processor
def payment_helpers() -> dict:
    """For every template: `payment_panel(order, forms)`, labels and `payment_failure(payment)`."""
    return {
        "payment_panel": _panel,
        "payment_status_labels": PAYMENT_STATUS_LABELS,
        "payment_method_labels": METHOD_LABELS,
        "refund_status_labels": REFUND_STATUS_LABELS,
        "payment_failure": payments.failure_text,
        "refundable_amount": refunds.refundable_amount,
    }


def _panel(order: Order, forms: dict | None = None) -> PaymentPanel:
    user = current_user._get_current_object()
    return PaymentPanel(
        payments=payments.payments_of(order),
        can_pay=payments.may_pay(user, order),
        manager=is_provider_manager(user, order),
        bendahara=is_bendahara(user, order),
        forms={key: form for key, form in (forms or {}).items() if key.split("_")[0] in {"refund", "reject"}},
    )


# The bendahara's page -----------------------------------------------------------------------------------------------


@bp.route("/pesanan/<int:order_id>/bayar", methods=["GET", "POST"])
@roles_required(Role.BENDAHARA)
def pay(order_id: int):
    """The invoice with the card form (when available) and the bank transfer form; POST records a transfer."""
    order, user = _order(order_id)
    if not is_bendahara(user, order):
        raise Forbidden(_("Only a bendahara of the work unit pays the invoice."))
    form = TransferForm(formdata=None, amount=order.total, transfer_date=today_wib())
    if request.method == "POST":
        form = TransferForm()
        if form.validate_on_submit():
            try:
                payments.record_transfer(
                    actor=user,
                    order=order,
                    transfer_date=form.transfer_date.data,
                    amount=form.amount.data,
                    bank_reference=form.bank_reference.data or "",
                    proof=form.proof.data,
                )
            except ValidationFailed as error:
                db.session.rollback()
                place_errors(form, error)
            except Conflict as error:
                db.session.rollback()
                flash(error.message, "warning")
                return _to_order(order)
            else:
                flash(_("The transfer was recorded; the cooperative will confirm it."), "success")
                return _to_order(order)
        return _pay_page(order, user, form), INVALID
    return _pay_page(order, user, form)


def _pay_page(order: Order, user: User, form: TransferForm) -> str:
    invoice = documents.document_of(order, DocumentKind.INVOICE)
    return render_template(
        "payments/pay.html",
        order=order,
        invoice=invoice,
        form=form,
        may_pay=payments.may_pay(user, order),
        active=payments.active_payment(order),
        card_enabled=gateway.card_payments_enabled(),
        card_allowed=payments.card_allowed(order),
        kkp_limit=payments.kkp_limit(),
        test_mode=gateway.is_test_mode(),
        stripe_js_url=gateway.stripe_js_url(),
        publishable_key=gateway.publishable_key(),
        order_status_labels=ORDER_STATUS_LABELS,
    )


# Card (JSON) --------------------------------------------------------------------------------------------------------


@bp.post("/pesanan/<int:order_id>/bayar/kartu")
@roles_required(Role.BENDAHARA)
def pay_card(order_id: int):
    """Start (or resume) the card payment with a Stripe.js token: `{token}` → the payment's status, the client
    secret when 3-D Secure is needed, and the URL to poll."""
    body = request.get_json(silent=True) or {}
    try:
        order, user = _order(order_id)
    except NotFound as error:
        return json_error(404, error.code, error.message)
    try:
        payment = payments.start_card_payment(actor=user, order=order, token=str(body.get("token") or ""))
        secret = payments.client_secret(payment)
    except DomainError as error:
        db.session.rollback()
        return json_error(error.status, error.code, error.message, error.fields)
    except gateway.StripeError:
        db.session.rollback()
        message = _("The card payment service is not reachable now. Try again in a moment, or pay by bank transfer.")
        return json_error(502, "gateway_error", message)
    answer = payments.payment_status(payment)
    answer.update(client_secret=secret, status_url=url_for("payments.payment_status", payment_id=payment.id))
    return jsonify(answer)


@bp.get("/pembayaran/<int:payment_id>/status")
@roles_required(*ORDER_ROLES)
def payment_status(payment_id: int):
    """The payment's status, for the paying page to poll until the webhook has arrived."""
    try:
        payment = _payment(payment_id)[0]
    except NotFound as error:
        return json_error(404, error.code, error.message)
    return jsonify(payments.payment_status(payment))


# The cooperative's buttons ------------------------------------------------------------------------------------------


@bp.post("/pembayaran/<int:payment_id>/konfirmasi")
@roles_required(Role.COOP_MANAGER)
def confirm_transfer(payment_id: int):
    """A manager confirms that a recorded transfer arrived: the order is paid and completed."""
    payment, order = _payment(payment_id)
    form = ButtonForm()
    return _submit(
        order,
        f"confirm_{payment.id}",
        form,
        lambda: payments.confirm_transfer(actor=current_user._get_current_object(), payment=payment),
        _("The transfer was confirmed; the order is completed and the kuitansi issued."),
    )


@bp.post("/pembayaran/<int:payment_id>/tolak")
@roles_required(Role.COOP_MANAGER)
def reject_transfer(payment_id: int):
    """A manager refuses a recorded transfer that did not arrive: the invoice is payable again."""
    payment, order = _payment(payment_id)
    form = RejectForm()
    return _submit(
        order,
        f"reject_{payment.id}",
        form,
        lambda: payments.reject_transfer(
            actor=current_user._get_current_object(), payment=payment, reason=form.reason.data or ""
        ),
        _("The transfer was not confirmed; the bendahara was told."),
    )


@bp.post("/pembayaran/<int:payment_id>/refund")
@roles_required(Role.COOP_MANAGER)
def refund(payment_id: int):
    """A manager refunds all or part of a paid payment."""
    payment, order = _payment(payment_id)
    form = RefundForm()
    return _submit(
        order,
        f"refund_{payment.id}",
        form,
        lambda: refunds.refund(
            actor=current_user._get_current_object(),
            payment=payment,
            amount=form.amount.data,
            reason=form.reason.data or "",
            bank_reference=form.bank_reference.data,
            proof=form.proof.data,
            key=form.key.data,
        ),
        _("The refund was recorded."),
    )


@bp.post("/pembayaran/<int:payment_id>/batalkan")
@roles_required(Role.BENDAHARA)
def abandon_card_payment(payment_id: int):
    """A bendahara abandons a card payment left waiting (3-D Secure not completed): the invoice is payable again."""
    payment, order = _payment(payment_id)
    return _submit(
        order,
        f"abandon_{payment.id}",
        ButtonForm(),
        lambda: abandon.abandon_card_payment(actor=current_user._get_current_object(), payment=payment),
        _("The card payment was abandoned; the invoice can be paid again."),
    )


# Proof files --------------------------------------------------------------------------------------------------------


@bp.get("/pembayaran/<int:payment_id>/bukti")
@roles_required(Role.PP, Role.PPK, Role.BENDAHARA, Role.COOP_MANAGER, Role.OPERATOR)
def payment_proof(payment_id: int):
    """The transfer's proof, for the buyer's officers, the cooperative's managers and operators."""
    payment, order = _payment(payment_id)
    return _proof(order, payment)


@bp.get("/pembayaran/<int:payment_id>/refund/<int:refund_id>/bukti")
@roles_required(Role.PP, Role.PPK, Role.BENDAHARA, Role.COOP_MANAGER, Role.OPERATOR)
def refund_proof(payment_id: int, refund_id: int):
    """A transfer refund's proof, for the same people."""
    payment, order = _payment(payment_id)
    found = db.session.get(Refund, refund_id)
    if found is None or found.payment_id != payment.id:
        raise NotFound(_("This refund does not exist."))
    return _proof(order, found)


def _proof(order: Order, holder: Payment | Refund):
    user = current_user._get_current_object()
    parties = is_buyer_officer(user, order) or is_bendahara(user, order) or is_provider_manager(user, order)
    if not (parties or user.has_role(Role.OPERATOR)):
        raise Forbidden(_("Only the parties of the order see the proof."))
    if not holder.proof_storage_key:
        raise NotFound(_("There is no proof file."))
    path = storage().path(holder.proof_storage_key)
    if not path.is_file():
        raise NotFound(_("There is no proof file."))
    response = send_file(
        path, mimetype=holder.proof_content_type, as_attachment=True, download_name=holder.proof_filename or "bukti"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Helpers ------------------------------------------------------------------------------------------------------------


def _order(order_id: int) -> tuple[Order, User]:
    user = current_user._get_current_object()
    return get_order_for(user, order_id), user


def _payment(payment_id: int) -> tuple[Payment, Order]:
    """The payment and its order, if the user may see the order (else NotFound)."""
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(_("This payment does not exist."))
    return payment, get_order_for(current_user._get_current_object(), payment.order_id)


def _to_order(order: Order):
    return redirect(url_for("procurement.order_detail", order_id=order.id), code=303)


def _submit(order: Order, key: str, form: FlaskForm, action: Callable[[], object], done: str):
    """Run `action` for the payment form `key` of the order page (see `submit_on_order_page`)."""
    return submit_on_order_page(order, key, form, action, done, status_labels={"payment": PAYMENT_STATUS_LABELS})
