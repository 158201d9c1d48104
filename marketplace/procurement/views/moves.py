"""The order's moves before signing, as POST routes from the order page: the PPK's review, the negotiation, the
cooperative's answer and the cancellation. Each redirects to the order page with a message; invalid input shows
the order page again (422) with the errors next to the fields."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from marketplace.procurement.forms.moves import CancelForm, MoveForm, ProposeForm, ReasonForm
from marketplace.procurement.models import Order
from marketplace.procurement.services import moves
from marketplace.procurement.services.common import get_order_for
from marketplace.procurement.views import bp, orders

INVALID = 422

#: Each move: its form class and the message shown once it is done.
FORMS: dict[str, type[FlaskForm]] = {
    "approve": MoveForm,
    "reject": ReasonForm,
    "propose": ProposeForm,
    "accept-offer": MoveForm,
    "accept": MoveForm,
    "refuse": ReasonForm,
    "cancel": CancelForm,
}
DONE = {
    "approve": _l("You approved the order. The cooperative is asked to confirm it."),
    "reject": _l("You rejected the order. The reserved stock was released."),
    "propose": _l("Your offer was sent to the other side."),
    "accept-offer": _l("You accepted the offer; the order's prices and totals are updated."),
    "accept": _l("You accepted the order. The Surat Pesanan is ready to sign."),
    "refuse": _l("You refused the order. The reserved stock was released."),
    "cancel": _l("The order was cancelled. The reserved stock was released."),
}


def forms_for(order: Order, actions: set[str]) -> dict[str, FlaskForm]:
    """The blank forms of the moves among `actions` (those the reader may make now), keyed by action name."""
    return {
        action: ProposeForm.prefilled(order) if action == "propose" else FORMS[action](formdata=None)
        for action in FORMS.keys() & actions
    }


#: The service function of each move; the form's `payload()` gives its input.
SERVICES: dict[str, Callable[..., Order]] = {
    "approve": moves.approve,
    "reject": moves.reject,
    "propose": moves.propose,
    "accept-offer": moves.accept_offer,
    "accept": moves.accept,
    "refuse": moves.refuse,
    "cancel": moves.cancel,
}


def _perform(order_id: int, action: str):
    """Validate the move's form, call the service, and answer with the order page or a redirect to it."""
    order = get_order_for(current_user, order_id)
    actor = current_user._get_current_object()
    form = FORMS[action]()

    def move() -> None:
        SERVICES[action](actor=actor, order=order, **form.payload())

    return orders.submit_on_order_page(order, action, form, move, str(DONE[action]), anchor="#moves")


@bp.post("/pesanan/<int:order_id>/setujui")
@login_required
def approve(order_id: int):
    """The order's PPK approves a PP's order."""
    return _perform(order_id, "approve")


@bp.post("/pesanan/<int:order_id>/tolak")
@login_required
def reject(order_id: int):
    """The order's PPK rejects a PP's order with a reason."""
    return _perform(order_id, "reject")


@bp.post("/pesanan/<int:order_id>/tawar")
@login_required
def propose(order_id: int):
    """The PPK or a manager proposes new unit prices or shipping."""
    return _perform(order_id, "propose")


@bp.post("/pesanan/<int:order_id>/terima-tawaran")
@login_required
def accept_offer(order_id: int):
    """The side that did not make the open offer accepts it."""
    return _perform(order_id, "accept-offer")


@bp.post("/pesanan/<int:order_id>/terima")
@login_required
def accept(order_id: int):
    """A manager of the cooperative accepts the order (the Surat Pesanan is issued)."""
    return _perform(order_id, "accept")


@bp.post("/pesanan/<int:order_id>/tolak-pesanan")
@login_required
def refuse(order_id: int):
    """A manager of the cooperative refuses the order with a reason."""
    return _perform(order_id, "refuse")


@bp.post("/pesanan/<int:order_id>/batalkan")
@login_required
def cancel(order_id: int):
    """Either side cancels the order before it is signed (reason of at least 20 characters)."""
    return _perform(order_id, "cancel")
