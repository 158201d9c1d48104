"""The order page's fulfilment forms: ship, mark a shipment delivered, record the receipt (BAST), invoice, record a
payment made outside the system, confirm it. Each POST calls one service and goes back to the order page; invalid
input shows the order page again with the errors next to the fields (422)."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from marketplace.accounts.models import User
from marketplace.core.permissions import roles_required
from marketplace.core.timeutil import today_wib
from marketplace.procurement.forms.fulfilment import (
    FulfilmentActionForm,
    PayOutsideForm,
    ReceiveForm,
    ShipForm,
)
from marketplace.procurement.models import Order, Shipment
from marketplace.procurement.permissions import ORDER_ROLES
from marketplace.procurement.services import fulfilment
from marketplace.procurement.services.common import get_order_for
from marketplace.procurement.states import SHIPMENT_STATUS_LABELS, ShipmentStatus
from marketplace.procurement.views import bp, orders

INVALID = 422


@bp.app_context_processor
def fulfilment_helpers() -> dict:
    """`can_deliver(shipment)`: whether the reader may mark that shipment delivered now."""

    def can_deliver(shipment: Shipment) -> bool:
        user = current_user._get_current_object()
        return shipment.status == ShipmentStatus.SHIPPING and fulfilment.may_deliver(user, shipment.order, shipment)

    return {"can_deliver": can_deliver}


def ship_form(order: Order, user: User, **kwargs) -> ShipForm:
    """The ship form: the user's lines with units left, prefilled with what remains."""
    lines = fulfilment.shippable_lines(user, order)
    return ShipForm.for_lines(lines, {line.id: line.quantity - line.quantity_shipped for line in lines}, **kwargs)


def receive_form(order: Order, **kwargs) -> ReceiveForm:
    """The receipt form: every line, prefilled with the quantity shipped."""
    return ReceiveForm.for_lines(order.lines, {line.id: line.quantity_shipped for line in order.lines}, **kwargs)


def forms_for(order: Order, user: User, actions: set[str]) -> dict[str, FlaskForm]:
    """Blank fulfilment forms for those of `actions` (what the reader may do now) that have one: `ship`,
    `receive`, `pay_outside`, and `fulfilment` (the CSRF token of the one-button moves)."""
    forms: dict[str, FlaskForm] = {"fulfilment": FulfilmentActionForm(formdata=None)}
    if "ship" in actions:
        forms["ship"] = ship_form(order, user, formdata=None)
    if "receive" in actions:
        forms["receive"] = receive_form(order, formdata=None)
    if "pay-outside" in actions:
        forms["pay_outside"] = PayOutsideForm(formdata=None, paid_on=today_wib())
    return forms


@bp.post("/pesanan/<int:order_id>/kirim")
@roles_required(*ORDER_ROLES)
def ship_order(order_id: int):
    """Record a shipment of some of the user's lines."""
    order, user = _order(order_id)
    form = ship_form(order, user)
    return _submit(
        order,
        "ship",
        form,
        lambda: fulfilment.ship(
            actor=user,
            order=order,
            lines=form.quantities(),
            courier=form.courier.data or "",
            tracking_number=form.tracking_number.data or "",
        ),
        _("The shipment was recorded."),
    )


@bp.post("/pesanan/<int:order_id>/pengiriman/<int:shipment_id>/terkirim")
@roles_required(*ORDER_ROLES)
def deliver_shipment(order_id: int, shipment_id: int):
    """Mark a shipment delivered."""
    order, user = _order(order_id)
    return _submit(
        order,
        "fulfilment",
        FulfilmentActionForm(),
        lambda: fulfilment.deliver(actor=user, order=order, shipment_id=shipment_id),
        _("The shipment was marked as delivered."),
    )


@bp.post("/pesanan/<int:order_id>/terima-barang")
@roles_required(*ORDER_ROLES)
def receive_order(order_id: int):
    """The PPK records the quantities received and signs the BAST."""
    order, user = _order(order_id)
    form = receive_form(order)
    return _submit(
        order,
        "receive",
        form,
        lambda: fulfilment.receive(actor=user, order=order, received=form.quantities(), note=form.note.data),
        _("The receipt was recorded and the BAST signed."),
    )


@bp.post("/pesanan/<int:order_id>/tagihan")
@roles_required(*ORDER_ROLES)
def invoice_order(order_id: int):
    """The cooperative issues its invoice."""
    order, user = _order(order_id)
    return _submit(
        order,
        "fulfilment",
        FulfilmentActionForm(),
        lambda: fulfilment.invoice(actor=user, order=order),
        _("The invoice was issued."),
    )


@bp.post("/pesanan/<int:order_id>/bayar-di-luar")
@roles_required(*ORDER_ROLES)
def pay_outside(order_id: int):
    """The bendahara records a payment made outside the system."""
    order, user = _order(order_id)
    form = PayOutsideForm()
    return _submit(
        order,
        "pay_outside",
        form,
        lambda: fulfilment.pay_outside(
            actor=user, order=order, reference=form.reference.data or "", paid_on=form.paid_on.data
        ),
        _("The payment was recorded."),
    )


@bp.post("/pesanan/<int:order_id>/konfirmasi-pembayaran")
@roles_required(*ORDER_ROLES)
def confirm_payment(order_id: int):
    """The cooperative confirms the payment; the order is completed."""
    order, user = _order(order_id)
    return _submit(
        order,
        "fulfilment",
        FulfilmentActionForm(),
        lambda: fulfilment.confirm_payment(actor=user, order=order),
        _("The payment was confirmed; the order is completed."),
    )


def _order(order_id: int) -> tuple[Order, User]:
    """The order (404 unless the user may see it) and the signed-in user."""
    user = current_user._get_current_object()
    return get_order_for(user, order_id), user


def _submit(order: Order, key: str, form: FlaskForm, move: Callable[[], Order], done: str):
    """Run `move` for the form `key` of the order page (see `orders.submit_on_order_page`); a shipment's state is
    named by its label."""
    return orders.submit_on_order_page(order, key, form, move, done, status_labels={"shipment": SHIPMENT_STATUS_LABELS})
