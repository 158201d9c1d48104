"""e-Katalog feeds: ask for one, follow its progress, download its file and validation report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from marketplace.api.schemas.catalog.listings import external_url
from marketplace.api.schemas.common import InModel, OutModel
from marketplace.feeds.models import Feed
from marketplace.feeds.states import FeedMode, FeedShape, FeedStatus, FeedTrigger


class FeedRequestIn(InModel):
    """What to build."""

    cooperative_id: int | None = Field(
        None,
        ge=1,
        description="The cooperative; a manager may leave it out (their own). Operators: null or left out builds "
        "one feed of all cooperatives (joined from per-cooperative parts).",
    )
    shape: FeedShape = Field(
        description="`datafeed` (JSON), `csv` (the three sheets as CSV files in a ZIP), `xlsx`, or `ocds`: the "
        "orders (not the products) as an OCDS 1.1 release package (JSON), full mode only"
    )
    mode: FeedMode = Field(
        FeedMode.FULL,
        description="`full`: every approved product; `delta`: what changed since the previous successful feed of the "
        "same cooperative and shape, withdrawn products included with `produk_aktif` 0",
    )


class FeedProgressOut(OutModel):
    """How far the build has come: products handled of those to go through."""

    processed_rows: int
    total_rows: int = Field(description="0 until the build has started and counted the products")
    percent: int = Field(ge=0, le=100)


class FeedOut(OutModel):
    """A feed: its status, progress and counts; once it succeeded, its file and report."""

    id: int
    cooperative_id: int | None = Field(description="null: a feed of all cooperatives")
    shape: FeedShape
    mode: FeedMode
    status: FeedStatus = Field(description="queued → running → succeeded | failed")
    trigger: FeedTrigger = Field(description="What asked for it: manual (a page), api, cli or schedule")
    progress: FeedProgressOut
    product_count: int = Field(description="Products written to the file (withdrawn ones included)")
    withdrawn_count: int = Field(description="Of which withdrawn (`produk_aktif` 0, delta feeds)")
    error_count: int = Field(description="Products left out because of validation errors (see the report)")
    warning_count: int = Field(description="Warnings listed in the report (the products are in the feed)")
    base_feed_id: int | None = Field(description="Delta feeds: the feed this one continues")
    changed_since: datetime | None = Field(description="Delta feeds: products changed after this moment")
    snapshot_at: datetime | None = Field(description="The catalog moment the feed reflects")
    filename: str | None
    byte_size: int | None
    sha256: str | None = Field(description="SHA-256 of the file, hexadecimal")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    failure: str | None = Field(description="Why it failed")
    status_url: str = Field(description="Poll this URL for progress")
    download_url: str | None = Field(description="The file, once the feed succeeded")
    report_url: str | None = Field(description="The validation report (CSV), once the feed succeeded")

    @classmethod
    def of(cls, feed: Feed, progress: dict[str, Any]) -> FeedOut:
        """From the feed's row and its progress (`feeds.services.queries.progress`)."""
        ready = feed.status == FeedStatus.SUCCEEDED and bool(feed.storage_key)
        skip = {"progress", "status_url", "download_url", "report_url"}
        return cls(
            **{name: getattr(feed, name) for name in cls.model_fields if name not in skip},
            progress=FeedProgressOut(
                processed_rows=progress["processed"], total_rows=progress["total"], percent=progress["percent"]
            ),
            status_url=external_url("api.get_feed", feed_id=feed.id),
            download_url=external_url("api.download_feed", feed_id=feed.id) if ready else None,
            report_url=external_url("api.download_feed_report", feed_id=feed.id) if ready else None,
        )
