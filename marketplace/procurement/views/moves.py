"""The order's moves before signing, as POST routes from the order page: the PPK's review, the negotiation, the
cooperative's answer and the cancellation. Each redirects to the order page with a message; invalid input shows
the order page again (422) with the errors next to the fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from marketplace.accounts.models import User
from marketplace.core.errors import Conflict, IllegalTransition, ValidationFailed
from marketplace.procurement.forms.moves import CancelForm, MoveForm, ProposeForm, ReasonForm
from marketplace.procurement.models import Order
from marketplace.procurement.services import moves
from marketplace.procurement.services.common import get_order_for
from marketplace.procurement.states import ORDER_STATUS_LABELS
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


def forms_for(order: Order, user: User) -> dict[str, FlaskForm]:
    """The forms of the moves the user may make on the order now, keyed by action name."""
    return {
        action: ProposeForm.prefilled(order) if action == "propose" else FORMS[action](formdata=None)
        for action in moves.available_actions(user, order)
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
    back = redirect(url_for("procurement.order_detail", order_id=order.id) + "#moves")
    if not form.validate_on_submit():
        return _page_with_form(order, actor, action, form)
    # The services check everything before they change anything: a refusal leaves nothing to roll back.
    try:
        SERVICES[action](actor=actor, order=order, **form.payload())
    except ValidationFailed as error:
        _attach_errors(form, error)
        return _page_with_form(order, actor, action, form)
    except IllegalTransition as error:
        status = ORDER_STATUS_LABELS.get(error.current_status, error.current_status)
        flash(_("This is not possible any more: the order is now “%(status)s”.", status=status), "warning")
        return back
    except Conflict as error:
        flash(error.message, "warning")
        return back
    flash(str(DONE[action]), "success")
    return back


def _attach_errors(form: FlaskForm, error: ValidationFailed) -> None:
    """Put the service's field errors (`reason`, `lines.0.unit_price`) next to the form's fields."""
    shown = False
    for path, message in error.fields.items():
        target: Any = form
        try:
            for part in path.split("."):
                target = target[int(part) if part.isdigit() else part]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(getattr(target, "errors", None), list):
            target.errors = [*target.errors, message]
            shown = True
    if not shown:
        flash(error.message, "error")


def _page_with_form(order: Order, actor: User, action: str, form: FlaskForm):
    """The order page again, with this form bound to what was sent and its errors (422)."""
    return orders.order_page(order, submitted={action: form}, status=INVALID)


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
