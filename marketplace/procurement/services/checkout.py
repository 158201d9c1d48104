"""Checkout: a buyer officer's cart becomes one order per cooperative, in one transaction, with prices frozen,
stock reserved and an idempotency key so that submitting the same form twice creates the orders once.

Checkout is the one hot write path of the marketplace, so it is written for few round trips to the database: the
cart with its products' live data and regional prices is one query, and every write after the order numbers
(stock, search rows, orders, lines, audit events, the cart) needs no answer, so on PostgreSQL they go in one
pipeline; a refused stock subtraction (the products' CHECK) surfaces when it ends and rolls everything back. The
emails are queued as one task per order after the commit."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import Insert

from marketplace.accounts.models import Role, User, UserRole
from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import AuditEvent, client_ip
from marketplace.core.db import dialect_insert, insert_under_parents, pipelined
from marketplace.core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from marketplace.core.templating import rupiah
from marketplace.core.timeutil import today_wib, utcnow
from marketplace.extensions import db
from marketplace.procurement.models import CartItem, Checkout, Order, OrderLine
from marketplace.procurement.services import deadlines, notify, numbers, stock
from marketplace.procurement.services.cart import OrderableItem, check_buyer, orderable_items
from marketplace.procurement.services.pricing import line_values
from marketplace.procurement.states import NUMBER_PREFIXES, FundingSource, OrderStatus
from marketplace.reference.regions import get_region

#: Lengths of the text fields (the columns' sizes).
MAX_LENGTHS = {"kode_rup": 30, "rup_name": 255, "budget_account": 60, "delivery_address": 1000, "key": 64}


class OverLimit(Conflict):
    """A PP's order above PP_ORDER_LIMIT: only a PPK may place it."""

    code = "over_pp_limit"


def checkout(**fields: Any) -> list[Order]:
    """Turn the actor's cart into one order per cooperative and return them; see `place_orders`."""
    return orders_by_id(place_orders(**fields)[0])


def orders_by_id(order_ids: list[int]) -> list[Order]:
    """The orders with these ids, in id order."""
    return list(db.session.scalars(select(Order).where(Order.id.in_(order_ids)).order_by(Order.id)))


def place_orders(
    *,
    actor: User,
    key: str,
    work_unit_id: int,
    kode_rup: str,
    rup_name: str,
    funding_source: str,
    budget_account: str,
    delivery_address: str,
    delivery_region_code: str,
    requested_arrival: date,
    ppk_id: int | None = None,
) -> tuple[list[int], bool]:
    """Turn the actor's cart into one order per cooperative; return their ids and whether they are new.

    A PP's orders wait for the PPK they choose (WAITING_PPK_REVIEW) and may not exceed PP_ORDER_LIMIT each; a
    PPK's orders go to the cooperatives at once (WAITING_SELLER_CONFIRMATION). Raises Forbidden (not a PP/PPK of
    that work unit), ValidationFailed (fields, an empty cart, or items that cannot be ordered), OutOfStock and
    OverLimit (nothing is created). The same `key` again returns the orders it created, without creating more,
    also when both requests run at the same time (the checkout row's unique key decides)."""
    check_buyer(actor)
    if work_unit_id != actor.work_unit_id:
        raise Forbidden(_("You can only order for your own work unit."))
    acting_ppk = actor.has_role(Role.PPK)
    values = {
        "kode_rup": (kode_rup or "").strip(),
        "rup_name": (rup_name or "").strip(),
        "funding_source": funding_source,
        "budget_account": (budget_account or "").strip(),
        "delivery_address": (delivery_address or "").strip(),
        "delivery_region_code": (delivery_region_code or "").strip(),
        "requested_arrival": requested_arrival,
    }
    _validate(values, (key or "").strip(), actor, None if acting_ppk else ppk_id)
    checkout_id = _claim_key(actor.id, key.strip())
    if checkout_id is None:
        return _orders_of_key(actor.id, key.strip()), False
    try:
        order_ids = _place(actor, checkout_id, values, ppk_id=actor.id if acting_ppk else ppk_id)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return order_ids, True


