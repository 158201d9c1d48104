"""Fulfilment of an order in ON_PROCESS: the sellers (or a manager) ship lines, partially if they like, and mark
shipments delivered; the PPK records what was received and signs the BAST; the cooperative invoices; the bendahara
records a payment made outside the system and the cooperative confirms it, which completes the order.

Receipt needs at least one delivered shipment and none still on the way (lines never shipped may be received as 0
with a mismatch note). No move here sets a deadline: orders are cancelled automatically only before ON_PROCESS,
so `waiting_for` only shows who is due next.

Field paths of `ValidationFailed`: `lines.<line id>.quantity` (ship), `received.<line id>.quantity` (receive),
`courier`, `tracking_number`, `note`, `reference`, `paid_on`.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from marketplace.accounts.models import Role, User
from marketplace.core.audit import record_event
from marketplace.core.dates import past_day_error
from marketplace.core.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from marketplace.core.timeutil import to_jakarta, utcnow, wib_day_start
from marketplace.extensions import db
from marketplace.procurement.models import Order, OrderLine, Shipment, ShipmentLine
from marketplace.procurement.permissions import is_bendahara, is_order_ppk, is_provider_manager, sells_in
from marketplace.procurement.services import deadlines, documents, pricing, stock
from marketplace.procurement.services.common import commit_step, locked_order, require_state
from marketplace.procurement.states import ORDER, SHIPMENT, OrderStatus, Party, ShipmentStatus

#: Shortest mismatch note accepted at receipt.
NOTE_MIN_LENGTH = 10
TEXT_MAX_LENGTH = 80
REFERENCE_MAX_LENGTH = 120


# Who may do what -------------------------------------------------------------------------------------------------


def may_ship_line(user: User, order: Order, line: OrderLine) -> bool:
    """A manager of the order's cooperative ships any line; a seller only their own."""
    return is_provider_manager(user, order) or (user.has_role(Role.SELLER) and line.seller_id == user.id)


def shippable_lines(user: User, order: Order) -> list[OrderLine]:
    """The lines the user may ship that still have units to ship."""
    return [line for line in order.lines if may_ship_line(user, order, line) and line.quantity_shipped < line.quantity]


def may_deliver(user: User, order: Order, shipment: Shipment) -> bool:
    """A manager, or a seller of one of the shipment's lines."""
    return is_provider_manager(user, order) or (
        user.has_role(Role.SELLER) and any(item.order_line.seller_id == user.id for item in shipment.lines)
    )


def ready_for_receipt(order: Order) -> bool:
    """At least one shipment delivered and none still on the way."""
    statuses = {shipment.status for shipment in order.shipments}
    return ShipmentStatus.DELIVERED in statuses and not statuses & {ShipmentStatus.SHIPPING}


def available_actions(user: User, order: Order) -> set[str]:
    """The fulfilment actions (API names) the user may make on the order now."""
    actions: set[str] = set()
    manager = is_provider_manager(user, order)
    if order.status == OrderStatus.ON_PROCESS:
        if shippable_lines(user, order):
            actions.add("ship")
        if any(s.status == ShipmentStatus.SHIPPING and may_deliver(user, order, s) for s in order.shipments):
            actions.add("deliver")
        if is_order_ppk(user, order) and ready_for_receipt(order):
            actions.add("receive")
    if manager and ORDER.can(order, "invoice"):
        actions.add("invoice")
    if is_bendahara(user, order) and ORDER.can(order, "pay_outside") and not has_payment_under_way(order):
        actions.add("pay-outside")
    if manager and ORDER.can(order, "confirm_payment"):
        actions.add("confirm-payment")
    return actions


# Moves -------------------------------------------------------------------------------------------------------------


