"""Order prices: the unit price for a delivery region, a line's amounts and an order's totals (integer rupiah)."""

from __future__ import annotations

from typing import Any

from marketplace.catalog.models import ProductRevision
from marketplace.catalog.search.public import offer_for_region
from marketplace.core.money import ppn_amount
from marketplace.procurement.models import Order, OrderLine


def unit_price_for(revision: ProductRevision, region_code: str | None) -> tuple[int, int] | None:
    """(unit price excluding PPN, shipping per unit) for deliveries to `region_code`: the regional price of its
    kab/kota or province if the revision has one, else the national price; None when not delivered there."""
    offer = offer_for_region(revision, region_code)
    return None if offer is None else (offer.price, offer.shipping_cost)


def line_amounts(unit_price: int, ppn_percent: int, unit_shipping: int, quantity: int) -> tuple[int, int, int, int]:
    """(subtotal, PPN on the subtotal rounded half up, shipping, total) of `quantity` units."""
    subtotal = unit_price * quantity
    ppn = ppn_amount(subtotal, ppn_percent)
    shipping = unit_shipping * quantity
    return subtotal, ppn, shipping, subtotal + ppn + shipping


def set_line_amounts(line: OrderLine, quantity: int | None = None) -> OrderLine:
    """Compute the line's subtotal, PPN, shipping and total from its unit price, shipping and `quantity` (by
    default the quantity ordered)."""
    line.subtotal, line.ppn_amount, line.shipping, line.total = line_amounts(
        line.unit_price, line.ppn_percent, line.unit_shipping or 0, line.quantity if quantity is None else quantity
    )
    return line


def recompute_totals(order: Order) -> Order:
    """Every line's amounts from its unit price and shipping, then the order's totals (after an accepted offer)."""
    for line in order.lines:
        set_line_amounts(line)
    return _sum_totals(order)


def bill_received(order: Order) -> Order:
    """Every line's amounts for the quantity received (the BAST), then the order's totals: what the invoice bills
    when less arrived than was ordered (the Surat Pesanan keeps the amounts ordered)."""
    for line in order.lines:
        set_line_amounts(line, line.quantity_received)
    return _sum_totals(order)


def _sum_totals(order: Order) -> Order:
    """The order's subtotal, PPN, shipping and total: the sums of its lines'."""
    order.subtotal = sum(line.subtotal for line in order.lines)
    order.ppn_total = sum(line.ppn_amount for line in order.lines)
    order.shipping_total = sum(line.shipping for line in order.lines)
    order.total = sum(line.total for line in order.lines)
    return order


#: What an order line copies from the product's live data at checkout.
SNAPSHOT_FIELDS = (
    "product_id", "revision_id", "seller_id", "sku", "name", "kbki_code", "unit_name", "ppn_percent", "tkdn_bmp",
    "is_domestic",
)  # fmt: skip


def line_values(source: Any, *, quantity: int, unit_price: int, unit_shipping: int) -> dict:
    """An order line's columns: `source`'s SNAPSHOT_FIELDS (the product's live data as it is now), the prices for
    the delivery region and the amounts computed from them (nothing shipped or received yet)."""
    subtotal, ppn, shipping, total = line_amounts(unit_price, source.ppn_percent, unit_shipping, quantity)
    return {
        **{name: getattr(source, name) for name in SNAPSHOT_FIELDS},
        "quantity": quantity,
        "unit_price": unit_price,
        "unit_shipping": unit_shipping,
        "subtotal": subtotal,
        "ppn_amount": ppn,
        "shipping": shipping,
        "total": total,
        "quantity_shipped": 0,
        "quantity_received": 0,
    }
