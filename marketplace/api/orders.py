"""Orders: the lists a caller may see, one order with everything on it, and one route per move of the lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, jsonify
from flask_babel import gettext as _
from pydantic import BaseModel

from marketplace.api.auth import api_user
from marketplace.api.framework import api_route, page_size
from marketplace.api.schemas.common import page_of
from marketplace.api.schemas.orders import (
    DeliverIn,
    OrderOut,
    OrderQuery,
    OrderSummaryOut,
    PayOutsideIn,
    ProposeIn,
    ReasonIn,
    ReceiveIn,
    ShipIn,
)
from marketplace.core.errors import IllegalTransition, ValidationFailed
from marketplace.core.pagination import Page
from marketplace.extensions import db
from marketplace.procurement.models import Order
from marketplace.procurement.services import documents, fulfilment, moves, queries
from marketplace.procurement.services.common import get_order_for
from marketplace.procurement.states import ORDER_STATUS_LABELS

TAGS = ["orders"]
ORDER = "/orders/<int:order_id>"


def order_out(order: Order) -> OrderOut:
    """The order as the caller sees it, with the actions they may take now."""
    user = api_user()
    return OrderOut.of(order, queries.timeline(order), queries.available_actions(user, order))


@api_route(
    "/orders",
    query=OrderQuery,
    response=page_of(OrderSummaryOut),
    description="The orders the caller may see, newest first: operators all, PP/PPK/bendahara their work unit's, "
    "managers their cooperative's, sellers those containing their products. `date_from` and `date_to` are days "
    "in WIB (both included); `number` matches the beginning of the order number. `per_page` is at most 100.",
    tags=TAGS,
)
def list_orders(query: OrderQuery) -> Page:
    """List orders."""
    found = queries.list_orders(
        api_user(),
        status=query.status,
        date_from=query.date_from,
        date_to=query.date_to,
        number=query.number,
        awaiting=query.awaiting,
        page=query.page,
        per_page=page_size(query),
    )
    found.items = [OrderSummaryOut.model_validate(order) for order in found.items]
    return found


@api_route(
    ORDER,
    response=OrderOut,
    description="Lines (prices as ordered or negotiated), totals, negotiation offers, documents with their "
    "signatures, shipments, the timeline (each move: who, when, why) and `actions`, the moves the caller may make "
    "now. An order the caller may not see is 404.",
    tags=TAGS,
)
def get_order(order_id: int) -> OrderOut:
    """Show an order."""
    return order_out(get_order_for(api_user(), order_id))


@dataclass(frozen=True)
class Move:
    """One `POST /orders/{id}/{action}`: the service function it calls and how its body becomes arguments."""

    action: str
    #: The service function that makes the move.
    service: Callable[..., Order]
    summary: str
    description: str
    body: type[BaseModel] | None = None
    arguments: Callable[[Any], dict[str, Any]] = lambda body: {}
    #: (body, a service's field path) → the body's field path (services may name lines by their id).
    field_path: Callable[[Any, str], str] = lambda body, key: key


def _reason(body: ReasonIn) -> dict[str, Any]:
    return {"reason": body.reason}


def _by_line_id(prefix: str, field: str) -> Callable[[Any, str], str]:
    """Service paths `<prefix>.<line id>.quantity` → the body's `lines.<index>.<field>` (`lines` for a line the
    body left out)."""

    def path(body: Any, key: str) -> str:
        for index, line in enumerate(body.lines):
            if key == f"{prefix}.{line.line_id}.quantity":
                return f"lines.{index}.{field}"
        return "lines" if key.startswith(f"{prefix}.") else key

    return path


MOVES = (
    Move("approve", moves.approve, "Approve an order", "The order's PPK approves a PP's order."),
    Move("reject", moves.reject, "Reject an order", "The order's PPK rejects a PP's order.", ReasonIn, _reason),
    Move(
        "propose",
        moves.propose,
        "Propose new prices",
        "The PPK or a manager of the cooperative proposes new unit prices and shipping for some lines (a "
        "counter-offer replaces the open one).",
        ProposeIn,
        lambda body: {"message": body.message, "lines": [line.model_dump(exclude_none=True) for line in body.lines]},
    ),
    Move("accept-offer", moves.accept_offer, "Accept the open offer", "The side that did not make it accepts it."),
    Move(
        "accept",
        moves.accept,
        "Accept an order",
        "A manager of the cooperative accepts; the Surat Pesanan is issued for both sides to sign.",
    ),
    Move("refuse", moves.refuse, "Refuse an order", "A manager of the cooperative refuses.", ReasonIn, _reason),
    Move(
        "sign",
        documents.sign,
        "Sign the Surat Pesanan",
        "The PPK or a manager signs for their side; the second signature starts the order's processing.",
    ),
    Move(
        "ship",
        fulfilment.ship,
        "Ship lines",
        "A seller ships quantities of their own lines (a manager any line); partial shipments are allowed.",
        ShipIn,
        lambda body: {
            "lines": {line.line_id: line.quantity for line in body.lines},
            "courier": body.courier,
            "tracking_number": body.tracking_number,
        },
        _by_line_id("lines", "quantity"),
    ),
    Move(
        "deliver",
        fulfilment.deliver,
        "Mark a shipment delivered",
        "The seller of its lines or a manager.",
        DeliverIn,
        lambda body: {"shipment_id": body.shipment_id},
    ),
    Move(
        "receive",
        fulfilment.receive,
        "Record receipt",
        "The order's PPK records the quantities received and a mismatch note; the BAST is issued and signed.",
        ReceiveIn,
        lambda body: {"received": {line.line_id: line.quantity_received for line in body.lines}, "note": body.note},
        _by_line_id("received", "quantity_received"),
    ),
    Move("invoice", fulfilment.invoice, "Issue the invoice", "A manager of the cooperative issues the invoice."),
    Move(
        "cancel",
        moves.cancel,
        "Cancel an order",
        "Before processing starts, a buyer officer of the work unit "
        "or a manager of the cooperative cancels, with a reason of at least 20 characters.",
        ReasonIn,
        _reason,
    ),
    Move(
        "pay-outside",
        fulfilment.pay_outside,
        "Record a payment outside the system",
        "The work unit's bendahara records that the invoice was paid outside the system.",
        PayOutsideIn,
        lambda body: {"reference": body.reference, "paid_on": body.paid_on},
    ),
    Move(
        "confirm-payment",
        fulfilment.confirm_payment,
        "Confirm the payment",
        "A manager of the cooperative confirms the payment; the order is completed.",
    ),
)


def conflict(error: IllegalTransition) -> Response:
    """409 with the order's current status (`error.current_status`), so a client can refresh its view."""
    db.session.rollback()
    message = _(
        "This action is not allowed while the order is: %(status)s.",
        status=ORDER_STATUS_LABELS.get(error.current_status, error.current_status),
    )
    body = {"error": {"code": error.code, "message": message, "fields": {}, "current_status": error.current_status}}
    response = jsonify(body)
    response.status_code = 409
    return response


def register(move: Move) -> None:
    """Add the route of one move."""

    def view(order_id: int, body: BaseModel | None = None) -> Any:
        user = api_user()
        order = get_order_for(user, order_id)
        try:
            order = move.service(actor=user, order=order, **(move.arguments(body) if body is not None else {}))
        except IllegalTransition as error:
            return conflict(error)
        except ValidationFailed as error:
            fields = {move.field_path(body, key): message for key, message in error.fields.items()}
            raise ValidationFailed(error.message, fields) from error
        return order_out(order)

    view.__name__ = f"order_{move.action.replace('-', '_')}"
    view.__doc__ = move.summary
    api_route(
        f"{ORDER}/{move.action}",
        methods=["POST"],
        body=move.body,
        response=OrderOut,
        description=f"{move.description} Answers the order. 403 when the caller may not make this move, 409 when "
        "the order's status does not allow it now (`error.current_status` gives the status), 422 with the invalid "
        "fields by dotted path." + ("" if move.body else " No body is needed."),
        tags=TAGS,
        errors=(403, 409, 422),
    )(view)


for _move in MOVES:
    register(_move)