def ship(*, actor: User, order: Order, lines: dict[int, int], courier: str, tracking_number: str) -> Order:
    """Ship `lines` ({order line id: quantity}) in one new shipment with its courier and tracking number."""
    order = locked_order(order.id)
    if not (is_provider_manager(actor, order) or sells_in(actor, order)):
        raise Forbidden(_("Only the cooperative's managers and the sellers of its lines ship an order."))
    _require_state(order, "ship")
    by_id = {line.id: line for line in order.lines}
    chosen = {line_id: quantity for line_id, quantity in lines.items() if quantity}
    if any(line_id in by_id and not may_ship_line(actor, order, by_id[line_id]) for line_id in chosen):
        raise Forbidden(_("A seller ships only the lines of their own products."))
    errors = _text_errors(courier=courier, tracking_number=tracking_number)
    for line_id, quantity in lines.items():
        line = by_id.get(line_id)
        path = f"lines.{line_id}.quantity"
        if line is None:
            errors[path] = _("This line is not in the order.")
        elif not 0 <= quantity <= line.quantity - line.quantity_shipped:
            errors[path] = _("Ship between 0 and %(left)s.", left=line.quantity - line.quantity_shipped)
    if not chosen and not errors:
        errors["lines"] = _("Enter the quantity shipped of at least one line.")
    if errors:
        raise ValidationFailed(_("The shipment could not be recorded."), errors)

    shipment = Shipment(
        order_id=order.id,
        created_by_id=actor.id,
        status=ShipmentStatus.DRAFT,
        courier=courier.strip(),
        tracking_number=tracking_number.strip(),
    )
    db.session.add(shipment)
    for line_id, quantity in sorted(chosen.items()):
        shipment.lines.append(ShipmentLine(order_line_id=line_id, quantity=quantity))
        by_id[line_id].quantity_shipped += quantity
    db.session.flush()
    SHIPMENT.move(shipment, "ship", actor_id=actor.id)
    shipment.shipped_at = utcnow()
    record_event(
        "order.shipped",
        subject_type="order",
        subject_id=order.id,
        actor_id=actor.id,
        after={
            "shipment_id": shipment.id,
            "lines": [{"line_id": line_id, "quantity": quantity} for line_id, quantity in sorted(chosen.items())],
            "courier": shipment.courier,
            "tracking_number": shipment.tracking_number,
        },
    )
    _set_waiting(order)
    return commit_step(order, "shipped")


def deliver(*, actor: User, order: Order, shipment_id: int) -> Order:
    """Mark one of the order's shipments delivered."""
    order = locked_order(order.id)
    shipment = next((s for s in order.shipments if s.id == shipment_id), None)
    if shipment is None:
        raise NotFound(_("This shipment is not in the order."))
    if not may_deliver(actor, order, shipment):
        raise Forbidden(_("Only the cooperative's managers and the shipment's sellers mark it delivered."))
    _require_state(order, "deliver")
    SHIPMENT.move(shipment, "deliver", actor_id=actor.id)
    shipment.delivered_at = utcnow()
    record_event(
        "order.delivered",
        subject_type="order",
        subject_id=order.id,
        actor_id=actor.id,
        after={"shipment_id": shipment.id},
    )
    _set_waiting(order)
    return commit_step(order, "delivered")


def receive(*, actor: User, order: Order, received: dict[int, int], note: str | None) -> Order:
    """Record the quantities received per line (at most what was shipped; a note on any mismatch), issue and sign
    the BAST. When less arrived than was ordered, the lines' amounts become those of the quantities received (what
    the invoice bills) and the units never shipped go back to stock."""
    order = locked_order(order.id)
    if not is_order_ppk(actor, order):
        raise Forbidden(_("Only the order's PPK records the receipt."))
    _require_state(order, "receive")
    if not ready_for_receipt(order):
        raise Conflict(_("Receipt can be recorded once a shipment is delivered and none is still on the way."))
    note = (note or "").strip() or None
    errors: dict[str, str] = {}
    by_id = {line.id: line for line in order.lines}
    for line_id in received.keys() - by_id.keys():
        errors[f"received.{line_id}.quantity"] = _("This line is not in the order.")
    for line in order.lines:
        quantity = received.get(line.id)
        if quantity is None:
            errors[f"received.{line.id}.quantity"] = _("Enter the quantity received.")
        elif not 0 <= quantity <= line.quantity_shipped:
            errors[f"received.{line.id}.quantity"] = _("Enter between 0 and %(max)s.", max=line.quantity_shipped)
    mismatch = any(received.get(line.id) != line.quantity for line in order.lines)
    if not errors and mismatch and len(note or "") < NOTE_MIN_LENGTH:
        errors["note"] = _(
            "Some quantities differ from the order: describe the mismatch (at least %(min)s characters).",
            min=NOTE_MIN_LENGTH,
        )
    if errors:
        raise ValidationFailed(_("The receipt could not be recorded."), errors)

    for line in order.lines:
        line.quantity_received = received[line.id]
    order.receipt_note = note
    order.received_at = utcnow()
    total_ordered = order.total
    if mismatch:
        pricing.bill_received(order)
        stock.release_unshipped(order)
    for shipment in order.shipments:
        if SHIPMENT.can(shipment, "confirm"):
            SHIPMENT.move(shipment, "confirm", actor_id=actor.id)
    bast = documents.issue_bast(order, actor)
    documents.sign_document(bast, actor, Party.BUYER)
    ORDER.move(
        order,
        "receive",
        actor_id=actor.id,
        reason=note,
        extra={
            "received": [{"line_id": line.id, "quantity": line.quantity_received} for line in order.lines],
            "total_ordered": total_ordered,
            "total": order.total,
        },
    )
    deadlines.wait_for(order, deadlines.PROVIDER)
    return commit_step(order, "received")


