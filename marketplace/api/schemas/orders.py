"""Orders: the lists, one order with everything on it, and the bodies of its moves."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from marketplace.api.schemas.common import InModel, OutModel, PageQuery, Reason
from marketplace.procurement.models import Order
from marketplace.procurement.services.queries import TimelineEntry
from marketplace.procurement.states import DocumentKind, OrderStatus, ShipmentStatus


class OrderQuery(PageQuery):
    """Filters of the order list."""

    status: OrderStatus | None = Field(None, description="Only orders in this status")
    date_from: date | None = Field(None, description="Placed on or after this day (WIB)")
    date_to: date | None = Field(None, description="Placed on or before this day (WIB)")
    number: str | None = Field(None, max_length=30, description="Beginning of the order number, any case")
    awaiting: bool = Field(
        False,
        description="Only orders waiting for something the caller can do now (review, answer, signature, shipment "
        "of their lines, receipt, invoice, payment)",
    )


class PartyOut(OutModel):
    id: int
    name: str


class OrderSummaryOut(OutModel):
    """An order as listed."""

    id: int
    number: str = Field(description="`SP-{year}-{seq}`, per cooperative (also the Surat Pesanan's number)")
    status: OrderStatus
    created_at: datetime
    work_unit: PartyOut
    cooperative: PartyOut
    kode_rup: str
    rup_name: str
    funding_source: str
    subtotal: int = Field(description="Rupiah, without PPN and shipping")
    ppn_total: int
    shipping_total: int
    total: int
    waiting_for: str | None = Field(description="ppk, provider, buyer (negotiation), signatures; null when nobody")
    action_due_at: datetime | None = Field(description="When the party due must act by, else it is cancelled")


class LineOut(OutModel):
    """A line with the product's data and prices as ordered (or as negotiated)."""

    id: int
    product_id: int
    seller_id: int
    sku: str
    name: str
    kbki_code: str
    unit_name: str
    quantity: int
    unit_price: int = Field(description="Rupiah per unit, without PPN")
    ppn_percent: int
    unit_shipping: int
    subtotal: int
    ppn_amount: int
    shipping: int
    total: int
    quantity_shipped: int
    quantity_received: int


class OfferOut(OutModel):
    """A negotiation proposal."""

    id: int
    party: str = Field(description="buyer or provider")
    proposed_by_id: int
    message: str
    lines: list[dict[str, Any]] = Field(description='[{"line_id", "unit_price", "unit_shipping"}]')
    status: str = Field(description="open, accepted, superseded, withdrawn")
    created_at: datetime
    decided_at: datetime | None


class SignatureOut(OutModel):
    party: str
    user_id: int
    signer_name: str
    signer_role: str
    sha256: str = Field(description="SHA-256 of the document as signed")
    signed_at: datetime


class DocumentOut(OutModel):
    id: int
    kind: DocumentKind
    number: str
    sha256: str
    issued_at: datetime
    signatures: list[SignatureOut]


class ShipmentLineOut(OutModel):
    order_line_id: int
    quantity: int


class ShipmentOut(OutModel):
    id: int
    status: ShipmentStatus
    courier: str | None
    tracking_number: str | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    lines: list[ShipmentLineOut]


class TimelineOut(OutModel):
    """One move or event: what, who, when, why."""

    action: str = Field(description="e.g. order.approve")
    label: str
    actor_name: str | None = Field(description="null for the system (e.g. the automatic cancellation)")
    at: datetime
    reason: str | None
    status: str | None = Field(description="The status after a move")


class OrderOut(OrderSummaryOut):
    """An order with its lines, offers, documents, shipments, timeline and the actions the caller may take now."""

    placed_by_id: int
    ppk_id: int
    budget_account: str
    delivery_address: str
    delivery_region_code: str
    requested_arrival: date
    cancel_reason: str | None
    refuse_reason: str | None
    receipt_note: str | None
    received_at: datetime | None
    paid_outside_at: datetime | None
    paid_outside_reference: str | None
    completed_at: datetime | None
    lines: list[LineOut]
    offers: list[OfferOut]
    documents: list[DocumentOut]
    shipments: list[ShipmentOut]
    timeline: list[TimelineOut]
    actions: list[str] = Field(description="What the caller may do now: `POST /orders/{id}/{action}`")

    @classmethod
    def of(cls, order: Order, timeline: list[TimelineEntry], actions: set[str]) -> OrderOut:
        """From the order's row, its timeline and the caller's available actions."""
        skip = {"timeline", "actions"}
        data = {name: getattr(order, name) for name in cls.model_fields if name not in skip}
        return cls.model_validate(
            {**data, "timeline": [TimelineOut.model_validate(entry) for entry in timeline], "actions": sorted(actions)}
        )


class ReasonIn(InModel):
    reason: Reason


class OfferLineIn(InModel):
    line_id: int = Field(ge=1)
    unit_price: int = Field(ge=1, description="New price per unit, rupiah without PPN")
    unit_shipping: int | None = Field(None, ge=0, description="New shipping per unit, rupiah (unchanged if left out)")


class ProposeIn(InModel):
    message: str = Field(min_length=1, max_length=2000)
    lines: list[OfferLineIn] = Field(min_length=1)


class ShipLineIn(InModel):
    line_id: int = Field(ge=1)
    quantity: int = Field(ge=1)


class ShipIn(InModel):
    lines: list[ShipLineIn] = Field(min_length=1)
    courier: str = Field(min_length=1, max_length=80)
    tracking_number: str = Field(min_length=1, max_length=80)


class DeliverIn(InModel):
    shipment_id: int = Field(ge=1)


class ReceiveLineIn(InModel):
    line_id: int = Field(ge=1)
    quantity_received: int = Field(ge=0)


class ReceiveIn(InModel):
    lines: list[ReceiveLineIn] = Field(min_length=1)
    note: str | None = Field(None, max_length=2000, description="The mismatch found, if any (on the BAST)")


class PayOutsideIn(InModel):
    reference: str = Field(min_length=1, max_length=120, description="e.g. the bank transfer's reference")
    paid_on: date
