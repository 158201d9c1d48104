"""A feed's file and validation report as HTTP downloads (streamed from the feed storage), and the report read back
as rows for the report page. Shared by the pages and the API; callers check who may see the feed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask import Response
from flask_babel import gettext as _

from marketplace.core.errors import Conflict, NotFound
from marketplace.core.pagination import Page
from marketplace.feeds.models import Feed
from marketplace.feeds.states import FeedShape, FeedStatus
from marketplace.feeds.storage import feed_storage

#: Bytes read from the storage at a time.
CHUNK_SIZE = 256 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {
    FeedShape.DATAFEED: "application/json",
    FeedShape.CSV: "application/zip",
    FeedShape.XLSX: XLSX_TYPE,
    FeedShape.OCDS: "application/json",
}
REPORT_TYPE = "text/csv; charset=utf-8"
#: Columns of the report CSV, in order (see the spec's "Validation").
REPORT_HEADER = ("no_produk_penyedia", "tingkat", "kolom", "pesan")


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One problem of the validation report."""

    sku: str
    level: str
    column: str
    message: str


def has_files(feed: Feed) -> bool:
    """Whether the feed's file and report can be downloaded (it succeeded and they are stored)."""
    return feed.status == FeedStatus.SUCCEEDED and bool(feed.storage_key)


def report_filename(feed: Feed) -> str:
    """`kkmp-x_csv_full_20261128T010000Z.zip` → `kkmp-x_csv_full_20261128T010000Z_laporan.csv`."""
    stem = PurePosixPath(feed.filename or f"feed-{feed.id}").stem
    return f"{stem}_laporan.csv"


def _require_files(feed: Feed, key: str | None) -> str:
    if feed.status != FeedStatus.SUCCEEDED or not key:
        raise Conflict(_("This feed has no file yet: it can be downloaded once it has succeeded."))
    return key


def feed_file_response(feed: Feed) -> Response:
    """The feed's file as a streamed attachment (409 until the feed has succeeded)."""
    key = _require_files(feed, feed.storage_key)
    size = feed.byte_size
    return _attachment(key, MIMETYPES.get(feed.shape, "application/octet-stream"), feed.filename or key, size)


def report_response(feed: Feed) -> Response:
    """The feed's validation report (CSV) as a streamed attachment (409 until the feed has succeeded)."""
    key = _require_files(feed, feed.report_key)
    return _attachment(key, REPORT_TYPE, report_filename(feed), None)


def _open(key: str) -> Iterator[bytes]:
    """The stored content of `key` in chunks; NotFound when it is gone (e.g. removed by the cleanup)."""
    try:
        return feed_storage().open_stream(key, CHUNK_SIZE)
    except FileNotFoundError as error:
        raise NotFound(_("The file of this feed is no longer stored.")) from error


def _attachment(key: str, mimetype: str, filename: str, size: int | None) -> Response:
    chunks = _open(key)
    response = Response(chunks, mimetype=mimetype, direct_passthrough=True)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    if size is not None:
        response.content_length = size
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


class _ChunkReader(io.RawIOBase):
    """A readable binary stream over an iterator of byte chunks (the storage's `open_stream`)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def iter_report(feed: Feed) -> Iterator[ReportRow]:
    """Every row of the feed's report, read from the storage as a stream (constant memory)."""
    key = _require_files(feed, feed.report_key)
    raw = io.BufferedReader(_ChunkReader(iter(_open(key))))
    with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            return
        positions = [_position(header, name, default) for default, name in enumerate(REPORT_HEADER)]
        for row in reader:
            if not row:
                continue
            values = [row[index] if index < len(row) else "" for index in positions]
            yield ReportRow(*values)


def _position(header: list[str], name: str, default: int) -> int:
    cleaned = [cell.strip().lower() for cell in header]
    return cleaned.index(name) if name in cleaned else default


def report_page(feed: Feed, *, page: int, per_page: int, level: str | None = None) -> tuple[Page, dict[str, int]]:
    """One page of the report's rows (of `level` only, when given) and the number of rows per level.

    The report is read through once per call, keeping only the page asked for, so a large report costs time but
    never memory.
    """
    start = (page - 1) * per_page
    items: list[ReportRow] = []
    counts: dict[str, int] = {}
    total = 0
    for row in iter_report(feed):
        counts[row.level] = counts.get(row.level, 0) + 1
        if level and row.level != level:
            continue
        if start <= total < start + per_page:
            items.append(row)
        total += 1
    return Page(items=items, total=total, page=page, per_page=per_page), counts