def invoice(*, actor: User, order: Order) -> Order:
    """Issue the cooperative's invoice for a received order."""
    order = locked_order(order.id)
    if not is_provider_manager(actor, order):
        raise Forbidden(_("Only the cooperative's managers issue the invoice."))
    _require_state(order, "invoice")
    document = documents.issue_invoice(order, actor)
    ORDER.move(order, "invoice", actor_id=actor.id, extra={"invoice_number": document.number})
    deadlines.wait_for(order, deadlines.BENDAHARA)
    return commit_step(order, "invoiced")


def pay_outside(*, actor: User, order: Order, reference: str, paid_on: date | None) -> Order:
    """Record that the work unit paid the invoice outside the system (until payments exist)."""
    order = locked_order(order.id)
    if not is_bendahara(actor, order):
        raise Forbidden(_("Only a bendahara of the work unit records a payment."))
    _require_state(order, "pay_outside")
    if has_payment_under_way(order):
        raise Conflict(_("This invoice is being paid, or was paid, in the system: it is not paid outside."))
    reference = (reference or "").strip()
    errors: dict[str, str] = {}
    if not reference:
        errors["reference"] = _("Enter the payment's reference (e.g. the SP2D number).")
    elif len(reference) > REFERENCE_MAX_LENGTH:
        errors["reference"] = _("At most %(max)s characters.", max=REFERENCE_MAX_LENGTH)
    day_error = past_day_error(
        paid_on,
        earliest=to_jakarta(order.created_at).date(),
        missing=_("Enter the payment date."),
        future=_("The payment date cannot be in the future."),
    )
    if day_error:
        errors["paid_on"] = day_error
    if errors:
        raise ValidationFailed(_("The payment could not be recorded."), errors)

    # The day paid, stored as its start in WIB (the time it was recorded is the audit event's).
    order.paid_outside_at = wib_day_start(paid_on)
    order.paid_outside_reference = reference
    ORDER.move(order, "pay_outside", actor_id=actor.id, extra={"reference": reference, "paid_on": paid_on.isoformat()})
    deadlines.wait_for(order, deadlines.PROVIDER)
    return commit_step(order, "paid_outside")


def confirm_payment(*, actor: User, order: Order) -> Order:
    """The cooperative confirms it was paid: the order and its shipments are completed."""
    order = locked_order(order.id)
    if not is_provider_manager(actor, order):
        raise Forbidden(_("Only the cooperative's managers confirm the payment."))
    _require_state(order, "confirm_payment")
    complete(order, "confirm_payment", actor_id=actor.id)
    return commit_step(order, "completed")


def complete(order: Order, action: str, *, actor_id: int | None, extra: dict | None = None) -> None:
    """Move the paid order to COMPLETED by `action` (a payment outside confirmed, or one in the system): its
    shipments are completed and nobody is due any more (flush only)."""
    ORDER.move(order, action, actor_id=actor_id, extra=extra)
    order.completed_at = utcnow()
    for shipment in order.shipments:
        if SHIPMENT.can(shipment, "complete"):
            SHIPMENT.move(shipment, "complete", actor_id=actor_id)
    deadlines.wait_for(order, None)


def has_payment_under_way(order: Order) -> bool:
    """Whether a payment in the system (card or transfer) holds the invoice: then it is not paid outside."""
    from marketplace.payments.services.payments import active_payment  # payments builds on procurement: lazily

    return active_payment(order) is not None


# Helpers -----------------------------------------------------------------------------------------------------------


def _require_state(order: Order, action: str) -> None:
    """Raise `IllegalTransition` unless the order's state allows `action` (ship and deliver: ON_PROCESS)."""
    if action in {"ship", "deliver"}:
        if order.status != OrderStatus.ON_PROCESS:
            raise IllegalTransition("order", order.status, action)
    else:
        require_state(order, action)


def _text_errors(**values: str) -> dict[str, str]:
    """Errors of required short texts (courier, tracking number)."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        if not (value or "").strip():
            errors[name] = _("This field is required.")
        elif len(value.strip()) > TEXT_MAX_LENGTH:
            errors[name] = _("At most %(max)s characters.", max=TEXT_MAX_LENGTH)
    return errors


def _set_waiting(order: Order) -> None:
    """While shipping: the provider is due until every unit is shipped, then the PPK (receipt)."""
    done = all(line.quantity_shipped >= line.quantity for line in order.lines)
    deadlines.wait_for(order, deadlines.PPK if done else deadlines.PROVIDER)
