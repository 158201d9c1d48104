"""The moves before the order is signed: the PPK's review, the negotiation, the cooperative's answer, the
cancellation by either side and the automatic cancellation of orders whose party due did not act in time.

Each move locks the order, checks the actor (`Forbidden`), the state (`IllegalTransition`) and the input
(`ValidationFailed` with field paths: `reason`, `message`, `lines`, `lines.<index>.unit_price`, ...), is audited as
`order.<action>`, sets who the order waits for, queues the emails and commits once.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.rules import MAX_PRICE
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, Forbidden, ValidationFailed
from marketplace.core.templating import rupiah
from marketplace.core.timeutil import format_wib, utcnow
from marketplace.extensions import db
from marketplace.procurement.models import Offer, Order
from marketplace.procurement.permissions import is_buyer_officer, is_order_ppk, is_provider_manager, party_of
from marketplace.procurement.services import deadlines, documents, notify, pricing, stock
from marketplace.procurement.services.common import commit_step, locked_order, require_state
from marketplace.procurement.states import BEFORE_PROCESS, ORDER, Party

#: A whole number as typed: an optional minus and at most 19 ASCII digits (more cannot be stored).
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,19}")

logger = logging.getLogger(__name__)

CANCEL_REASON_MIN_LENGTH = 20
TEXT_MAX_LENGTH = 2000
OPEN, ACCEPTED, SUPERSEDED, WITHDRAWN = "open", "accepted", "superseded", "withdrawn"
#: Who is due in the negotiation after a side proposes: the other side.
_OTHER_SIDE = {Party.BUYER: deadlines.PROVIDER, Party.PROVIDER: deadlines.BUYER}


# Who may do what -------------------------------------------------------------------------------------------------


def open_offer(order: Order) -> Offer | None:
    """The negotiation offer waiting for an answer, if any."""
    return next((offer for offer in order.offers if offer.status == OPEN), None)


def may_cancel(user: User, order: Order) -> bool:
    """The PP who placed the order, its PPK, or a manager of the cooperative."""
    placed_it = user.id == order.placed_by_id and is_buyer_officer(user, order)
    return placed_it or is_order_ppk(user, order) or is_provider_manager(user, order)


def may_propose(user: User, order: Order) -> bool:
    """A side (PPK or manager) may propose unless its own offer is waiting for the other side's answer."""
    party = party_of(user, order)
    offer = open_offer(order)
    return party is not None and (offer is None or offer.party != party)


def may_accept_offer(user: User, order: Order) -> bool:
    """Only the side that did not make the open offer accepts it."""
    party = party_of(user, order)
    offer = open_offer(order)
    return party is not None and offer is not None and offer.party != party


_ALLOWED = {
    "approve": is_order_ppk,
    "reject": is_order_ppk,
    "propose": may_propose,
    "accept-offer": may_accept_offer,
    "accept": is_provider_manager,
    "refuse": is_provider_manager,
    "cancel": may_cancel,
}


def available_actions(user: User, order: Order) -> set[str]:
    """The moves of this module the user may make on the order now (API names, hyphenated)."""
    return {
        action
        for action, allowed in _ALLOWED.items()
        if ORDER.can(order, action.replace("-", "_")) and allowed(user, order)
    }


# Checks ------------------------------------------------------------------------------------------------------------


def _required_text(name: str, value: str | None, *, min_length: int = 1) -> str:
    """The stripped text, or ValidationFailed on `name` when it is missing, too short or too long."""
    text = (value or "").strip()
    if not text:
        message = _("This field is required.")
    elif len(text) < min_length:
        message = _("Give at least %(min)s characters.", min=min_length)
    elif len(text) > TEXT_MAX_LENGTH:
        message = _("At most %(max)s characters.", max=TEXT_MAX_LENGTH)
    else:
        return text
    raise ValidationFailed(message, {name: message})


# Review by the PPK -----------------------------------------------------------------------------------------------


def approve(*, actor: User, order: Order) -> Order:
    """The order's PPK approves a PP's order; the cooperative is due to answer."""
    order = locked_order(order.id)
    if not is_order_ppk(actor, order):
        raise Forbidden(_("Only the order's PPK may approve it."))
    ORDER.move(order, "approve", actor_id=actor.id)
    deadlines.wait_for(order, deadlines.PROVIDER)
    return commit_step(order, "approved", actor=actor)


def reject(*, actor: User, order: Order, reason: str) -> Order:
    """The order's PPK rejects a PP's order with a reason; the stock comes back."""
    order = locked_order(order.id)
    if not is_order_ppk(actor, order):
        raise Forbidden(_("Only the order's PPK may reject it."))
    require_state(order, "reject")
    reason = _required_text("reason", reason)
    _end(order, "reject", actor=actor, reason=reason)
    return commit_step(order, "rejected", actor=actor, reason=reason)


