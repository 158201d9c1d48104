"""Checkout: a buyer officer's cart becomes one order per cooperative, in one transaction, with prices frozen,
stock reserved and an idempotency key so that submitting the same form twice creates the orders once."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from marketplace.accounts.models import Role, User, UserRole
from marketplace.core.audit import record_event
from marketplace.core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from marketplace.core.templating import rupiah
from marketplace.core.timeutil import to_jakarta, utcnow
from marketplace.extensions import db
from marketplace.procurement.models import CartItem, Checkout, Order, OrderLine
from marketplace.procurement.services import deadlines, notify, numbers, stock
from marketplace.procurement.services.cart import cart_items, check_buyer, price_line
from marketplace.procurement.services.pricing import snapshot_line
from marketplace.procurement.states import NUMBER_PREFIXES, FundingSource, OrderStatus
from marketplace.reference.regions import get_region

#: Lengths of the text fields (the columns' sizes).
MAX_LENGTHS = {"kode_rup": 30, "rup_name": 255, "budget_account": 60, "delivery_address": 1000, "key": 64}


class OverLimit(Conflict):
    """A PP's order above PP_ORDER_LIMIT: only a PPK may place it."""

    code = "over_pp_limit"


def checkout(**fields: Any) -> list[Order]:
    """Turn the actor's cart into one order per cooperative and return them; see `place_orders`."""
    return place_orders(**fields)[0]


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
) -> tuple[list[Order], bool]:
    """Turn the actor's cart into one order per cooperative; return them (by id) and whether they are new.

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
        orders = _place(actor, checkout_id, values, ppk_id=actor.id if acting_ppk else ppk_id)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return orders, True


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
    elif arrival <= to_jakarta(utcnow()).date():
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
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(Checkout)
        .values(user_id=user_id, key=key, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(Checkout.id)
    )
    return db.session.execute(statement).scalar_one_or_none()


def _orders_of_key(user_id: int, key: str) -> list[Order]:
    """The orders an earlier checkout with this key created."""
    return list(
        db.session.scalars(
            select(Order).join(Checkout).where(Checkout.user_id == user_id, Checkout.key == key).order_by(Order.id)
        )
    )


def _place(actor: User, checkout_id: int, values: dict, *, ppk_id: int) -> list[Order]:
    """Create the orders of the cart (flushed, not committed)."""
    region = values["delivery_region_code"]
    groups: dict[int, list[OrderLine]] = {}
    problems: dict[str, str] = {}
    items = cart_items(actor.id)
    if not items:
        raise ValidationFailed(_("Your cart is empty."), {"cart": _("Your cart is empty.")})
    for index, item in enumerate(items):
        line = price_line(item, region)
        if line.problem:
            problems[f"cart.{index}"] = f"{line.name}: {line.problem}"
            continue
        groups.setdefault(item.product.cooperative_id, []).append(
            snapshot_line(line.product, item.quantity, line.unit_price, line.unit_shipping)
        )
    if problems:
        raise ValidationFailed(_("Some products in the cart cannot be ordered."), problems)
    by_ppk = actor.has_role(Role.PPK)
    limit = current_app.config["PP_ORDER_LIMIT"]
    orders = []
    for cooperative_id in sorted(groups):
        lines = groups[cooperative_id]
        order = Order(
            status=OrderStatus.WAITING_SELLER_CONFIRMATION if by_ppk else OrderStatus.WAITING_PPK_REVIEW,
            checkout_id=checkout_id,
            cooperative_id=cooperative_id,
            work_unit_id=actor.work_unit_id,
            placed_by_id=actor.id,
            ppk_id=ppk_id,
            subtotal=sum(line.subtotal for line in lines),
            ppn_total=sum(line.ppn_amount for line in lines),
            shipping_total=sum(line.shipping for line in lines),
            total=sum(line.total for line in lines),
            lines=lines,
            **values,
        )
        if not by_ppk and order.total > limit:
            cooperative = _cooperative_name(items, cooperative_id)
            raise OverLimit(
                _(
                    "A PP may place orders of at most %(limit)s; the order from %(cooperative)s totals %(total)s. "
                    "Ask your PPK to place it.",
                    limit=rupiah(limit),
                    cooperative=cooperative,
                    total=rupiah(order.total),
                )
            )
        orders.append(order)
    stock.reserve([line for order in orders for line in order.lines])
    for order in orders:
        order.number = numbers.next_number(order.cooperative_id, NUMBER_PREFIXES["order"])
        deadlines.wait_for(order, deadlines.PROVIDER if by_ppk else deadlines.PPK)
    db.session.add_all(orders)
    db.session.flush()
    for order in orders:
        record_event(
            "order.submit",
            subject_type="order",
            subject_id=order.id,
            actor_id=actor.id,
            after={"status": order.status, "number": order.number, "total": order.total},
        )
        notify.order_event(order, "submitted", actor=actor)
    ordered = [line.product_id for order in orders for line in order.lines]
    db.session.execute(
        delete(CartItem).where(CartItem.user_id == actor.id, CartItem.product_id.in_(ordered)),
        execution_options={"synchronize_session": False},
    )
    return orders


def _cooperative_name(items: list[CartItem], cooperative_id: int) -> str:
    """The name of a cooperative whose products are in the cart."""
    return next(item.product.cooperative.name for item in items if item.product.cooperative_id == cooperative_id)
