"""Cart and checkout: items in, the priced cart out; the checkout's fields in, the orders created out."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from marketplace.api.schemas.common import InModel, OutModel
from marketplace.procurement.services.cart import MAX_QUANTITY
from marketplace.procurement.states import FundingSource


class CartItemIn(InModel):
    """A product to put in the cart (added to the quantity already there)."""

    product_id: int = Field(ge=1)
    quantity: int = Field(ge=1, le=MAX_QUANTITY, description="Units; the cart's quantity must reach the minimum order")


class CartQuery(InModel):
    region: str | None = Field(
        None, description="Delivery region code (default: the user's work unit region)", examples=["35.76"]
    )


class CartItemOut(OutModel):
    """One cart line priced for the delivery region."""

    id: int
    product_id: int
    name: str
    quantity: int
    min_order: int
    unit_price: int = Field(description="Excluding PPN, rupiah, for the delivery region")
    unit_shipping: int
    ppn_percent: int
    subtotal: int
    ppn: int
    shipping: int
    total: int
    problem: str | None = Field(description="Why it cannot be ordered (blocks checkout); null when it can")


class CartGroupOut(OutModel):
    """The lines of one cooperative (one order at checkout)."""

    cooperative_id: int
    cooperative_name: str
    items: list[CartItemOut]
    subtotal: int
    shipping: int
    ppn: int
    total: int


class CartOut(OutModel):
    region: str | None
    groups: list[CartGroupOut]
    subtotal: int
    shipping: int
    ppn: int
    total: int
    can_check_out: bool


class AddedItemOut(OutModel):
    id: int
    product_id: int
    quantity: int


class CheckoutIn(InModel):
    """The orders' procurement data; the work unit is the user's own."""

    idempotency_key: str | None = Field(
        None,
        min_length=8,
        max_length=64,
        description="Or the `Idempotency-Key` header; the same key again returns the same orders",
    )
    kode_rup: str = Field(min_length=1, max_length=30)
    rup_name: str = Field(min_length=1, max_length=255)
    funding_source: FundingSource
    budget_account: str = Field(min_length=1, max_length=60)
    delivery_address: str = Field(min_length=1, max_length=1000)
    delivery_region_code: str = Field(examples=["35.76.02.1001"])
    requested_arrival: date = Field(description="After today")
    ppk_id: int | None = Field(None, description="Required when a PP orders: a PPK of the work unit")


class PlacedOrderOut(OutModel):
    id: int
    number: str
    status: str
    cooperative_id: int
    cooperative: str
    total: int


class CheckoutOut(OutModel):
    orders: list[PlacedOrderOut]
