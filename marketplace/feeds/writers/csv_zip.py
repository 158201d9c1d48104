"""The sheet feed as CSV: `{base}_produk.csv`, `{base}_harga_wilayah.csv`, `{base}_spesifikasi.csv` in a zip.

UTF-8 with BOM, comma separated, RFC 4180 quoting, CRLF line ends, header row first. Numbers are plain (`1500000`,
`40.25`), codes are text, and a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
leading `'` so that no spreadsheet runs it as a formula.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from marketplace.feeds.columns import SHEETS, Kind, Sheet
from marketplace.feeds.records import FeedRecord
from marketplace.feeds.writers.base import FileWriter
from marketplace.feeds.writers.values import FORMULA_STARTS, format_scaled
from marketplace.feeds.writers.zipfiles import DeflatedMember, write_zip

BOM = "\ufeff"
#: Characters of text buffered per sheet before they are encoded and deflated.
FLUSH_AT = 256 * 1024


def header_bytes(sheet: Sheet) -> bytes:
    """The BOM and the header line of a sheet's CSV file."""
    return (BOM + ",".join(sheet.keys) + "\r\n").encode("utf-8")


class _SheetFile:
    """One sheet: rows formatted and quoted into a text buffer, deflated into its member in chunks."""

    def __init__(self, sheet: Sheet, directory: Path, base_name: str) -> None:
        self.rows = sheet.rows
        self.member = DeflatedMember(sheet.filename(base_name), directory, header_bytes(sheet))
        self.buffer = io.StringIO()
        self.writerows = csv.writer(self.buffer, lineterminator="\r\n").writerows
        self.fix = _fixer(sheet)

    def write(self, record: FeedRecord) -> None:
        rows = self.rows(record)
        if rows:
            self.writerows(map(self.fix, rows) if self.fix else rows)
            if self.buffer.tell() >= FLUSH_AT:
                self.flush()

    def flush(self) -> None:
        text = self.buffer.getvalue()
        if text:
            self.member.write(text.encode("utf-8"))
            self.buffer.seek(0)
            self.buffer.truncate()


def _fixer(sheet: Sheet) -> Callable[[tuple], Any] | None:
    """A function that spells a row's decimals and escapes its text cells (None when nothing needs it).

    Integers, dates and None are left to the csv module (`str()` in C: `1500000`, `2026-12-31`, an empty cell).
    """
    texts = sheet.indexes(Kind.TEXT, Kind.CODE, Kind.URL, Kind.DATETIME)
    decimals = tuple((i, sheet.columns[i].scale) for i in sheet.indexes(Kind.DECIMAL))
    starts = FORMULA_STARTS

    def fix(row: tuple) -> tuple | list:
        for i in texts:
            value = row[i]
            if value and value[0] in starts:
                break
        else:
            if not decimals:
                return row
        cells = list(row)
        for i in texts:
            value = cells[i]
            if value and value[0] in starts:
                cells[i] = "'" + value
        for i, scale in decimals:
            cells[i] = format_scaled(cells[i], scale)
        return cells

    return fix if texts or decimals else None


class CsvZipWriter(FileWriter):
    """Writes records into the three CSV sheets and the zip at `path` (see module doc)."""

    def __init__(self, path: Path, *, base_name: str, created: datetime | None = None) -> None:
        self.path = Path(path)
        self.created = created
        self.sheets: list[_SheetFile] = []
        try:
            for sheet in SHEETS:
                self.sheets.append(_SheetFile(sheet, self.path.parent, base_name))
        except BaseException:
            self.abort()
            raise

    def write(self, record: FeedRecord) -> None:
        for sheet in self.sheets:
            sheet.write(record)

    def close(self) -> None:
        """Finish the sheets and write the zip (flushed and fsynced); the caller renames it."""
        try:
            members = []
            for sheet in self.sheets:
                sheet.flush()
                members.append(sheet.member.finish())
            with self.path.open("wb") as target:
                write_zip(target, members, moment=self.created)
                target.flush()
                os.fsync(target.fileno())
        finally:
            self._remove_parts()

    def abort(self) -> None:
        """Stop without a file: temporary parts and the partial zip are removed."""
        self._remove_parts()
        self.path.unlink(missing_ok=True)

    def _remove_parts(self) -> None:
        for sheet in self.sheets:
            sheet.member.discard()
