"""Sales figures from completed (paid) orders, as invoiced: per WIB month, over a period, the best-selling products
and the members who sold most. A scope says whose: a cooperative's, one member's lines, what a work unit bought, or
everything (operators). Refunds stay in the members' ledger; these are the orders' invoiced totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, func, select

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.core.db import wib_month
from marketplace.core.timeutil import today_wib, wib_day_start
from marketplace.extensions import db
from marketplace.procurement.models import Order, OrderLine
from marketplace.procurement.states import OrderStatus

#: Orders whose Surat Pesanan both sides signed and that are not paid yet: sales under way.
UNDER_WAY = (
    OrderStatus.ON_PROCESS,
    OrderStatus.WAITING_INVOICE,
    OrderStatus.WAITING_PAYMENT,
    OrderStatus.PAYMENT_OUTSIDE_SYSTEM,
)


@dataclass(frozen=True)
class SalesScope:
    """Whose sales: a cooperative's orders, one member's lines, a work unit's purchases; all when nothing is set."""

    cooperative_id: int | None = None
    seller_id: int | None = None
    work_unit_id: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """Conditions on `OrderLine` joined to `Order`."""
        found = []
        if self.cooperative_id is not None:
            found.append(Order.cooperative_id == self.cooperative_id)
        if self.seller_id is not None:
            found.append(OrderLine.seller_id == self.seller_id)
        if self.work_unit_id is not None:
            found.append(Order.work_unit_id == self.work_unit_id)
        return found


@dataclass(frozen=True)
class SalesTotal:
    """How many orders and how much (rupiah, PPN and shipping included)."""

    orders: int
    amount: int


@dataclass(frozen=True)
class MonthSales:
    month: date
    orders: int
    amount: int


@dataclass(frozen=True)
class ProductSales:
    product_id: int
    name: str
    cooperative_name: str
    quantity: int
    amount: int


@dataclass(frozen=True)
class MemberSales:
    member_id: int
    name: str
    amount: int


def _of_lines(statement: Select, scope: SalesScope, conditions: list[ColumnElement[bool]]) -> Select:
    """`statement` reading the scope's order lines of orders matching `conditions`."""
    joined = statement.select_from(OrderLine).join(Order, OrderLine.order_id == Order.id)
    return joined.where(*scope.conditions(), *conditions)


def _completed_between(start: date, end: date | None) -> list[ColumnElement[bool]]:
    """Completed orders whose completion falls on WIB days from `start` up to `end` (not included)."""
    found = [Order.status == OrderStatus.COMPLETED, Order.completed_at >= wib_day_start(start)]
    if end is not None:
        found.append(Order.completed_at < wib_day_start(end))
    return found


def _total(scope: SalesScope, conditions: list[ColumnElement[bool]]) -> SalesTotal:
    statement = _of_lines(
        select(func.count(func.distinct(Order.id)), func.coalesce(func.sum(OrderLine.total), 0)), scope, conditions
    )
    orders, amount = db.session.execute(statement).one()
    return SalesTotal(orders=orders, amount=int(amount))


def completed_sales(scope: SalesScope, *, since: date, until: date | None = None) -> SalesTotal:
    """Orders completed from `since` (a WIB day) up to `until` (not included; open when None)."""
    return _total(scope, _completed_between(since, until))


def sales_under_way(scope: SalesScope) -> SalesTotal:
    """Orders signed by both sides and not paid yet (`UNDER_WAY`)."""
    return _total(scope, [Order.status.in_(UNDER_WAY)])


def first_of_month(day: date, months_back: int = 0) -> date:
    """The first day of the month `months_back` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def monthly_sales(scope: SalesScope, *, months: int = 12, today: date | None = None) -> list[MonthSales]:
    """Completed sales of the last `months` WIB months, this one included, oldest first (months without sales
    are zeros)."""
    today = today or today_wib()
    start = first_of_month(today, months - 1)
    month = wib_month(Order.completed_at)
    statement = _of_lines(
        select(month, func.count(func.distinct(Order.id)), func.sum(OrderLine.total)),
        scope,
        _completed_between(start, None),
    ).group_by(month)
    found = {key: (orders, int(amount)) for key, orders, amount in db.session.execute(statement)}
    result = []
    for back in range(months - 1, -1, -1):
        first = first_of_month(today, back)
        orders, amount = found.get(f"{first:%Y-%m}", (0, 0))
        result.append(MonthSales(month=first, orders=orders, amount=amount))
    return result


def best_selling_products(scope: SalesScope, *, since: date, limit: int = 5) -> list[ProductSales]:
    """The products that sold most (rupiah) in orders completed since `since`, largest first, with the units
    received (what was billed when less arrived than was ordered)."""
    amount = func.sum(OrderLine.total)
    statement = (
        _of_lines(
            select(
                OrderLine.product_id,
                func.max(OrderLine.name),
                func.max(Cooperative.name),
                func.sum(OrderLine.quantity_received),
                amount,
            ),
            scope,
            _completed_between(since, None),
        )
        .join(Cooperative, Cooperative.id == Order.cooperative_id)
        .group_by(OrderLine.product_id)
        .order_by(amount.desc(), OrderLine.product_id)
        .limit(limit)
    )
    return [
        ProductSales(
            product_id=product_id, name=name, cooperative_name=cooperative, quantity=int(quantity), amount=int(total)
        )
        for product_id, name, cooperative, quantity, total in db.session.execute(statement)
    ]


def sales_by_member(scope: SalesScope, *, since: date, limit: int = 10) -> list[MemberSales]:
    """The members whose lines sold most (rupiah) in orders completed since `since`, largest first."""
    amount = func.sum(OrderLine.total)
    statement = (
        _of_lines(select(OrderLine.seller_id, User.full_name, amount), scope, _completed_between(since, None))
        .join(User, User.id == OrderLine.seller_id)
        .group_by(OrderLine.seller_id, User.full_name)
        .order_by(amount.desc(), OrderLine.seller_id)
        .limit(limit)
    )
    return [
        MemberSales(member_id=member_id, name=name, amount=int(total))
        for member_id, name, total in db.session.execute(statement)
    ]
