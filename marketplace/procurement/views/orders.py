"""Order pages: the list a user may see (filters kept in the URL), its CSV export, and one order's page with its
timeline and the forms of the moves the reader may make now (each concern's partial renders its own)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping

from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.models import User
from marketplace.core.errors import Conflict, IllegalTransition, ValidationFailed
from marketplace.core.forms import place_errors
from marketplace.core.pagination import requested_page
from marketplace.core.permissions import roles_required
from marketplace.core.timeutil import format_wib, to_jakarta, utcnow
from marketplace.feeds.writers.values import safe_text
from marketplace.procurement.forms.orders import OrderFilterForm
from marketplace.procurement.models import Offer, Order, OrderDocument, OrderLine, Shipment
from marketplace.procurement.permissions import ORDER_ROLES
from marketplace.procurement.services import deadlines, queries
from marketplace.procurement.services.common import get_order_for
from marketplace.procurement.states import (
    DOCUMENT_LABELS,
    ORDER_STATUS_LABELS,
    SHIPMENT_STATUS_LABELS,
    SIGNING_PARTIES,
)
from marketplace.procurement.views import bp, documents, fulfilment, moves

#: Who an order waits for (`Order.waiting_for`), as shown on its page.
WAITING_LABELS = {
    deadlines.PPK: _l("the PPK"),
    deadlines.PROVIDER: _l("the cooperative"),
    deadlines.BUYER: _l("the buyer (PPK)"),
    deadlines.SIGNATURES: _l("the signatures of both sides"),
    deadlines.BENDAHARA: _l("the bendahara (payment)"),
}
#: What the order page shows of an order, loaded with it (a fixed number of queries whatever the number of lines,
#: documents and shipments).
ORDER_PAGE_LOADS = (
    joinedload(Order.placed_by),
    joinedload(Order.ppk),
    joinedload(Order.work_unit),
    joinedload(Order.cooperative),
    selectinload(Order.lines).joinedload(OrderLine.seller),
    selectinload(Order.offers).joinedload(Offer.proposed_by),
    selectinload(Order.documents).selectinload(OrderDocument.signatures),
    selectinload(Order.shipments).options(joinedload(Shipment.created_by), selectinload(Shipment.lines)),
)
#: The status of an order page shown again with a refused form.
INVALID = 422
CSV_TYPE = "text/csv; charset=utf-8"


@bp.app_context_processor
def order_helpers() -> dict:
    """Labels of statuses, documents, shipments and waiting parties for the order templates (whichever blueprint
    renders them: payments shows the order page too)."""
    return {
        "order_status_labels": ORDER_STATUS_LABELS,
        "shipment_status_labels": SHIPMENT_STATUS_LABELS,
        "document_labels": DOCUMENT_LABELS,
        "waiting_labels": WAITING_LABELS,
        "signing_parties": SIGNING_PARTIES,
    }


@bp.get("/pesanan")
@roles_required(*ORDER_ROLES)
def orders():
    """The orders the user may see, newest first, filtered by status, WIB days and number."""
    form = OrderFilterForm(request.args)
    form.validate()
    page, per_page = requested_page()
    found = queries.list_orders(current_user, **form.filters(), page=page, per_page=per_page)
    return render_template("procurement/orders.html", form=form, page=found)


@bp.get("/pesanan/ekspor.csv")
@roles_required(*ORDER_ROLES)
def orders_export():
    """Every order of the list's filters as CSV (UTF-8 with BOM), streamed."""
    form = OrderFilterForm(request.args)
    form.validate()
    rows = queries.iter_orders(current_user._get_current_object(), **form.filters())
    response = Response(stream_with_context(_csv_lines(rows)), mimetype=CSV_TYPE)
    filename = f"pesanan-{to_jakarta(utcnow()):%Y%m%d-%H%M}.csv"
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def csv_header() -> list[str]:
    """The export's column titles, in the user's language."""
    return [
        _("Number"),
        _("Date (WIB)"),
        _("Status"),
        _("Status code"),
        _("Work unit"),
        _("Cooperative"),
        _("RUP code"),
        _("RUP name"),
        _("Funding source"),
        _("Budget account"),
        _("Subtotal"),
        _("PPN"),
        _("Shipping"),
        _("Total"),
    ]


def csv_row(order: Order) -> list[str | int]:
    """One order as export cells; text cells never start a spreadsheet formula."""
    text = [
        order.number,
        format_wib(order.created_at),
        str(ORDER_STATUS_LABELS.get(order.status, order.status)),
        order.status,
        order.work_unit.name,
        order.cooperative.name,
        order.kode_rup,
        order.rup_name,
        order.funding_source,
        order.budget_account,
    ]
    return [safe_text(value) for value in text] + [
        order.subtotal,
        order.ppn_total,
        order.shipping_total,
        order.total,
    ]


def _csv_lines(orders: Iterable[Order]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header())
    yield "\ufeff" + _drain(buffer)
    for order in orders:
        writer.writerow(csv_row(order))
        if buffer.tell() > 64 * 1024:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


@bp.get("/pesanan/<int:order_id>")
@roles_required(*ORDER_ROLES)
def order_detail(order_id: int):
    """One order: header, parties, lines with snapshot prices, totals, timeline and the forms the reader may use."""
    return order_page(get_order_for(current_user, order_id, options=ORDER_PAGE_LOADS))


def order_page(order: Order, *, submitted: dict[str, FlaskForm] | None = None, status: int = 200):
    """The order page for the signed-in user; `submitted` replaces blank forms by forms as sent, with their errors
    (the moves' views show a refused form this way, with `status` 422)."""
    user = current_user._get_current_object()
    actions = queries.available_actions(user, order)
    page = render_template(
        "procurement/order_detail.html",
        order=order,
        actions=actions,
        forms={**order_forms(user, order, actions), **(submitted or {})},
        timeline=queries.timeline(order),
    )
    return page, status


def submit_on_order_page(
    order: Order,
    key: str,
    form: FlaskForm,
    move: Callable[[], object],
    done: str,
    *,
    status_labels: Mapping[str, Mapping] | None = None,
    anchor: str = "",
):
    """Run `move` (a service call) for the order page's form `key`: invalid input shows the order page again with the
    form's errors (422); a move no longer allowed (its status named with `status_labels` by subject type, orders'
    by default) or a conflict is a warning; success flashes `done`. The services check before they change anything,
    so a refusal leaves nothing to undo."""
    if not form.validate_on_submit():
        return order_page(order, submitted={key: form}, status=INVALID)
    try:
        move()
    except ValidationFailed as error:
        place_errors(form, error)
        return order_page(order, submitted={key: form}, status=INVALID)
    except IllegalTransition as error:
        labels = {"order": ORDER_STATUS_LABELS, **(status_labels or {})}.get(error.subject_type, {})
        status = labels.get(error.current_status, error.current_status)
        flash(_("This is not possible now (status: %(status)s).", status=status), "warning")
    except Conflict as error:
        flash(error.message, "warning")
    else:
        flash(done, "success")
    return redirect(url_for("procurement.order_detail", order_id=order.id) + anchor, code=303)


def order_forms(user: User, order: Order, actions: set[str]) -> dict[str, FlaskForm]:
    """The blank forms of the `actions` the user may make on the order now (`queries.available_actions`), merged
    from the order page's partials (each concern names its own)."""
    return {
        **moves.forms_for(order, actions),
        **documents.forms_for(order, actions),
        **fulfilment.forms_for(order, user, actions),
    }