# Negotiation -----------------------------------------------------------------------------------------------------


def propose(*, actor: User, order: Order, message: str, lines: list[dict[str, Any]]) -> Order:
    """The PPK or a manager proposes new unit prices and/or shipping for some lines; the other side is due."""
    order = locked_order(order.id)
    party = party_of(actor, order)
    if party is None:
        raise Forbidden(_("Only the order's PPK and the cooperative's managers negotiate."))
    require_state(order, "propose")
    if not may_propose(actor, order):
        raise Conflict(_("Your offer is waiting for the other side's answer."))
    message = _required_text("message", message)
    changes = _offer_lines(order, lines)
    previous = open_offer(order)
    if previous is not None:
        _close(previous, SUPERSEDED, actor)
    offer = Offer(order=order, party=str(party), proposed_by_id=actor.id, message=message, lines=changes)
    db.session.add(offer)
    db.session.flush()
    ORDER.move(
        order,
        "propose",
        actor_id=actor.id,
        reason=message,
        extra={"offer_id": offer.id, "party": str(party), "lines": changes},
    )
    deadlines.wait_for(order, _OTHER_SIDE[party])
    return commit_step(order, "offer", actor=actor, offer=offer)


def _offer_lines(order: Order, entries: list[dict[str, Any]] | None) -> list[dict[str, int]]:
    """The proposed lines that change something, validated; ValidationFailed with `lines.<index>.<field>`."""
    by_id = {line.id: line for line in order.lines}
    errors: dict[str, str] = {}
    changes: list[dict[str, int]] = []
    seen: set[int] = set()
    for index, entry in enumerate(entries or []):
        line = by_id.get(_as_int(entry.get("line_id")))
        if line is None or line.id in seen:
            errors[f"lines.{index}.line_id"] = _("Choose a line of this order, once.")
            continue
        seen.add(line.id)
        price, shipping = _as_int(entry.get("unit_price")), _as_int(entry.get("unit_shipping", line.unit_shipping))
        if price is None or not 1 <= price <= MAX_PRICE:
            errors[f"lines.{index}.unit_price"] = _(
                "Enter a whole number of rupiah from 1 to %(max)s.", max=rupiah(MAX_PRICE)
            )
        if shipping is None or not 0 <= shipping <= MAX_PRICE:
            errors[f"lines.{index}.unit_shipping"] = _(
                "Enter a whole number of rupiah from 0 to %(max)s.", max=rupiah(MAX_PRICE)
            )
        if price is not None and shipping is not None and (price, shipping) != (line.unit_price, line.unit_shipping):
            changes.append({"line_id": line.id, "unit_price": price, "unit_shipping": shipping})
    if errors:
        raise ValidationFailed(_("Check the proposed prices."), errors)
    if not changes:
        message = _("Change the unit price or shipping of at least one line.")
        raise ValidationFailed(message, {"lines": message})
    return changes


def _as_int(value: object) -> int | None:
    """An integer from an int or a string of digits; None otherwise (booleans and fractions are not rupiah)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and WHOLE_NUMBER.fullmatch(value.strip()):
        return int(value.strip())
    return None


def accept_offer(*, actor: User, order: Order) -> Order:
    """The side that did not make the open offer accepts it: the lines take its prices, the totals are recomputed
    and the order goes back to the cooperative for confirmation."""
    order = locked_order(order.id)
    party = party_of(actor, order)
    if party is None:
        raise Forbidden(_("Only the order's PPK and the cooperative's managers negotiate."))
    require_state(order, "accept_offer")
    offer = open_offer(order)
    if offer is None or offer.party == party:
        raise Conflict(_("There is no offer from the other side to accept."))
    lines = {line.id: line for line in order.lines}
    for change in offer.lines:
        line = lines[change["line_id"]]
        line.unit_price, line.unit_shipping = change["unit_price"], change["unit_shipping"]
    total_before = order.total
    # No PP_ORDER_LIMIT check: the PPK took responsibility for the order (approved it, or negotiated it), and the
    # PPK has no limit, even when a PP placed it and the negotiated total exceeds the PP limit.
    pricing.recompute_totals(order)
    _close(offer, ACCEPTED, actor)
    ORDER.move(
        order,
        "accept_offer",
        actor_id=actor.id,
        extra={"offer_id": offer.id, "total_before": total_before, "total": order.total},
    )
    deadlines.wait_for(order, deadlines.PROVIDER)
    return commit_step(order, "offer_accepted", actor=actor, offer=offer)


def _close(offer: Offer, status: str, actor: User | None) -> None:
    """Record the offer's outcome."""
    offer.status = status
    offer.decided_at = utcnow()
    offer.decided_by_id = actor.id if actor is not None else None


# The cooperative's answer ----------------------------------------------------------------------------------------


