"""Carts, orders (one per cooperative), their lines (price snapshots), negotiation offers, documents with
signatures, shipments, and the per-cooperative number sequences.

Money is integer rupiah. A line's amounts are fixed when the order is placed (and when a negotiated offer is
accepted): later catalog changes never touch an order. PPN is charged on the goods (unit price × quantity, rounded
half up once per line); shipping is a separate amount without PPN.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import TimestampMixin
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

#: PostgreSQL's index of `upper(number) text_pattern_ops` on orders, made by a migration outside the ORM metadata
#: (SQLite cannot reflect expression indexes, nor use one for this LIKE); migration comparisons skip it.
ORDER_NUMBER_SEARCH_INDEX = "ix_orders_number_upper"


class CartItem(TimestampMixin, db.Model):
    """A product in a buyer's cart (one row per user and product; the price is read when the cart is shown)."""

    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("user_id", "product_id"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)

    product = relationship("Product")


class Checkout(db.Model):
    """One submitted checkout form, by its idempotency key: submitting it again returns the same orders."""

    __tablename__ = "checkouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random key put in the checkout form (or sent as `Idempotency-Key` to the API), unique per user.
    key: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    orders: Mapped[list[Order]] = relationship(back_populates="checkout", order_by="Order.id")

    __table_args__ = (UniqueConstraint("user_id", "key"),)


class Order(TimestampMixin, db.Model):
    """A purchase from one cooperative by one work unit: the Surat Pesanan once accepted."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "number"),
        # The order lists' sort (newest first, `created_at, id`), alone and after each scope or filter.
        Index("ix_orders_created", "created_at", "id"),
        Index("ix_orders_status_created", "status", "created_at", "id"),
        Index("ix_orders_work_unit_created", "work_unit_id", "created_at", "id"),
        Index("ix_orders_cooperative_created", "cooperative_id", "created_at", "id"),
        Index("ix_orders_status_due", "status", "action_due_at"),
        # Sales figures: completed orders by the day they were completed.
        Index("ix_orders_status_completed", "status", "completed_at"),
        CheckConstraint("total >= 0", name="total_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: `SP-{year}-{seq:05d}`, per cooperative (also the Surat Pesanan's number). The number search
    #: (`upper(number) LIKE 'X%'`) has an expression index on PostgreSQL, outside the ORM metadata:
    #: `ORDER_NUMBER_SEARCH_INDEX`.
    number: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[str] = mapped_column(String(40), index=True)
    checkout_id: Mapped[int | None] = mapped_column(ForeignKey("checkouts.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    work_unit_id: Mapped[int] = mapped_column(ForeignKey("work_units.id"))
    #: The PP or PPK who placed the order.
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The PPK responsible (the one who placed it, or the one a PP chose).
    ppk_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kode_rup: Mapped[str] = mapped_column(String(30))
    rup_name: Mapped[str] = mapped_column(String(255))
    #: `states.FundingSource`.
    funding_source: Mapped[str] = mapped_column(String(10))
    #: Budget account code (kode rekening / MAK).
    budget_account: Mapped[str] = mapped_column(String(60))
    delivery_address: Mapped[str] = mapped_column(Text)
    #: Kemendagri code of the delivery kelurahan/desa (or kab/kota); prices are those for this region.
    delivery_region_code: Mapped[str] = mapped_column(String(13))
    requested_arrival: Mapped[date] = mapped_column(Date)
    #: Set when the order was placed; never changed after, except by an accepted offer.
    subtotal: Mapped[int] = mapped_column(BigInteger, default=0)
    shipping_total: Mapped[int] = mapped_column(BigInteger, default=0)
    ppn_total: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    #: When the party due must act by (3 working days), else the order is cancelled; None when nobody is due.
    action_due_at: Mapped[datetime | None]
    #: Who the order waits for now: `ppk`, `provider`, `buyer` (negotiation), `signatures`; None when nobody.
    waiting_for: Mapped[str | None] = mapped_column(String(20))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    refuse_reason: Mapped[str | None] = mapped_column(Text)
    #: Mismatch found at receipt, if any (on the BAST).
    receipt_note: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime | None]
    #: "Paid outside the system" as recorded by the bendahara, before payments exist.
    paid_outside_at: Mapped[datetime | None]
    paid_outside_reference: Mapped[str | None] = mapped_column(String(120))
    completed_at: Mapped[datetime | None]

    checkout: Mapped[Checkout | None] = relationship(back_populates="orders")
    cooperative = relationship("Cooperative")
    work_unit = relationship("WorkUnit")
    placed_by = relationship("User", foreign_keys=[placed_by_id])
    ppk = relationship("User", foreign_keys=[ppk_id])
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    offers: Mapped[list[Offer]] = relationship(back_populates="order", order_by="Offer.id")
    documents: Mapped[list[OrderDocument]] = relationship(back_populates="order", order_by="OrderDocument.id")
    shipments: Mapped[list[Shipment]] = relationship(back_populates="order", order_by="Shipment.id")


class OrderLine(db.Model):
    """One product of an order, with the product's data and prices as they were when ordered."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
        CheckConstraint("quantity_shipped >= 0 AND quantity_shipped <= quantity", name="shipped_range"),
        CheckConstraint("quantity_received >= 0", name="received_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    #: The live revision the data was copied from.
    revision_id: Mapped[int] = mapped_column(ForeignKey("product_revisions.id"))
    #: The UMKM member who makes the product (sees and ships this line).
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    kbki_code: Mapped[str] = mapped_column(String(10))
    unit_name: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[int] = mapped_column(Integer)
    #: Price per unit excluding PPN (for the delivery region), then as negotiated.
    unit_price: Mapped[int] = mapped_column(BigInteger)
    ppn_percent: Mapped[int] = mapped_column(SmallInteger)
    #: Shipping per unit (regional shipping cost when a regional price applied).
    unit_shipping: Mapped[int] = mapped_column(BigInteger, default=0)
    #: unit_price × quantity.
    subtotal: Mapped[int] = mapped_column(BigInteger)
    #: PPN on the subtotal, rounded half up.
    ppn_amount: Mapped[int] = mapped_column(BigInteger)
    #: unit_shipping × quantity.
    shipping: Mapped[int] = mapped_column(BigInteger)
    #: subtotal + ppn_amount + shipping.
    total: Mapped[int] = mapped_column(BigInteger)
    #: TKDN + BMP (hundredths of a percent) and PDN when ordered, for reports.
    tkdn_bmp: Mapped[int | None] = mapped_column(Integer)
    is_domestic: Mapped[bool] = mapped_column(default=True)
    quantity_shipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    quantity_received: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    order: Mapped[Order] = relationship(back_populates="lines")
    product = relationship("Product")
    seller = relationship("User")


class Offer(db.Model):
    """A negotiation proposal: new unit prices and/or shipping for some lines, with a message."""

    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    #: `states.Party` of the proposer.
    party: Mapped[str] = mapped_column(String(10))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(Text)
    #: [{"line_id": 1, "unit_price": 70000, "unit_shipping": 0}, ...]: the lines it changes, new values.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: `open`, `accepted`, `superseded` (a counter-offer replaced it), `withdrawn` (the order moved on).
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    order: Mapped[Order] = relationship(back_populates="offers")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])


