"""Who may see an order and who acts for each side of it. Services check these before every move; queries use
`orders_visible_to` so a list never shows an order its reader may not open."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from marketplace.accounts.models import Role, User
from marketplace.procurement.models import Order, OrderDocument, OrderLine, Shipment, ShipmentLine, Signature
from marketplace.procurement.services import deadlines
from marketplace.procurement.states import DocumentKind, OrderStatus, Party, ShipmentStatus

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


def orders_awaiting(user: User) -> ColumnElement[bool]:
    """A condition on `Order` matching the orders `user` may see that wait for something they can do now, as the
    services' `available_actions` allow it: the PPK's review, answer or receipt (a shipment delivered, none on the
    way), the cooperative's answer, invoice or confirmation (its managers), a signature of the user's side still
    missing, units to ship or a shipment to mark delivered (managers; sellers for their own lines), the
    bendahara's payment unless one is under way. Outside ON_PROCESS the order's `waiting_for` says whose turn it is;
    while shipping, the shipments do."""
    conditions = []
    shipping, not_shipping = Order.status == OrderStatus.ON_PROCESS, Order.status != OrderStatus.ON_PROCESS
    if user.has_role(Role.PPK):
        mine = Order.ppk_id == user.id
        conditions += [
            and_(mine, not_shipping, Order.waiting_for.in_([deadlines.PPK, deadlines.BUYER])),
            and_(mine, Order.waiting_for == deadlines.SIGNATURES, ~_signed_by(Party.BUYER)),
            and_(mine, shipping, _has_shipment(ShipmentStatus.DELIVERED), ~_has_shipment(ShipmentStatus.SHIPPING)),
        ]
    if user.cooperative_id is not None and user.has_role(Role.COOP_MANAGER):
        ours = Order.cooperative_id == user.cooperative_id
        conditions += [
            and_(ours, not_shipping, Order.waiting_for == deadlines.PROVIDER),
            and_(ours, Order.waiting_for == deadlines.SIGNATURES, ~_signed_by(Party.PROVIDER)),
            and_(ours, shipping, or_(_has_units_to_ship(), _has_shipment(ShipmentStatus.SHIPPING))),
        ]
    if user.work_unit_id is not None and user.has_role(Role.BENDAHARA):
        ours = Order.work_unit_id == user.work_unit_id
        conditions.append(and_(ours, Order.waiting_for == deadlines.BENDAHARA, ~_payment_under_way()))
    if user.has_role(Role.SELLER):
        theirs = or_(_has_units_to_ship(user.id), _has_shipment(ShipmentStatus.SHIPPING, user.id))
        conditions.append(and_(shipping, theirs))
    return and_(orders_visible_to(user), or_(*conditions)) if conditions else false()


def _has_units_to_ship(seller_id: int | None = None) -> ColumnElement[bool]:
    """The order has a line (of `seller_id`, when given) with units not shipped yet."""
    lines = select(OrderLine.id).where(OrderLine.order_id == Order.id, OrderLine.quantity_shipped < OrderLine.quantity)
    return exists(lines if seller_id is None else lines.where(OrderLine.seller_id == seller_id))


def _has_shipment(status: ShipmentStatus, seller_id: int | None = None) -> ColumnElement[bool]:
    """The order has a shipment in `status` (carrying a line of `seller_id`, when given)."""
    shipments = select(Shipment.id).where(Shipment.order_id == Order.id, Shipment.status == status)
    if seller_id is not None:
        carried = (
            select(ShipmentLine.id)
            .join(OrderLine, ShipmentLine.order_line_id == OrderLine.id)
            .where(ShipmentLine.shipment_id == Shipment.id, OrderLine.seller_id == seller_id)
        )
        shipments = shipments.where(exists(carried))
    return exists(shipments)


def _payment_under_way() -> ColumnElement[bool]:
    """A payment in the system (pending, processing or paid) holds the order's invoice."""
    from marketplace.payments.models import Payment  # payments builds on procurement: read lazily
    from marketplace.payments.states import ACTIVE

    return exists(select(Payment.id).where(Payment.order_id == Order.id, Payment.status.in_([str(s) for s in ACTIVE])))


def _signed_by(party: Party) -> ColumnElement[bool]:
    """The order's Surat Pesanan bears `party`'s signature."""
    return exists(
        select(Signature.id)
        .join(OrderDocument, Signature.document_id == OrderDocument.id)
        .where(
            OrderDocument.order_id == Order.id,
            OrderDocument.kind == DocumentKind.SURAT_PESANAN,
            Signature.party == party,
        )
    )
