"""Helpers of the feed page, API and command-line tests: feed rows in a given state, with stored files."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from marketplace.extensions import db
from marketplace.feeds.models import Feed
from marketplace.feeds.storage import feed_storage

REPORT_HEADER = ["no_produk_penyedia", "tingkat", "kolom", "pesan"]


def make_feed(cooperative_id: int | None, **values) -> Feed:
    """A feed row as a worker leaves it (queued unless `status` says otherwise), flushed."""
    values.setdefault("shape", "csv")
    values.setdefault("mode", "full")
    values.setdefault("status", "queued")
    feed = Feed(cooperative_id=cooperative_id, **values)
    db.session.add(feed)
    db.session.flush()
    return feed


def store(key: str, content: bytes) -> None:
    """Publish `content` under `key` in the feed storage."""
    storage = feed_storage()
    staging = storage.staging_path(key)
    staging.write_bytes(content)
    storage.publish(staging, key)


def report_csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    """A validation report as the writers make it: UTF-8 with BOM, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REPORT_HEADER)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def succeeded_feed(
    cooperative_id: int | None,
    *,
    content: bytes = b"PK\x05\x06" + b"\0" * 18,
    report: list[tuple[str, str, str, str]] = (),
    **values,
) -> Feed:
    """A succeeded feed whose file and report are in the feed storage."""
    feed = make_feed(cooperative_id, status="succeeded", **values)
    stem = f"uji_{feed.shape}_{feed.mode}_20261128T010000Z"
    extension = {"csv": "zip", "xlsx": "xlsx", "datafeed": "json"}[feed.shape]
    feed.filename = f"{stem}.{extension}"
    feed.storage_key = f"tests/{feed.id}/{feed.filename}"
    feed.report_key = f"tests/{feed.id}/{stem}_laporan.csv"
    feed.byte_size = len(content)
    feed.sha256 = "ab" * 32
    feed.snapshot_at = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    feed.started_at = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    feed.finished_at = datetime(2026, 11, 28, 1, 1, 15, tzinfo=UTC)
    feed.duration_ms = 75_000
    store(feed.storage_key, content)
    store(feed.report_key, report_csv(list(report)))
    db.session.flush()
    return feed