class OrderDocument(db.Model):
    """A generated document (Surat Pesanan, BAST, invoice): its HTML as issued, and the SHA-256 signers sign."""

    __tablename__ = "order_documents"
    __table_args__ = (UniqueConstraint("order_id", "kind"), UniqueConstraint("cooperative_id", "kind", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    #: `states.DocumentKind`.
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(30))
    #: The document's body as issued (rendered in Bahasa Indonesia); PDF and print views render from it.
    html: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    order: Mapped[Order] = relationship(back_populates="documents")
    signatures: Mapped[list[Signature]] = relationship(back_populates="document", order_by="Signature.id")


class Signature(db.Model):
    """A party's signature of a document: who, when, and the SHA-256 of what they signed."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("document_id", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("order_documents.id", ondelete="CASCADE"), index=True)
    #: `states.Party`.
    party: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: Name and role as printed under the signature.
    signer_name: Mapped[str] = mapped_column(String(120))
    signer_role: Mapped[str] = mapped_column(String(60))
    sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    document: Mapped[OrderDocument] = relationship(back_populates="signatures")
    user = relationship("User")


class Shipment(TimestampMixin, db.Model):
    """A delivery of some lines (partial shipments allowed), by the seller(s) of those lines."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: `states.ShipmentStatus`.
    status: Mapped[str] = mapped_column(String(20))
    courier: Mapped[str | None] = mapped_column(String(80))
    tracking_number: Mapped[str | None] = mapped_column(String(80))
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="shipments")
    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", order_by="ShipmentLine.id", cascade="all, delete-orphan"
    )
    created_by = relationship("User")


class ShipmentLine(db.Model):
    __tablename__ = "shipment_lines"
    __table_args__ = (CheckConstraint("quantity >= 1", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


class NumberSequence(db.Model):
    """The last number given per cooperative, prefix (`SP`, `BAST`, `INV`) and year; numbers are never reused."""

    __tablename__ = "number_sequences"

    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