def _validate(values: dict, key: str, actor: User, ppk_id: int | None) -> None:
    """Check the form's fields; raise ValidationFailed with a message per bad field."""
    errors: dict[str, str] = {}
    for name, limit in MAX_LENGTHS.items():
        value = key if name == "key" else values[name]
        if not value:
            errors[name] = _("This field is required.")
        elif len(value) > limit:
            errors[name] = _("Enter at most %(n)d characters.", n=limit)
    if values["funding_source"] not in set(FundingSource):
        errors["funding_source"] = _("Choose one of: %(choices)s.", choices=", ".join(FundingSource))
    region = get_region(values["delivery_region_code"]) if values["delivery_region_code"] else None
    if "delivery_region_code" not in errors and (region is None or region.level < 2):
        errors["delivery_region_code"] = _("Choose the delivery region down to the regency / city (e.g. 35.76).")
    arrival = values["requested_arrival"]
    if not isinstance(arrival, date):
        errors["requested_arrival"] = _("This field is required.")
    elif arrival <= today_wib():
        errors["requested_arrival"] = _("Choose a date after today.")
    if not actor.has_role(Role.PPK) and not _is_ppk_of(ppk_id, actor.work_unit_id):
        errors["ppk_id"] = _("Choose the PPK of your work unit who will review the order.")
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), errors)


def _is_ppk_of(user_id: int | None, work_unit_id: int | None) -> bool:
    if not user_id or isinstance(user_id, bool):
        return False
    found = db.session.scalar(
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.id == user_id, User.work_unit_id == work_unit_id, User.is_enabled.is_(True))
        .where(UserRole.role == Role.PPK)
    )
    return found is not None


def ppks_of(work_unit_id: int) -> list[User]:
    """The enabled PPKs of a work unit (whom a PP may send an order to), by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.work_unit_id == work_unit_id, User.is_enabled.is_(True), UserRole.role == Role.PPK)
            .order_by(User.full_name, User.id)
        )
    )


def _claim_key(user_id: int, key: str) -> int | None:
    """Insert the checkout row for the key; None when the key was used already (by a committed checkout, or one
    committing now: PostgreSQL makes this insert wait for it)."""
    statement = _claim_statement(db.session.get_bind().dialect.name)
    return db.session.execute(statement, {"user_id": user_id, "key": key, "now": utcnow()}).scalar_one_or_none()


@cache
def _claim_statement(dialect_name: str) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id of a checkout key (built once per dialect)."""
    table = Checkout.__table__
    return (
        dialect_insert(dialect_name)(table)
        .values(user_id=bindparam("user_id"), key=bindparam("key"), created_at=bindparam("now"))
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(table.c.id)
    )


#: The ordered products leave the cart.
_EMPTY_CART = delete(CartItem.__table__).where(
    CartItem.__table__.c.user_id == bindparam("user_id"),
    CartItem.__table__.c.product_id.in_(bindparam("product_ids", expanding=True)),
)
#: The ids of a checkout's orders.
_ORDERS_OF_CHECKOUT = select(Order.__table__.c.id).where(Order.__table__.c.checkout_id == bindparam("checkout_id"))


def _orders_of_key(user_id: int, key: str) -> list[int]:
    """The ids of the orders an earlier checkout with this key created."""
    query = select(Order.id).join(Checkout).where(Checkout.user_id == user_id, Checkout.key == key)
    return list(db.session.scalars(query.order_by(Order.id)))


