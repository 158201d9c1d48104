"""Order emails: at each step, the people who must act next (or should know) get an email in their language with a
link to the order page. The move only queues one task after it commits (`order_event`); the worker finds the
recipients, renders each email in its recipient's language and sends it (`send_order_event`), so a move's request
does no email work.

Events (template `templates/emails/orders/<event>.txt`, first line the subject) and their recipients:
submitted → the party due (the PPK for a PP's order, else the cooperative's managers); approved → managers and the
PP who placed it; rejected → the PP who placed it; offer → the other side of the negotiation; offer_accepted → the
PPK and the managers; accepted → the PPK and the managers (to sign); signed → the sellers of the lines and the
managers; shipped, delivered → the PPK; received → the managers (to invoice); invoiced → the bendahara;
paid_outside → the managers; refused → the PPK and the PP; cancelled, expired → the PPK, the PP and the managers;
completed → everybody. Payments: paid (the order completed, with its kuitansi) → everybody; payment_failed → the
bendahara; transfer_recorded → the managers (to confirm); refunded → the PPK, the bendahara, the managers and the
sellers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from marketplace.accounts.models import Role, User, UserRole
from marketplace.core.links import external_url_for
from marketplace.core.mail import queue_email
from marketplace.core.tasks import enqueue_after_commit, from_task_arguments, to_task_arguments
from marketplace.extensions import db
from marketplace.procurement.models import Order
from marketplace.procurement.services import deadlines
from marketplace.procurement.states import DocumentKind, Party

NOTIFY_ORDER_TASK = "procurement.notify_order"


def _users_with_role(role: Role, **where: int) -> list[User]:
    """Enabled users holding `role` whose columns equal `where` (e.g. cooperative_id=3)."""
    query = select(User).join(UserRole).where(UserRole.role == role, User.is_enabled.is_(True))
    for column, value in where.items():
        query = query.where(getattr(User, column) == value)
    return list(db.session.scalars(query.order_by(User.id)))


def _ppk(order: Order) -> list[User]:
    return [order.ppk]


def _placed_by(order: Order) -> list[User]:
    return [order.placed_by]


def _managers(order: Order) -> list[User]:
    return _users_with_role(Role.COOP_MANAGER, cooperative_id=order.cooperative_id)


def _bendahara(order: Order) -> list[User]:
    return _users_with_role(Role.BENDAHARA, work_unit_id=order.work_unit_id)


def _sellers(order: Order) -> list[User]:
    return [line.seller for line in order.lines]


def _unsigned(order: Order) -> list[User]:
    """The signatories of the side(s) that have not signed the Surat Pesanan yet (its PPK, the managers)."""
    signed = {
        signature.party
        for document in order.documents
        if document.kind == DocumentKind.SURAT_PESANAN
        for signature in document.signatures
    }
    return [
        *(_ppk(order) if Party.BUYER not in signed else []),
        *(_managers(order) if Party.PROVIDER not in signed else []),
    ]


#: Who acts for each value of `Order.waiting_for`.
_DUE: dict[str | None, tuple[Callable[[Order], list[User]], ...]] = {
    deadlines.PPK: (_ppk,),
    deadlines.BUYER: (_ppk,),
    deadlines.PROVIDER: (_managers,),
    deadlines.SIGNATURES: (_ppk, _managers),
    deadlines.BENDAHARA: (_bendahara,),
}


def _due(order: Order, waiting_for: str | None = None) -> list[User]:
    """The people the order waits for: `waiting_for` as it was when the move was made (the order may have moved on
    before the worker sends the email), else the order's current `waiting_for`."""
    return [user for group in _DUE.get(waiting_for or order.waiting_for, ()) for user in group(order)]


