"""Stock held by orders: taken at checkout without ever overselling, given back when an order is cancelled."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import NoReturn

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

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


#: (product id, quantity, product name) of what an order takes.
Wanted = tuple[int, int, str]


def _quantities(lines: Iterable[OrderLine], units: Callable[[OrderLine], int] | None = None) -> list[Wanted]:
    """(product id, total quantity, name) per product with units, in product id order (the order locks are taken
    in); a line's units are its quantity ordered, or `units(line)`."""
    wanted: Counter[int] = Counter()
    names: dict[int, str] = {}
    for line in lines:
        wanted[line.product_id] += line.quantity if units is None else units(line)
        names[line.product_id] = line.name
    return [(product_id, wanted[product_id], names[product_id]) for product_id in sorted(wanted) if wanted[product_id]]


def reserve(lines: Iterable[OrderLine]) -> None:
    """Take the lines' quantities off their products' stock; OutOfStock naming the first product without enough
    units (after rolling back, so nothing is taken)."""
    wanted = _quantities(lines)
    try:
        take(wanted)
    except IntegrityError as error:
        raise_out_of_stock(error, wanted)


def take(wanted: list[Wanted]) -> None:
    """Take each (product id, quantity, name) off the product's stock, in product id order, and copy the new
    stock to the search rows: statements that need no answer, so a checkout can send them pipelined.

    Nothing ever oversells: each UPDATE takes the product row's lock, so concurrent checkouts queue and each
    subtracts from the stock the previous one left; the products' CHECK (stock >= 0) refuses a subtraction below
    zero with an IntegrityError (at once, or when the pipeline ends) that `raise_out_of_stock` explains."""
    _change_stock(sorted(wanted), -1)


def raise_out_of_stock(error: IntegrityError, wanted: list[Wanted]) -> NoReturn:
    """Raise the OutOfStock that `take`'s IntegrityError means, naming the first product short of units (the
    transaction is rolled back to read the stock left); any other integrity error is raised as it is."""
    if "stock_not_negative" not in str(error.orig):
        raise error
    db.session.rollback()
    ids = [product_id for product_id, _quantity, _name in wanted]
    left = dict(db.session.execute(select(Product.id, Product.stock).where(Product.id.in_(ids))).all())
    short = [item for item in sorted(wanted) if left.get(item[0], 0) < item[1]] or sorted(wanted)
    product_id, quantity, name = short[0]
    raise OutOfStock(product_id=product_id, name=name, available=left.get(product_id, 0), requested=quantity) from error


def release(order: Order) -> None:
    """Give the order's quantities back to its products' stock (when the order is cancelled, refused, rejected
    or expires)."""
    _change_stock(_quantities(order.lines), +1)


def release_unshipped(order: Order) -> None:
    """Give back the units never shipped (the receipt closed the order with less than was ordered)."""
    _change_stock(_quantities(order.lines, lambda line: line.quantity - line.quantity_shipped), +1)


_PRODUCTS, _ENTRIES = Product.__table__, CatalogEntry.__table__
#: Add `change` units to a product's stock (negative to take them).
_ADD_STOCK = (
    update(_PRODUCTS)
    .where(_PRODUCTS.c.id == bindparam("pid"))
    .values(
        stock=_PRODUCTS.c.stock + bindparam("change", type_=_PRODUCTS.c.stock.type), feed_changed_at=bindparam("now")
    )
)
#: Copy the products' stock to their search rows.
_COPY_TO_CATALOG = (
    update(_ENTRIES)
    .where(_ENTRIES.c.product_id.in_(bindparam("product_ids", expanding=True)))
    .values(stock=select(_PRODUCTS.c.stock).where(_PRODUCTS.c.id == _ENTRIES.c.product_id).scalar_subquery())
)


def _change_stock(wanted: list[Wanted], sign: int) -> None:
    """Add (sign +1) or take (sign -1) each quantity to its product's stock, mark the products changed for the
    feeds, and copy the new stock to the search rows."""
    if not wanted:
        return
    now = utcnow()
    db.session.execute(
        _ADD_STOCK, [{"pid": product_id, "change": sign * quantity, "now": now} for product_id, quantity, _ in wanted]
    )
    _copy_to_catalog([product_id for product_id, _quantity, _name in wanted])


def _copy_to_catalog(product_ids: list[int]) -> None:
    """Set the search rows' stock to their products' stock (one UPDATE) and expire loaded products' stock."""
    if not product_ids:
        return
    db.session.execute(_COPY_TO_CATALOG, {"product_ids": product_ids})
    for product_id in product_ids:
        product = db.session.identity_map.get(db.session.identity_key(Product, product_id))
        if product is not None:
            db.session.expire(product, ["stock", "feed_changed_at"])
