"""Cart and checkout: put products in the cart, see it priced for a region, remove items, place the orders."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel

from marketplace.api.auth import api_user
from marketplace.api.errors import invalid_fields
from marketplace.api.framework import api_route
from marketplace.api.schemas.cart import (
    AddedItemOut,
    CartGroupOut,
    CartItemIn,
    CartItemOut,
    CartOut,
    CartQuery,
    CheckoutIn,
    CheckoutOut,
    PlacedOrderOut,
)
from marketplace.procurement.models import Order
from marketplace.procurement.services import cart as carts
from marketplace.procurement.services.checkout import orders_by_id, place_orders
from marketplace.reference.regions import get_region

TAGS = ["cart"]


@api_route(
    "/cart/items",
    methods=["POST"],
    body=CartItemIn,
    response=AddedItemOut,
    status=201,
    other_statuses={200: "The product was in the cart already: its quantity is added"},
    roles=carts.BUYERS,
    tags=TAGS,
    errors=(404,),
    description="201 with the new item, or 200 when the product was in the cart already (the quantity is added). "
    "PP and PPK only; 404 for a product not in the catalog; 422 below the product's minimum order.",
)
def add_cart_item(body: CartItemIn):
    """Put a product in the cart."""
    item, created = carts.add_item(actor=api_user(), product_id=body.product_id, quantity=body.quantity)
    return _json(AddedItemOut.model_validate(item), 201 if created else 200)


@api_route(
    "/cart",
    query=CartQuery,
    response=CartOut,
    roles=carts.BUYERS,
    tags=TAGS,
    description="Grouped by cooperative, priced for `region` (default: the work unit's region). An item with a "
    "`problem` (withdrawn, not delivered to the region, below the minimum) blocks checkout until removed.",
)
def get_cart(query: CartQuery) -> CartOut:
    """Show the cart."""
    user = api_user()
    region = query.region or (user.work_unit.region_code if user.work_unit else None)
    if region and get_region(region) is None:
        raise invalid_fields({"region": _("Unknown region code.")})
    return cart_out(carts.view_cart(user, region))


def cart_out(cart: carts.Cart) -> CartOut:
    """The API's view of a priced cart."""
    return CartOut(
        region=cart.region_code,
        groups=[
            CartGroupOut(
                cooperative_id=group.cooperative.id,
                cooperative_name=group.cooperative.name,
                items=[
                    CartItemOut(
                        id=line.item.id,
                        product_id=line.product.id,
                        name=line.name,
                        quantity=line.item.quantity,
                        min_order=line.min_order,
                        unit_price=line.unit_price,
                        unit_shipping=line.unit_shipping,
                        ppn_percent=line.ppn_percent,
                        subtotal=line.subtotal,
                        ppn=line.ppn,
                        shipping=line.shipping,
                        total=line.total,
                        problem=line.problem,
                    )
                    for line in group.lines
                ],
                subtotal=group.subtotal,
                shipping=group.shipping,
                ppn=group.ppn,
                total=group.total,
            )
            for group in cart.groups
        ],
        subtotal=cart.subtotal,
        shipping=cart.shipping,
        ppn=cart.ppn,
        total=cart.total,
        can_check_out=bool(cart.groups) and not cart.problems,
    )


@api_route(
    "/cart/items/<int:item_id>",
    methods=["DELETE"],
    roles=carts.BUYERS,
    tags=TAGS,
    description="404 for an item of another user's cart.",
)
def delete_cart_item(item_id: int) -> None:
    """Remove an item from the cart."""
    carts.remove_item(actor=api_user(), item_id=item_id)


@api_route(
    "/checkout",
    methods=["POST"],
    body=CheckoutIn,
    response=CheckoutOut,
    status=201,
    roles=carts.BUYERS,
    tags=TAGS,
    other_statuses={200: "The idempotency key was used before: the orders it created"},
    errors=(409,),
    field_names={"key": "idempotency_key"},
    description="Places one order per cooperative of the cart in one transaction and empties the cart of them. "
    "Send an idempotency key (`idempotency_key` or the `Idempotency-Key` header): the same key again answers 200 "
    "with the same orders. 409 when a product has too little stock left or a PP's order exceeds the PP limit "
    "(nothing is created); 422 with field paths (`cart.N` for a cart item that cannot be ordered).",
)
def post_checkout(body: CheckoutIn):
    """Place the cart's orders."""
    user = api_user()
    key = body.idempotency_key or (request.headers.get("Idempotency-Key") or "").strip()
    if not 8 <= len(key) <= 64:
        raise invalid_fields({"idempotency_key": _("Send an idempotency key of 8 to 64 characters.")})
    order_ids, created = place_orders(
        actor=user,
        key=key,
        work_unit_id=user.work_unit_id,
        kode_rup=body.kode_rup,
        rup_name=body.rup_name,
        funding_source=str(body.funding_source),
        budget_account=body.budget_account,
        delivery_address=body.delivery_address,
        delivery_region_code=body.delivery_region_code,
        requested_arrival=body.requested_arrival,
        ppk_id=body.ppk_id,
    )
    orders = orders_by_id(order_ids)
    return _json(CheckoutOut(orders=[placed_order(order) for order in orders]), 201 if created else 200)


def placed_order(order: Order) -> PlacedOrderOut:
    """An order as the checkout answers it."""
    return PlacedOrderOut(
        id=order.id,
        number=order.number,
        status=order.status,
        cooperative_id=order.cooperative_id,
        cooperative=order.cooperative.name,
        total=order.total,
    )


def _json(model: BaseModel, status: int) -> Response:
    """A JSON answer with a status chosen by the route (201 new, 200 already there)."""
    response = jsonify(model.model_dump(mode="json"))
    response.status_code = status
    return response