def accept(*, actor: User, order: Order) -> Order:
    """A manager of the cooperative accepts the order: the Surat Pesanan is issued for both sides to sign."""
    order = locked_order(order.id)
    if not is_provider_manager(actor, order):
        raise Forbidden(_("Only a manager of the cooperative may accept the order."))
    require_state(order, "accept")
    document = documents.issue_surat_pesanan(order, actor)
    ORDER.move(order, "accept", actor_id=actor.id, extra={"document": document.number, "sha256": document.sha256})
    deadlines.wait_for(order, deadlines.SIGNATURES)
    return commit_step(order, "accepted", actor=actor)


def refuse(*, actor: User, order: Order, reason: str) -> Order:
    """A manager of the cooperative refuses the order with a reason; the stock comes back."""
    order = locked_order(order.id)
    if not is_provider_manager(actor, order):
        raise Forbidden(_("Only a manager of the cooperative may refuse the order."))
    require_state(order, "refuse")
    reason = _required_text("reason", reason)
    order.refuse_reason = reason
    _end(order, "refuse", actor=actor, reason=reason)
    return commit_step(order, "refused", actor=actor, reason=reason)


# Cancellation ----------------------------------------------------------------------------------------------------


def cancel(*, actor: User, order: Order, reason: str) -> Order:
    """Either side cancels the order before it is signed, with a reason of at least 20 characters."""
    order = locked_order(order.id)
    if not may_cancel(actor, order):
        raise Forbidden(_("Only the buyer's officers and the cooperative's managers may cancel the order."))
    require_state(order, "cancel")
    reason = _required_text("reason", reason, min_length=CANCEL_REASON_MIN_LENGTH)
    _end(order, "cancel", actor=actor, reason=reason)
    return commit_step(order, "cancelled", actor=actor, reason=reason)


def _end(order: Order, action: str, *, actor: User | None, reason: str) -> None:
    """Move the order to its cancelled state, withdraw the open offer and release the stock (flush only)."""
    offer = open_offer(order)
    ORDER.move(order, action, actor_id=actor.id if actor else None, reason=reason)
    if offer is not None:
        _close(offer, WITHDRAWN, actor)
    order.cancel_reason = reason
    order.cancelled_by_id = actor.id if actor else None
    stock.release(order)
    deadlines.wait_for(order, None)


def expire_overdue(now: datetime | None = None) -> int:
    """Cancel every order before ON_PROCESS whose party due let its deadline pass; return how many. Each order is
    locked, checked again and committed on its own, so one failure does not hold the others back."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Order.id)
        .where(Order.status.in_([str(status) for status in BEFORE_PROCESS]), Order.action_due_at < now)
        .order_by(Order.action_due_at, Order.id)
    ).all()
    db.session.commit()  # end the reading transaction; each order gets its own
    expired = 0
    for order_id in candidates:
        try:
            expired += _expire_one(order_id, now)
        except Exception:
            db.session.rollback()
            logger.exception("procurement: could not expire order %s", order_id)
    return expired


def _expire_one(order_id: int, now: datetime) -> int:
    """Cancel one overdue order (1), or nothing if it moved on meanwhile (0)."""
    order = locked_order(order_id)
    if not ORDER.can(order, "expire") or not deadlines.is_overdue(order, now):
        db.session.commit()  # it moved on meanwhile: release the lock
        return 0
    reason = expiry_reason(order)
    _end(order, "expire", actor=None, reason=reason)
    notify.order_event(order, "expired", reason=reason)
    db.session.commit()
    return 1


def expiry_reason(order: Order) -> str:
    """Why the order expired, in the interface's default language (it is stored): who did not act, since when."""
    since = db.session.scalar(
        select(AuditEvent.created_at)
        .where(AuditEvent.subject_type == "order", AuditEvent.subject_id == order.id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _(
            "Cancelled automatically: %(who)s did not act since %(since)s (deadline %(due)s).",
            who=_due_party_label(order),
            since=format_wib(since or order.created_at),
            due=format_wib(order.action_due_at),
        )


def _due_party_label(order: Order) -> str:
    """Who the order was waiting for, in words."""
    if order.waiting_for == deadlines.PROVIDER:
        return _("the cooperative %(name)s", name=order.cooperative.name)
    if order.waiting_for == deadlines.SIGNATURES:
        missing = {str(Party.BUYER), str(Party.PROVIDER)} - documents.signed_parties(order)
        if missing == {str(Party.PROVIDER)}:
            return _("the cooperative %(name)s (signature)", name=order.cooperative.name)
        if missing == {str(Party.BUYER)}:
            return _("the PPK %(name)s (signature)", name=order.ppk.full_name)
        return _("the signatories of the Surat Pesanan")
    return _("the PPK %(name)s", name=order.ppk.full_name)
