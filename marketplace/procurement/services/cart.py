"""A buyer officer's cart: products with quantities, priced for a delivery region when shown, grouped by
cooperative (each group becomes one order at checkout)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import Product, ProductRevision, RegionalPrice, Unit
from marketplace.catalog.search.public import applicable_price
from marketplace.catalog.search.query import delivery_codes
from marketplace.catalog.states import ProductStatus
from marketplace.cooperatives.models import Cooperative
from marketplace.core.errors import Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.procurement.models import CartItem
from marketplace.procurement.services.pricing import line_amounts, unit_price_for

#: Most units of one product in a cart (and on an order line).
MAX_QUANTITY = 1_000_000
#: Roles that buy: they have a cart and check out.
BUYERS = (Role.PP, Role.PPK)


@dataclass
class CartLine:
    """One cart item priced for the delivery region, or with the problem that keeps it from being ordered."""

    item: CartItem
    product: Product
    revision: ProductRevision | None
    unit_price: int = 0
    unit_shipping: int = 0
    ppn_percent: int = 0
    subtotal: int = 0
    ppn: int = 0
    shipping: int = 0
    total: int = 0
    #: Why the line cannot be ordered (translated); None when it can.
    problem: str | None = None

    @property
    def name(self) -> str:
        return self.revision.name if self.revision is not None else self.product.sku

    @property
    def min_order(self) -> int:
        return self.revision.min_order if self.revision is not None else 1


@dataclass
class CartGroup:
    """The lines of one cooperative: one order at checkout."""

    cooperative: Cooperative
    lines: list[CartLine] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        return sum(line.subtotal for line in self.lines)

    @property
    def ppn(self) -> int:
        return sum(line.ppn for line in self.lines)

    @property
    def shipping(self) -> int:
        return sum(line.shipping for line in self.lines)

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)


@dataclass
class Cart:
    """The whole cart for one delivery region."""

    region_code: str | None
    groups: list[CartGroup]

    @property
    def lines(self) -> list[CartLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def problems(self) -> list[CartLine]:
        return [line for line in self.lines if line.problem]

    @property
    def subtotal(self) -> int:
        return sum(group.subtotal for group in self.groups)

    @property
    def ppn(self) -> int:
        return sum(group.ppn for group in self.groups)

    @property
    def shipping(self) -> int:
        return sum(group.shipping for group in self.groups)

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)

    @property
    def count(self) -> int:
        return len(self.lines)


def check_buyer(actor: User) -> None:
    """Only PP and PPK of a work unit have a cart."""
    if not actor.has_role(*BUYERS) or actor.work_unit_id is None:
        raise Forbidden(_("Only a PP or PPK of a work unit can order."))


def cart_items(user_id: int) -> list[CartItem]:
    """The user's cart items with their products' live data (regional prices and unit included), by product id."""
    query = (
        select(CartItem)
        .where(CartItem.user_id == user_id)
        .options(
            joinedload(CartItem.product).joinedload(Product.cooperative),
            joinedload(CartItem.product)
            .joinedload(Product.live_revision)
            .options(joinedload(ProductRevision.unit), selectinload(ProductRevision.regional_prices)),
        )
        .order_by(CartItem.product_id)
    )
    return list(db.session.scalars(query).unique())


def price_line(item: CartItem, region_code: str | None) -> CartLine:
    """The item priced for the region, or with the reason it cannot be ordered."""
    product = item.product
    revision = product.live_revision
    line = CartLine(item=item, product=product, revision=revision)
    sold = product.status == ProductStatus.ACTIVE and revision is not None
    price = unit_price_for(revision, region_code) if sold and region_code else None
    line.problem = line_problem(sold, price, region_code, item.quantity, revision.min_order if sold else 1)
    if line.problem is None and item.quantity > product.stock:  # checkout would refuse it: say so now
        line.problem = _("Only %(n)s in stock now: lower the quantity.", n=format_number(product.stock))
    if price is not None:
        line.unit_price, line.unit_shipping = price
        line.ppn_percent = revision.ppn_percent
        line.subtotal, line.ppn, line.shipping, line.total = line_amounts(
            line.unit_price, line.ppn_percent, line.unit_shipping, item.quantity
        )
    return line


def line_problem(
    sold: bool, price: tuple[int, int] | None, region_code: str | None, quantity: int, min_order: int
) -> str | None:
    """Why a cart line cannot be ordered (translated), or None: no longer sold, no price for the delivery region
    (or no region chosen), or fewer units than the minimum order."""
    if not sold:
        return _("No longer sold: remove it from the cart.")
    if price is None:
        if region_code:
            return _("Not delivered to the chosen region: remove it or choose another region.")
        return _("Choose the delivery region to see the price.")
    if quantity < min_order:
        return _("The minimum order is %(n)d.", n=min_order)
    return None


@dataclass
class OrderableItem:
    """A cart item with the live data an order line copies and its price for the delivery region (read for
    checkout in one query, without loading models)."""

    product_id: int
    quantity: int
    cooperative_id: int
    seller_id: int
    sku: str
    sold: bool
    revision_id: int | None
    name: str
    kbki_code: str
    unit_name: str
    ppn_percent: int
    tkdn_bmp: int
    is_domestic: bool
    min_order: int
    national: tuple[int, int] | None
    regional: dict[str, tuple[int, int]] = field(default_factory=dict)
    unit_price: int = 0
    unit_shipping: int = 0
    #: Why the item cannot be ordered (translated); None when it can.
    problem: str | None = None


def orderable_items(user_id: int, region_code: str) -> list[OrderableItem]:
    """The user's cart items with their products' live data, priced for deliveries to `region_code` (or with the
    problem that keeps each from being ordered), by product id: one query."""
    query, codes = _orderable_query(), list(delivery_codes(region_code))
    items: dict[int, OrderableItem] = {}
    for row in db.session.execute(query, {"user_id": user_id, "codes": codes}):
        item = items.get(row[0])
        if item is None:
            items[row[0]] = item = _orderable_item(row)
        if row[17] is not None:
            item.regional[row[17]] = (row[18], row[19])
    for item in items.values():
        found = applicable_price(item.regional, item.national, region_code) if item.sold else None
        item.problem = line_problem(item.sold, found and found[:2], region_code, item.quantity, item.min_order)
        if found is not None:
            item.unit_price, item.unit_shipping = found[:2]
    return list(items.values())


@cache
def _orderable_query() -> Select:
    """The cart items of `user_id` with their products' live data and regional prices for `codes` (built once)."""
    revision = ProductRevision
    return (
        select(
            CartItem.product_id, CartItem.quantity, Product.cooperative_id, Product.seller_id, Product.sku,
            Product.status, revision.id, revision.name, revision.kbki_code, Unit.name, revision.ppn_percent,
            revision.tkdn_x100 + revision.bmp_x100, revision.is_domestic, revision.min_order, revision.national_price,
            revision.price, revision.shipping_cost, RegionalPrice.region_code, RegionalPrice.price,
            RegionalPrice.shipping_cost,
        )
        .join(Product, Product.id == CartItem.product_id)
        .outerjoin(revision, revision.id == Product.live_revision_id)
        .outerjoin(Unit, Unit.id == revision.unit_id)
        .outerjoin(
            RegionalPrice,
            and_(
                RegionalPrice.revision_id == revision.id,
                RegionalPrice.region_code.in_(bindparam("codes", expanding=True)),
            ),
        )
        .where(CartItem.user_id == bindparam("user_id"))
        .order_by(CartItem.product_id)
    )  # fmt: skip


