"""The sheet feed as one XLSX workbook (sheets `Produk`, `Harga Wilayah`, `Spesifikasi`), written by xlsxwriter in
constant-memory mode: rows go to disk as they come, whatever the number of products.

Codes (KBKI, NIB, NPWP, region codes) and all other text are string cells, so leading zeros stay and nothing
becomes a formula or a link; numbers are number cells; dates are `YYYY-MM-DD` text, as in the CSV. Empty values
leave the cell empty. Excel holds at most 1,048,576 rows per sheet: more raises `TooManyRows`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from marketplace.feeds.columns import SHEETS, Kind, Sheet
from marketplace.feeds.records import FeedRecord
from marketplace.feeds.writers.base import FileWriter
from marketplace.feeds.writers.values import scaled_number

#: Rows per sheet in Excel, the header included.
MAX_ROWS = 1_048_576
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    #: A workbook of a million products passes 4 GiB before compression.
    "use_zip64": True,
}


class TooManyRows(ValueError):
    """A sheet would pass Excel's row limit: the feed is too large for XLSX (use CSV)."""


#: How a kind is written: "s" string, "n" number, "d" scaled decimal, "t" date as text.
_CELL_OF_KIND = {
    Kind.TEXT: "s",
    Kind.CODE: "s",
    Kind.URL: "s",
    Kind.DATETIME: "s",
    Kind.INTEGER: "n",
    Kind.FLAG: "n",
    Kind.DECIMAL: "d",
    Kind.DATE: "t",
}


class _SheetRows:
    def __init__(self, workbook: xlsxwriter.Workbook, sheet: Sheet, bold) -> None:
        self.worksheet = workbook.add_worksheet(sheet.name)
        self.rows = sheet.rows
        self.row = 1
        for col, key in enumerate(sheet.keys):
            self.worksheet.write_string(0, col, key, bold)
        self.worksheet.freeze_panes(1, 0)
        self.cells = tuple((col, _CELL_OF_KIND[column.kind], column.scale) for col, column in enumerate(sheet.columns))

    def write(self, record: FeedRecord) -> None:
        worksheet, cells = self.worksheet, self.cells
        write_string, write_number = worksheet._write_string, worksheet._write_number
        for values in self.rows(record):
            row = self.row
            if row >= MAX_ROWS:
                raise TooManyRows(worksheet.name)
            for col, cell, scale in cells:
                value = values[col]
                if value is None or value == "":
                    continue
                if cell == "s":
                    write_string(row, col, value, None)
                elif cell == "n":
                    write_number(row, col, value, None)
                elif cell == "d":
                    write_number(row, col, scaled_number(value, scale), None)
                else:
                    write_string(row, col, value.isoformat(), None)
            self.row = row + 1

    def write_values(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows of cell values as read back from another feed workbook: text as strings, numbers as numbers."""
        worksheet = self.worksheet
        write_string, write_number = worksheet._write_string, worksheet._write_number
        for values in rows:
            row = self.row
            if row >= MAX_ROWS:
                raise TooManyRows(worksheet.name)
            for col, value in enumerate(values):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    write_string(row, col, value, None)
                else:
                    write_number(row, col, value, None)
            self.row = row + 1


class _Workbook(FileWriter):
    """A feed workbook at `path` with the three sheets and their headers."""

    def __init__(self, path: Path, *, created: datetime | None = None) -> None:
        self.path = Path(path)
        self.workbook = xlsxwriter.Workbook(str(self.path), WORKBOOK_OPTIONS)
        # A fixed creation time (the feed's snapshot) makes a rebuilt workbook byte-identical.
        self.workbook.set_properties({"created": created or datetime.now(UTC)})
        bold = self.workbook.add_format({"bold": True})
        self.sheets = [_SheetRows(self.workbook, sheet, bold) for sheet in SHEETS]

    def close(self) -> None:
        """Write the workbook, flush and fsync it; the caller renames it."""
        self.workbook.close()
        with self.path.open("rb+") as written:
            os.fsync(written.fileno())

    def abort(self) -> None:
        """Stop without a file: the sheets' temporary row files are removed too."""
        for sheet in self.sheets:
            handle = sheet.worksheet.row_data_fh
            if handle is not None and not handle.closed:
                handle.close()
            if sheet.worksheet.row_data_filename:
                Path(sheet.worksheet.row_data_filename).unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)


class XlsxWriter(_Workbook):
    """Writes records into the workbook at `path`."""

    def __init__(self, path: Path, *, base_name: str = "", created: datetime | None = None) -> None:
        super().__init__(path, created=created)

    def write(self, record: FeedRecord) -> None:
        for sheet in self.sheets:
            sheet.write(record)


class XlsxRowWriter(_Workbook):
    """Writes rows read back from other feed workbooks (to join parts)."""

    def write_rows(self, sheet_name: str, rows: Iterable[Sequence[Any]]) -> None:
        next(sheet for sheet in self.sheets if sheet.worksheet.name == sheet_name).write_values(rows)
