"""Stock held by orders: taken at checkout without ever overselling, given back when an order is cancelled."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update

from marketplace.catalog.models import CatalogEntry, Product
from marketplace.core.errors import Conflict
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.procurement.models import Order, OrderLine


class OutOfStock(Conflict):
    """Fewer units are left of a product than an order asks for."""

    code = "out_of_stock"

    def __init__(self, *, product_id: int, name: str, available: int, requested: int) -> None:
        super().__init__(
            _(
                "Not enough stock of %(name)s: %(available)d left, %(requested)d ordered.",
                name=name,
                available=available,
                requested=requested,
            ),
            {},
        )
        self.product_id = product_id
        self.name = name
        self.available = available
        self.requested = requested


def _quantities(lines: Iterable[OrderLine]) -> list[tuple[int, int, str]]:
    """(product id, total quantity, name) per product, in product id order (the order locks are taken in)."""
    wanted: Counter[int] = Counter()
    names: dict[int, str] = {}
    for line in lines:
        wanted[line.product_id] += line.quantity
        names[line.product_id] = line.name
    return [(product_id, wanted[product_id], names[product_id]) for product_id in sorted(wanted)]


def reserve(lines: Iterable[OrderLine]) -> None:
    """Take the lines' quantities off their products' stock, in product id order; OutOfStock naming the first
    product without enough units (the caller rolls back, so nothing is taken).

    Each product is one conditional UPDATE (`stock >= quantity`): concurrent checkouts queue on the row lock and
    the second re-checks the condition against the first one's result, so stock never goes below zero."""
    now = utcnow()
    left: list[dict[str, int]] = []
    for product_id, quantity, name in _quantities(lines):
        stock = db.session.execute(
            update(Product)
            .where(Product.id == product_id, Product.stock >= quantity)
            .values(stock=Product.stock - quantity, feed_changed_at=now)
            .returning(Product.stock)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if stock is None:
            available = db.session.scalar(select(Product.stock).where(Product.id == product_id)) or 0
            raise OutOfStock(product_id=product_id, name=name, available=available, requested=quantity)
        left.append({"pid": product_id, "left": stock})
    _copy_to_catalog(left)


def release(order: Order) -> None:
    """Give the order's quantities back to its products' stock (when the order is cancelled, refused, rejected
    or expires)."""
    now = utcnow()
    left: list[dict[str, int]] = []
    for product_id, quantity, _name in _quantities(order.lines):
        stock = db.session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(stock=Product.stock + quantity, feed_changed_at=now)
            .returning(Product.stock)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if stock is not None:
            left.append({"pid": product_id, "left": stock})
    _copy_to_catalog(left)


def _copy_to_catalog(left: list[dict[str, int]]) -> None:
    """Set the search rows' stock to the products' new stock (one executemany) and expire stale objects."""
    if not left:
        return
    table = CatalogEntry.__table__
    db.session.execute(
        table.update().where(table.c.product_id == bindparam("pid")).values(stock=bindparam("left")), left
    )
    for product_id in (item["pid"] for item in left):
        product = db.session.identity_map.get(db.session.identity_key(Product, product_id))
        if product is not None:
            db.session.expire(product, ["stock", "feed_changed_at"])
