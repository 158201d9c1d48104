"""Feed writers, one per shape, with one protocol: `write(record)` for each product in feed order, then `close()`
(flushed and fsynced; the caller renames the file into place) or `abort()` (no file is left). Each is a context
manager that closes on success and aborts on an exception.

- `csv_zip.CsvZipWriter`: the three sheets as CSV files in a zip;
- `xlsx.XlsxWriter`: the three sheets in one workbook (constant memory);
- `datafeed.DatafeedWriter`: `{"total": N, "produk": [...]}` with each product's datafeed document;
- `report.ReportWriter`: the validation report CSV.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

from marketplace.feeds.records import FeedRecord
from marketplace.feeds.states import FeedShape
from marketplace.feeds.writers.csv_zip import CsvZipWriter
from marketplace.feeds.writers.datafeed import DatafeedWriter
from marketplace.feeds.writers.report import ReportWriter
from marketplace.feeds.writers.xlsx import TooManyRows, XlsxWriter


class FeedWriter(Protocol):
    def write(self, record: FeedRecord) -> None: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...
    def __enter__(self) -> FeedWriter: ...
    def __exit__(self, exc_type, exc, traceback) -> None: ...


WRITERS = {FeedShape.CSV: CsvZipWriter, FeedShape.XLSX: XlsxWriter, FeedShape.DATAFEED: DatafeedWriter}


def open_writer(shape: FeedShape | str, path: Path, *, base_name: str, created: datetime | None = None) -> FeedWriter:
    """A writer of the shape's file at `path`; `base_name` names the CSV files inside the zip
    (`{base_name}_produk.csv`, …), e.g. `kkmp-gununggedangan_csv_full_20261128T010000Z`. `created` (the feed's
    snapshot time) is stamped in zip and workbook metadata, so building a feed again gives the same bytes."""
    return WRITERS[FeedShape(shape)](Path(path), base_name=base_name, created=created)


def open_report(path: Path) -> ReportWriter:
    """A writer of the validation report CSV at `path`."""
    return ReportWriter(Path(path))


__all__ = ["FeedWriter", "ReportWriter", "TooManyRows", "open_report", "open_writer"]
