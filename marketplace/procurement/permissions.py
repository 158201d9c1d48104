"""Who may see an order and who acts for each side of it. Services check these before every move; queries use
`orders_visible_to` so a list never shows an order its reader may not open."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from marketplace.accounts.models import Role, User
from marketplace.procurement.models import Order, OrderLine
from marketplace.procurement.states import Party

#: Every role that can have orders: the buyer officers, the provider side and operators.
ORDER_ROLES = (Role.PP, Role.PPK, Role.BENDAHARA, Role.COOP_MANAGER, Role.SELLER, Role.OPERATOR)


def is_buyer_officer(user: User, order: Order) -> bool:
    """A PP or PPK of the order's work unit."""
    return user.work_unit_id == order.work_unit_id and user.has_role(Role.PP, Role.PPK)


def is_order_ppk(user: User, order: Order) -> bool:
    """The PPK responsible for the order."""
    return user.id == order.ppk_id and user.has_role(Role.PPK)


def is_bendahara(user: User, order: Order) -> bool:
    """A bendahara of the order's work unit."""
    return user.work_unit_id == order.work_unit_id and user.has_role(Role.BENDAHARA)


def is_provider_manager(user: User, order: Order) -> bool:
    """A manager (pengurus) of the order's cooperative."""
    return user.cooperative_id == order.cooperative_id and user.has_role(Role.COOP_MANAGER)


def sells_in(user: User, order: Order) -> bool:
    """A seller whose products are in the order."""
    return user.has_role(Role.SELLER) and any(line.seller_id == user.id for line in order.lines)


def party_of(user: User, order: Order) -> Party | None:
    """The side the user acts for in negotiation and signing: the PPK for the buyer, a manager for the provider."""
    if is_order_ppk(user, order):
        return Party.BUYER
    if is_provider_manager(user, order):
        return Party.PROVIDER
    return None


def can_view(user: User, order: Order) -> bool:
    """Whether the user may open the order (its page, documents and timeline)."""
    return (
        user.has_role(Role.OPERATOR)
        or (user.work_unit_id == order.work_unit_id and user.has_role(Role.PP, Role.PPK, Role.BENDAHARA))
        or is_provider_manager(user, order)
        or sells_in(user, order)
    )


def orders_visible_to(user: User) -> ColumnElement[bool]:
    """A condition on `Order` matching the orders `can_view` allows."""
    if user.has_role(Role.OPERATOR):
        return true()
    conditions = []
    if user.work_unit_id is not None and user.has_role(Role.PP, Role.PPK, Role.BENDAHARA):
        conditions.append(Order.work_unit_id == user.work_unit_id)
    if user.cooperative_id is not None and user.has_role(Role.COOP_MANAGER):
        conditions.append(Order.cooperative_id == user.cooperative_id)
    if user.has_role(Role.SELLER):
        conditions.append(
            exists(select(OrderLine.id).where(OrderLine.order_id == Order.id, OrderLine.seller_id == user.id))
        )
    return or_(*conditions) if conditions else false()
