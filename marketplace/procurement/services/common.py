"""What every order service needs: the order as the user may see it, the order row locked for a move, and the
end of a move (its email queued, one commit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.interfaces import ORMOption

from marketplace.accounts.models import User
from marketplace.core.errors import IllegalTransition, NotFound
from marketplace.extensions import db
from marketplace.procurement.models import Order
from marketplace.procurement.permissions import can_view
from marketplace.procurement.services import notify
from marketplace.procurement.states import ORDER


def get_order_for(user: User, order_id: int, *, options: Sequence[ORMOption] = ()) -> Order:
    """The order, if the user may see it; NotFound otherwise (another party's order is not even confirmed).
    `options`: loader options for what the caller reads of it (e.g. the order page's `ORDER_PAGE_LOADS`)."""
    if options:  # a query, so that the options apply even when the order is in the session already
        order = db.session.scalars(select(Order).where(Order.id == order_id).options(*options)).one_or_none()
    else:
        order = db.session.get(Order, order_id)
    if order is None or not can_view(user, order):
        raise NotFound("order not found")
    return order


def locked_order(order_id: int) -> Order:
    """The order re-read with its row locked until commit (FOR UPDATE on PostgreSQL; SQLite writes one at a time)."""
    order = db.session.scalars(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    ).one_or_none()
    if order is None:
        raise NotFound("order not found")
    return order


def require_state(order: Order, action: str) -> None:
    """Refuse (IllegalTransition) a move the order's state does not allow, before anything changes."""
    if not ORDER.can(order, action):
        raise IllegalTransition("order", order.status, action)


def commit_step(order: Order, event: str, *, actor: User | None = None, **context: Any) -> Order:
    """End a move: queue the `event` email to the people it concerns (sent after commit) and commit once."""
    notify.order_event(order, event, actor=actor, **context)
    db.session.commit()
    return order