def _orderable_item(row) -> OrderableItem:
    (product_id, quantity, cooperative_id, seller_id, sku, status, revision_id, name, kbki_code, unit_name,
     ppn_percent, tkdn_bmp, is_domestic, min_order, national_price, price, shipping_cost) = row[:17]  # fmt: skip
    return OrderableItem(
        product_id=product_id,
        quantity=quantity,
        cooperative_id=cooperative_id,
        seller_id=seller_id,
        sku=sku,
        sold=status == ProductStatus.ACTIVE and revision_id is not None,
        revision_id=revision_id,
        name=name or sku,
        kbki_code=kbki_code or "",
        unit_name=unit_name or "",
        ppn_percent=ppn_percent or 0,
        tkdn_bmp=tkdn_bmp or 0,
        is_domestic=bool(is_domestic),
        min_order=min_order or 1,
        national=(price, shipping_cost) if national_price else None,
    )


def view_cart(user: User, region_code: str | None) -> Cart:
    """The user's cart priced for deliveries to `region_code`, grouped by cooperative (by name)."""
    groups: dict[int, CartGroup] = {}
    for item in cart_items(user.id):
        line = price_line(item, region_code)
        group = groups.setdefault(item.product.cooperative_id, CartGroup(item.product.cooperative))
        group.lines.append(line)
    ordered = sorted(groups.values(), key=lambda group: (group.cooperative.name, group.cooperative.id))
    return Cart(region_code=region_code, groups=ordered)