def _place(actor: User, checkout_id: int, values: dict, *, ppk_id: int) -> list[int]:
    """Create the orders of the cart (not committed); return their ids."""
    items = orderable_items(actor.id, values["delivery_region_code"])
    if not items:
        raise ValidationFailed(_("Your cart is empty."), {"cart": _("Your cart is empty.")})
    problems = {f"cart.{index}": f"{item.name}: {item.problem}" for index, item in enumerate(items) if item.problem}
    if problems:
        raise ValidationFailed(_("Some products in the cart cannot be ordered."), problems)
    by_ppk = actor.has_role(Role.PPK)
    groups: dict[int, list[OrderableItem]] = {}
    for item in items:
        groups.setdefault(item.cooperative_id, []).append(item)
    now = utcnow()
    status = OrderStatus.WAITING_SELLER_CONFIRMATION if by_ppk else OrderStatus.WAITING_PPK_REVIEW
    waiting = deadlines.PROVIDER if by_ppk else deadlines.PPK
    common = {
        **values,
        "status": status,
        "checkout_id": checkout_id,
        "work_unit_id": actor.work_unit_id,
        "placed_by_id": actor.id,
        "ppk_id": ppk_id,
        "waiting_for": waiting,
        "action_due_at": deadlines.deadline_after(now),
        "created_at": now,
        "updated_at": now,
    }
    orders = [_order_row(common, cooperative_id, groups[cooperative_id]) for cooperative_id in sorted(groups)]
    if not by_ppk:
        _check_pp_limit(orders)
    for order in orders:
        order["number"] = numbers.next_number(order["cooperative_id"], NUMBER_PREFIXES["order"])
    wanted = [(item.product_id, item.quantity, item.name) for item in items]
    try:
        with pipelined(db.session):
            stock.take(wanted)
            _insert_orders(orders, actor)
            db.session.execute(_EMPTY_CART, {"user_id": actor.id, "product_ids": [w[0] for w in wanted]})
    except IntegrityError as error:
        stock.raise_out_of_stock(error, wanted)
    order_ids = sorted(db.session.scalars(_ORDERS_OF_CHECKOUT, {"checkout_id": checkout_id}))
    notify.enqueue_order_events(order_ids, "submitted", actor_id=actor.id, waiting_for=waiting)
    return order_ids


def _order_row(common: dict, cooperative_id: int, items: list[OrderableItem]) -> dict:
    """The order's columns (without its number) and its lines' rows, priced and totalled."""
    lines = [_line_row(item) for item in items]
    return {
        **common,
        "cooperative_id": cooperative_id,
        "subtotal": sum(line["subtotal"] for line in lines),
        "ppn_total": sum(line["ppn_amount"] for line in lines),
        "shipping_total": sum(line["shipping"] for line in lines),
        "total": sum(line["total"] for line in lines),
        "lines": lines,
    }


def _line_row(item: OrderableItem) -> dict:
    """An order line's columns: a snapshot of the product's live data at the price for the delivery region."""
    return line_values(item, quantity=item.quantity, unit_price=item.unit_price, unit_shipping=item.unit_shipping)


def _check_pp_limit(orders: list[dict]) -> None:
    """OverLimit for the first order above PP_ORDER_LIMIT (a PP's orders)."""
    limit = current_app.config["PP_ORDER_LIMIT"]
    for order in orders:
        if order["total"] > limit:
            cooperative = db.session.get(Cooperative, order["cooperative_id"])
            raise OverLimit(
                _(
                    "A PP may place orders of at most %(limit)s; the order from %(cooperative)s totals %(total)s. "
                    "Ask your PPK to place it.",
                    limit=rupiah(limit),
                    cooperative=cooperative.name,
                    total=rupiah(order["total"]),
                )
            )


def _insert_orders(orders: list[dict], actor: User) -> None:
    """INSERT the orders, their lines and their "order.submit" audit events (no answers needed: pipeline-safe)."""
    db.session.execute(insert(Order.__table__).inline(), [_columns(order, Order) for order in orders])
    parent = {"parent_checkout": Order.checkout_id, "parent_cooperative": Order.cooperative_id}
    keys = [
        {"parent_checkout": order["checkout_id"], "parent_cooperative": order["cooperative_id"]} for order in orders
    ]
    lines = [{**key, **line} for key, order in zip(keys, orders, strict=True) for line in order["lines"]]
    insert_under_parents(db.session, OrderLine.__table__, lines, link="order_id", parent_id=Order.id, match=parent)
    events = [
        {
            **key,
            "action": "order.submit",
            "subject_type": "order",
            "actor_id": actor.id,
            "after": {"status": order["status"], "number": order["number"], "total": order["total"]},
            "ip_address": client_ip(),
            "created_at": order["created_at"],
        }
        for key, order in zip(keys, orders, strict=True)
    ]
    insert_under_parents(db.session, AuditEvent.__table__, events, link="subject_id", parent_id=Order.id, match=parent)


def _columns(row: dict, model: type) -> dict:
    """The entries of `row` that are columns of `model`'s table."""
    names = model.__table__.columns.keys()
    return {name: value for name, value in row.items() if name in names}
