"""The lifecycle of a feed export and the names of its shapes, modes and triggers."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from marketplace.core.lifecycle import Lifecycle


class FeedStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class FeedShape(enum.StrEnum):
    #: Paged JSON pulled by e-Katalog at /lkpp/v1/… (the file is the whole snapshot as one JSON document).
    DATAFEED = "datafeed"
    #: The three sheets as CSV files in a zip.
    CSV = "csv"
    #: The three sheets in one workbook.
    XLSX = "xlsx"
    #: The cooperative's (or every cooperative's) orders as an OCDS 1.1 release package (JSON); full only.
    OCDS = "ocds"


class FeedMode(enum.StrEnum):
    FULL = "full"
    #: What changed since the previous successful feed of the same cooperative and shape.
    DELTA = "delta"


class FeedTrigger(enum.StrEnum):
    MANUAL = "manual"
    API = "api"
    CLI = "cli"
    SCHEDULE = "schedule"


STATUS_LABELS = {
    FeedStatus.QUEUED: _l("Queued"),
    FeedStatus.RUNNING: _l("Running"),
    FeedStatus.SUCCEEDED: _l("Succeeded"),
    FeedStatus.FAILED: _l("Failed"),
}

SHAPE_LABELS = {
    FeedShape.DATAFEED: _l("Datafeed (JSON)"),
    FeedShape.CSV: _l("CSV (zip)"),
    FeedShape.XLSX: _l("XLSX"),
    FeedShape.OCDS: _l("Orders as OCDS 1.1 (JSON)"),
}

MODE_LABELS = {FeedMode.FULL: _l("Full"), FeedMode.DELTA: _l("Changes (delta)")}

#: File extension of each shape's file.
EXTENSIONS = {FeedShape.DATAFEED: "json", FeedShape.CSV: "zip", FeedShape.XLSX: "xlsx", FeedShape.OCDS: "json"}
#: Shapes of the product catalog (the others export orders).
CATALOG_SHAPES = frozenset({FeedShape.DATAFEED, FeedShape.CSV, FeedShape.XLSX})

#: queued → running → succeeded | failed. A redelivered task may start a running feed again (`restart`), and a
#: failed feed may be retried by a person (`retry`). Audited as `feed.<action>`.
FEED = Lifecycle(
    "feed",
    {
        "start": ({FeedStatus.QUEUED}, FeedStatus.RUNNING),
        "restart": ({FeedStatus.RUNNING}, FeedStatus.RUNNING),
        "succeed": ({FeedStatus.RUNNING}, FeedStatus.SUCCEEDED),
        "fail": ({FeedStatus.QUEUED, FeedStatus.RUNNING}, FeedStatus.FAILED),
        "retry": ({FeedStatus.FAILED}, FeedStatus.QUEUED),
    },
)