def quantity_range_message() -> str:
    """The error of a quantity out of range, with the numbers as the user's language writes them."""
    return _("Enter a number from %(min)s to %(max)s.", min=1, max=format_number(MAX_QUANTITY))


def _quantity(value: object, *, field_name: str = "quantity") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUANTITY:
        raise ValidationFailed(
            "bad quantity",
            {field_name: quantity_range_message()},
        )
    return value


def _sellable(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None or product.status != ProductStatus.ACTIVE or product.live_revision is None:
        raise NotFound(_("This product is not in the catalog."))
    return product


def _check_minimum(product: Product, quantity: int) -> None:
    revision = product.live_revision
    if quantity < revision.min_order:
        unit = revision.unit.name if revision.unit else ""
        raise ValidationFailed(
            "below minimum",
            {"quantity": _("The minimum order is %(n)d %(unit)s.", n=revision.min_order, unit=unit).strip()},
        )


def add_item(*, actor: User, product_id: int, quantity: int | None = None) -> tuple[CartItem, bool]:
    """Put `quantity` units of an active product in the actor's cart (added to what is there; None: the product's
    minimum order, as the search cards' button does); return the item and whether it is new. The cart's quantity
    must reach the product's minimum order and stay ≤ 1,000,000."""
    check_buyer(actor)
    product = _sellable(product_id)
    quantity = _quantity(product.live_revision.min_order if quantity is None else quantity)
    item = db.session.scalar(select(CartItem).where(CartItem.user_id == actor.id, CartItem.product_id == product.id))
    created = item is None
    total = quantity + (0 if item is None else item.quantity)
    if total > MAX_QUANTITY:
        more = format_number(MAX_QUANTITY - item.quantity)  # `item` holds some: `quantity` alone is in range
        raise ValidationFailed(
            "cart too full", {"quantity": _("Your cart holds some already: add at most %(n)s.", n=more)}
        )
    _check_minimum(product, total)
    if item is None:
        item = CartItem(user_id=actor.id, product_id=product.id, quantity=total)
        db.session.add(item)
    else:
        item.quantity = total
    db.session.commit()
    return item, created


def own_item(actor: User, item_id: int) -> CartItem:
    """The actor's cart item; NotFound for another user's (or no) item."""
    item = db.session.get(CartItem, item_id)
    if item is None or item.user_id != actor.id:
        raise NotFound(_("This item is not in your cart."))
    return item


def set_quantity(*, actor: User, item_id: int, quantity: int) -> CartItem:
    """Change an item's quantity (≥ the product's minimum order, ≤ 1,000,000)."""
    check_buyer(actor)
    item = own_item(actor, item_id)
    quantity = _quantity(quantity)
    product = item.product
    if product.status == ProductStatus.ACTIVE and product.live_revision is not None:
        _check_minimum(product, quantity)
    item.quantity = quantity
    db.session.commit()
    return item


def remove_item(*, actor: User, item_id: int) -> None:
    """Take an item out of the actor's cart."""
    check_buyer(actor)
    db.session.delete(own_item(actor, item_id))
    db.session.commit()


def cart_count(user: User) -> int:
    """How many products the user has in the cart (for the navigation)."""
    return db.session.scalar(select(func.count(CartItem.id)).where(CartItem.user_id == user.id)) or 0
