"""The validation report beside each feed: a CSV (UTF-8 with BOM) of `no_produk_penyedia, tingkat, kolom, pesan`,
one row per error (the product was left out, or in a delta written withdrawn when exported before) or warning
(the product is in the feed)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

from marketplace.catalog.quality import ERROR, Issue
from marketplace.feeds.columns import REPORT_COLUMNS
from marketplace.feeds.records import FeedRecord
from marketplace.feeds.writers.base import FileWriter
from marketplace.feeds.writers.values import safe_text

#: `tingkat` in the report (the report is for e-Katalog and Indonesian readers, whatever the interface language).
LEVEL_WORDS = {ERROR: "kesalahan", "warning": "peringatan"}
HEADER = ("\ufeff" + ",".join(column.key for column in REPORT_COLUMNS) + "\r\n").encode("utf-8")


class ReportWriter(FileWriter):
    """Writes report rows to the CSV at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.file = self.path.open("wb", buffering=256 * 1024)
        self.file.write(HEADER)
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")
        self.rows = 0

    def write(self, record: FeedRecord, issues: Iterable[Issue]) -> None:
        """Add a row per issue of the record."""
        sku = safe_text(record.sku)
        for issue in issues:
            self.writer.writerow((sku, LEVEL_WORDS.get(issue.level, issue.level), issue.column,
                                  safe_text(issue.message)))  # fmt: skip
            self.rows += 1
        if self.buffer.tell() > 64 * 1024:
            self._flush()

    def write_row(self, key: str, level: str, column: str, message: str) -> None:
        """Add one row about something that is not a product (an order of an OCDS feed: `key` is its number)."""
        self.writer.writerow((safe_text(key), LEVEL_WORDS.get(level, level), column, safe_text(message)))
        self.rows += 1

    def _flush(self) -> None:
        self.file.write(self.buffer.getvalue().encode("utf-8"))
        self.buffer.seek(0)
        self.buffer.truncate()

    def close(self) -> None:
        """Flush and fsync; the caller renames the file."""
        self._flush()
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()

    def abort(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)