EVENT_RECIPIENTS: dict[str, tuple[Callable[[Order], list[User]], ...]] = {
    "submitted": (_due,),
    "approved": (_managers, _placed_by),
    "rejected": (_placed_by,),
    "offer": (_due,),
    "offer_accepted": (_ppk, _managers),
    "accepted": (_ppk, _managers),
    "refused": (_ppk, _placed_by),
    "cancelled": (_ppk, _placed_by, _managers),
    "expired": (_ppk, _placed_by, _managers),
    "countersign": (_unsigned,),
    "signed": (_sellers, _managers),
    "shipped": (_ppk,),
    "delivered": (_ppk,),
    "received": (_managers,),
    "invoiced": (_bendahara,),
    "paid_outside": (_managers,),
    "completed": (_ppk, _placed_by, _bendahara, _managers, _sellers),
    "paid": (_ppk, _placed_by, _bendahara, _managers, _sellers),
    "payment_failed": (_bendahara,),
    "transfer_recorded": (_managers,),
    "refunded": (_ppk, _bendahara, _managers, _sellers),
}


def recipients(order: Order, event: str, *, exclude: User | None = None, waiting_for: str | None = None) -> list[User]:
    """The enabled people to email about `event`, each once, without `exclude` (the one who made the move); the
    party due is the one of `waiting_for` (the order's at the move) when given."""
    if event not in EVENT_RECIPIENTS:
        raise ValueError(f"unknown order event {event!r}; known: {', '.join(EVENT_RECIPIENTS)}")
    found: dict[int, User] = {}
    for group in EVENT_RECIPIENTS[event]:
        for user in _due(order, waiting_for) if group is _due else group(order):
            if user is not None and user.is_enabled and user.id not in found:
                found[user.id] = user
    return [user for user in found.values() if exclude is None or user.id != exclude.id]


def order_url(order: Order) -> str:
    """The absolute address of the order page (inside a request or in a worker)."""
    return external_url_for("procurement.order_detail", order_id=order.id)


def order_event(order: Order, event: str, *, actor: User | None = None, **context: Any) -> None:
    """Email `event` to its recipients after the current transaction commits (rendered by the worker).

    `context` reaches the templates: model instances (an offer, a payment, a document) travel as references and
    are loaded again in the worker; other values must be plain (text, numbers)."""
    if event not in EVENT_RECIPIENTS:
        raise ValueError(f"unknown order event {event!r}; known: {', '.join(EVENT_RECIPIENTS)}")
    actor_id = actor.id if actor is not None else None
    enqueue_order_events([order.id], event, actor_id=actor_id, waiting_for=order.waiting_for, **context)


def enqueue_order_events(
    order_ids: list[int], event: str, *, actor_id: int | None, waiting_for: str | None = None, **context: Any
) -> None:
    """Queue `event`'s emails for each order (by id) after the current commit; `waiting_for` is who the orders
    wait for now (the worker emails them even if the order moved on before it runs)."""
    arguments = to_task_arguments(context)
    for order_id in order_ids:
        enqueue_after_commit(
            NOTIFY_ORDER_TASK,
            order_id=order_id,
            event=event,
            actor_id=actor_id,
            context=arguments,
            waiting_for=waiting_for,
        )


def send_order_event(
    order_id: int,
    event: str,
    *,
    actor_id: int | None = None,
    context: dict | None = None,
    waiting_for: str | None = None,
) -> list[str]:
    """Render `event`'s email for each recipient in their locale and send it (the worker's side of `order_event`);
    return the addresses. Nothing is sent when the order no longer exists."""
    order = db.session.get(Order, order_id)
    if order is None:
        return []
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    values = from_task_arguments(context or {})
    values.setdefault("reason", order.cancel_reason or order.refuse_reason)
    values.setdefault("offer", order.offers[-1] if order.offers else None)
    url = order_url(order)
    addresses = []
    for user in recipients(order, event, exclude=actor, waiting_for=waiting_for):
        queue_email(
            user.email,
            f"emails/orders/{event}",
            locale=user.locale,
            user=user,
            order=order,
            actor=actor,
            order_url=url,
            **values,
        )
        addresses.append(user.email)
    db.session.commit()  # the emails leave on commit
    return addresses
