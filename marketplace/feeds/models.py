"""Feed exports and the datafeed snapshot that e-Katalog pulls.

A `Feed` is one export: a row with its lifecycle (`states.FEED`), counts, progress and, once it succeeded, the file
and its validation report in the feed storage. A feed for all cooperatives (`cooperative_id` NULL) is joined from
per-cooperative part feeds (`parent_id`) that workers build in parallel.

A successful per-cooperative datafeed also leaves a complete snapshot of the cooperative's published products
(`DatafeedItem`, one JSON document per product, active and withdrawn) so `/lkpp/v1/…` serves a page with one
indexed read and a pull sees one consistent catalog while managers approve new changes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import TimestampMixin
from marketplace.extensions import db


class Feed(TimestampMixin, db.Model):
    """One export of the approved catalog in one shape and mode; see `feeds.states`."""

    __tablename__ = "feeds"
    __table_args__ = (
        Index("ix_feeds_cooperative_shape_status", "cooperative_id", "shape", "status", "id"),
        CheckConstraint("shape IN ('datafeed', 'csv', 'xlsx', 'ocds')", name="shape"),
        CheckConstraint("mode IN ('full', 'delta')", name="mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: NULL: every cooperative at once (operator), joined from part feeds.
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    #: Set on the per-cooperative parts of an all-cooperatives feed; parts are not shown as feeds of their own.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    #: datafeed, csv, xlsx (the catalog) or ocds (the orders) (`FeedShape`).
    shape: Mapped[str] = mapped_column(String(20))
    #: full or delta (`FeedMode`).
    mode: Mapped[str] = mapped_column(String(10))
    #: queued, running, succeeded, failed (`FeedStatus`).
    status: Mapped[str] = mapped_column(String(20), default="queued", server_default="queued", index=True)
    #: manual, api, cli or schedule (`FeedTrigger`).
    trigger: Mapped[str] = mapped_column(String(20), default="manual", server_default="manual")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    #: Delta feeds: the successful feed of the same cooperative and shape this one continues (NULL: none yet, so
    #: the delta holds everything).
    base_feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id"))
    #: Delta feeds: products whose `feed_changed_at` is after this moment are included.
    changed_since: Mapped[datetime | None]
    #: The catalog moment the feed reflects (changes up to it); the next delta starts from here.
    snapshot_at: Mapped[datetime | None]

    #: Products to go through (set when the run starts) and done so far: the progress bar.
    total_rows: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    processed_rows: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Products written to the file (active and, in deltas, withdrawn ones).
    product_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Of which withdrawn (`produk_aktif` 0).
    withdrawn_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Products with validation errors (left out, or in a delta withdrawn when exported before), and warnings
    #: listed in the report.
    error_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    warning_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    #: File name shown and offered for download, e.g. `kkmp-gununggedangan_csv_full_20261128T010000Z.zip`.
    filename: Mapped[str | None] = mapped_column(String(200))
    #: Keys in the feed storage of the file and of its validation report (CSV), once the feed succeeded.
    storage_key: Mapped[str | None] = mapped_column(String(300))
    report_key: Mapped[str | None] = mapped_column(String(300))
    byte_size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))

    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    #: How many times a worker started it (a redelivered or retried task starts it again).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Why it failed, for the people who run it (not shown to e-Katalog).
    failure: Mapped[str | None] = mapped_column(Text)

    cooperative = relationship("Cooperative")
    requested_by = relationship("User")
    parent: Mapped[Feed | None] = relationship(remote_side=[id], foreign_keys=[parent_id], back_populates="parts")
    parts: Mapped[list[Feed]] = relationship(foreign_keys=[parent_id], back_populates="parent")
    base_feed: Mapped[Feed | None] = relationship(remote_side=[id], foreign_keys=[base_feed_id])


class DatafeedItem(db.Model):
    """One product of a cooperative's datafeed snapshot, as e-Katalog receives it."""

    __tablename__ = "datafeed_items"
    __table_args__ = (
        Index("ix_datafeed_items_feed_active_position", "feed_id", "is_active", "position"),
        Index("ix_datafeed_items_feed_updated_on", "feed_id", "updated_on", "position"),
        Index("ix_datafeed_items_feed_sku", "feed_id", "sku"),
    )

    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True)
    #: 1, 2, 3… in `order_by=updated_date` ascending order (then SKU), so pages are ranges.
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: `no_produk_penyedia`.
    sku: Mapped[str] = mapped_column(String(50))
    #: `produk_aktif`: False for withdrawn products (served by `updated_produk` and `produk` only).
    is_active: Mapped[bool] = mapped_column(Boolean)
    #: `tanggal_update` as a WIB date, for `updated_produk?start_date=&end_date=`.
    updated_on: Mapped[date] = mapped_column(Date)
    #: The product's JSON object (`informasi`, `spesifikasi`, `image`, `harga`, `lampiran`), serialised once.
    document: Mapped[str] = mapped_column(Text)
