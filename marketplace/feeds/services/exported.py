"""Whether a delta's record was exported before, so that a validation error withdraws it instead of leaving it out.

A product that e-Katalog received in an earlier feed and that now fails validation (its `berlaku_sampai` passed,
say) must be taken down there: the delta writes it with `produk_aktif` 0 (`export.export_records`). A product
never exported before stays out. What e-Katalog holds is read from a datafeed snapshot (`DatafeedItem`, active or
already withdrawn items):
- a cooperative's own datafeed delta asks its base's snapshot, which its own snapshot continues;
- other deltas (CSV, XLSX, and the parts of a feed of every cooperative) ask the cooperative's latest datafeed
  snapshot taken no later than the delta's moment, the catalog e-Katalog last pulled. A cooperative that never
  had a datafeed has none: its failing products stay out, as before.

Lookups go through the build's side session (the main session's connection is streaming the records), one
indexed query per record with an error; the snapshot of each cooperative is found once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from marketplace.feeds.models import DatafeedItem, Feed
from marketplace.feeds.records import FeedRecord
from marketplace.feeds.states import FeedMode, FeedShape, FeedStatus


class ExportedBefore:
    """`was_exported` of `export_records` for one delta feed: whether the record's SKU is in the snapshot."""

    def __init__(self, session: Session, *, snapshot_at: datetime, base_snapshot_id: int | None = None) -> None:
        self.session = session
        self.snapshot_at = snapshot_at
        self.base_snapshot_id = base_snapshot_id
        self._snapshots: dict[int, int | None] = {}

    def __call__(self, record: FeedRecord) -> bool:
        """Whether the snapshot e-Katalog holds for the record's cooperative has the record's SKU."""
        feed_id = self.snapshot_id(record.cooperative_id)
        if feed_id is None:
            return False
        statement = select(exists().where(DatafeedItem.feed_id == feed_id, DatafeedItem.sku == record.sku))
        return bool(self.session.scalar(statement))

    def snapshot_id(self, cooperative_id: int) -> int | None:
        """The feed whose snapshot tells what e-Katalog holds of the cooperative (None: nothing)."""
        if self.base_snapshot_id is not None:
            return self.base_snapshot_id
        if cooperative_id not in self._snapshots:
            self._snapshots[cooperative_id] = self.session.scalar(
                select(Feed.id)
                .where(
                    Feed.cooperative_id == cooperative_id,
                    Feed.parent_id.is_(None),
                    Feed.shape == FeedShape.DATAFEED,
                    Feed.status == FeedStatus.SUCCEEDED,
                    Feed.snapshot_at <= self.snapshot_at,
                )
                .order_by(Feed.snapshot_at.desc(), Feed.id.desc())
                .limit(1)
            )
        return self._snapshots[cooperative_id]


def exported_before(session: Session, feed: Feed) -> ExportedBefore | None:
    """The `was_exported` lookup of a delta feed (None for a full feed: failing products are left out)."""
    if feed.mode != FeedMode.DELTA:
        return None
    if feed.shape == FeedShape.DATAFEED and feed.parent_id is None and feed.cooperative_id is not None:
        if feed.base_feed_id is None:
            return None  # no datafeed before this one: e-Katalog holds nothing from this cooperative
        return ExportedBefore(session, snapshot_at=feed.snapshot_at, base_snapshot_id=feed.base_feed_id)
    return ExportedBefore(session, snapshot_at=feed.snapshot_at)
