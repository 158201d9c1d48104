"""The datafeed snapshot of a cooperative (`DatafeedItem`): what `/lkpp/v1/…` serves once the feed succeeded.

A full datafeed stores every product it exported, at positions 1, 2, 3… in feed order (`feed_changed_at`, then
SKU: the spec's `order_by=updated_date`). A delta datafeed stores a complete snapshot too: the items of the feed it
continues (its base), without the products the delta went through, then the delta's products. Every product the
base holds was last changed before the delta's window and every product of the delta inside it, so this order is
again the updated order; positions are renumbered 1, 2, 3….

A product the delta went through with a validation error is, when the base holds it, written withdrawn and kept
as an inactive item (e-Katalog takes it down, see `exported`); otherwise it is left out and is not in the snapshot,
as a fresh full feed would leave it out. Rows are written through the run's side session, fenced by its token, in
batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from marketplace.feeds.models import DatafeedItem
from marketplace.feeds.records import FeedRecord
from marketplace.feeds.services.runs import Run, heartbeat

#: Delta items are written above this position while the base's items are copied below it, then moved down.
DELTA_OFFSET = 1_000_000_000
#: Base items copied per transaction.
COPY_PAGE = 2000
WIB_OFFSET = timedelta(hours=7)

_ITEMS = DatafeedItem.__table__


class SnapshotWriter:
    """Collects a datafeed build's products as snapshot rows and completes the snapshot at the end."""

    def __init__(self, *, feed_id: int, base_feed_id: int | None, is_delta: bool, today: date) -> None:
        self.feed_id = feed_id
        self.base_feed_id = base_feed_id if is_delta else None
        self.offset = DELTA_OFFSET if self.base_feed_id is not None else 0
        self.today = today
        self.count = 0
        self.pending: list[dict[str, Any]] = []
        #: SKUs the delta went through (exported or left out): they replace the base's items.
        self.seen: set[str] = set()

    def reset(self, session: Session) -> None:
        """Remove what an earlier run of the same feed left (a restarted build starts from scratch)."""
        session.execute(delete(DatafeedItem).where(DatafeedItem.feed_id == self.feed_id))

    def track(self, records: Iterable[FeedRecord]) -> Iterator[FeedRecord]:
        """Pass `records` through, remembering their SKUs when the snapshot is merged with a base."""
        if self.base_feed_id is None:
            yield from records
            return
        for record in records:
            self.seen.add(record.sku)
            yield record

    def add(self, record: FeedRecord, document: dict[str, Any]) -> None:
        """Keep one exported product (`export_records`' `on_item`)."""
        from marketplace.feeds.writers.datafeed import dumps

        self.count += 1
        self.pending.append(
            {
                "feed_id": self.feed_id,
                "position": self.offset + self.count,
                "sku": record.sku,
                "is_active": bool(record.is_active),
                "updated_on": _wib_date(record, self.today),
                "document": dumps(document),
            }
        )

    def flush(self, session: Session) -> None:
        """Insert the products kept since the last flush (in the caller's transaction)."""
        if self.pending:
            session.execute(insert(_ITEMS), self.pending)
            self.pending = []

    def complete(self, session: Session, run: Run) -> int:
        """Merge a delta's products with its base's items (committing per page); return the snapshot's size."""
        self.flush(session)
        session.commit()
        if self.base_feed_id is None:
            return self.count
        kept = self._copy_base(session, run)
        session.execute(
            update(DatafeedItem)
            .where(DatafeedItem.feed_id == self.feed_id, DatafeedItem.position > DELTA_OFFSET)
            .values(position=DatafeedItem.position - DELTA_OFFSET + kept)
            .execution_options(synchronize_session=False)
        )
        heartbeat(session, run)
        session.commit()
        return kept + self.count

    def _copy_base(self, session: Session, run: Run) -> int:
        """Copy the base's items the delta did not go through to positions 1…k, in their order; return k."""
        kept, after = 0, 0
        columns = (_ITEMS.c.position, _ITEMS.c.sku, _ITEMS.c.is_active, _ITEMS.c.updated_on, _ITEMS.c.document)
        while True:
            rows = session.execute(
                select(*columns)
                .where(_ITEMS.c.feed_id == self.base_feed_id, _ITEMS.c.position > after)
                .order_by(_ITEMS.c.position)
                .limit(COPY_PAGE)
            ).all()
            if not rows:
                return kept
            after = rows[-1].position
            batch = []
            for _position, sku, is_active, updated_on, document in rows:
                if sku in self.seen:
                    continue
                kept += 1
                batch.append(
                    {
                        "feed_id": self.feed_id,
                        "position": kept,
                        "sku": sku,
                        "is_active": is_active,
                        "updated_on": updated_on,
                        "document": document,
                    }
                )
            if batch:
                session.execute(insert(_ITEMS), batch)
            heartbeat(session, run)
            session.commit()


def _wib_date(record: FeedRecord, default: date) -> date:
    """`tanggal_update` as a WIB date (for `updated_produk?start_date=&end_date=`)."""
    moment = record.updated_at
    return default if moment is None else (moment + WIB_OFFSET).date()
