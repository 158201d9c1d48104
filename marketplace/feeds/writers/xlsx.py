"""The sheet feed as one XLSX workbook (sheets `Produk`, `Harga Wilayah`, `Spesifikasi`), written by xlsxwriter in
constant-memory mode: rows go to disk as they come, whatever the number of products.

Codes (KBKI, NIB, NPWP, region codes) and all other text are string cells, so leading zeros stay and nothing
becomes a formula or a link; numbers are number cells; dates are `YYYY-MM-DD` text, as in the CSV. Empty values
leave the cell empty. Excel holds at most 1,048,576 rows per sheet: more raises `TooManyRows`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from marketplace.feeds.columns import SHEETS, Kind, Sheet
from marketplace.feeds.records import FeedRecord
from marketplace.feeds.writers import child
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


def _cell_rows(sheet: Sheet) -> Callable[[FeedRecord], list[tuple]]:
    """A function giving a record's rows of `sheet` as cell values: text as `str`, numbers as `int`/`float`, dates
    as ISO text, empty values as None."""
    rows = sheet.rows
    cells = tuple((col, _CELL_OF_KIND[column.kind], column.scale) for col, column in enumerate(sheet.columns))

    def cell_values(values: Sequence[Any]) -> tuple:
        converted = []
        for col, cell, scale in cells:
            value = values[col]
            if value is None or value == "":
                converted.append(None)
            elif cell == "d":
                converted.append(scaled_number(value, scale))
            elif cell == "t":
                converted.append(value.isoformat())
            else:
                converted.append(value)
        return tuple(converted)

    return lambda record: [cell_values(values) for values in rows(record)]


class _SheetRows:
    def __init__(self, workbook: xlsxwriter.Workbook, sheet: Sheet, bold) -> None:
        self.worksheet = workbook.add_worksheet(sheet.name)
        self.row = 1
        for col, key in enumerate(sheet.keys):
            self.worksheet.write_string(0, col, key, bold)
        self.worksheet.freeze_panes(1, 0)

    def write_values(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows of cell values: text as strings, numbers as numbers, None or "" for an empty cell."""
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

    def take(self, item: Sequence[list[tuple]]) -> None:
        """One record's rows of each sheet, as `XlsxWriter` makes them."""
        for sheet, rows in zip(self.sheets, item, strict=True):
            sheet.write_values(rows)

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


class XlsxWriter(FileWriter):
    """Writes records into the workbook at `path`.

    The workbook is written by a child process (`child`) where the platform can fork, so xlsxwriter's work runs
    beside the feed's reading and validation; `in_child=False` writes it in this process."""

    def __init__(
        self, path: Path, *, base_name: str = "", created: datetime | None = None, in_child: bool | None = None
    ) -> None:
        self.sheet_rows = [_cell_rows(sheet) for sheet in SHEETS]
        if in_child is None:
            in_child = child.can_fork()
        self.workbook: _Workbook | None = None
        self.child: child.ChildProcess | None = None
        if in_child:
            self.child = child.ChildProcess(lambda: _Workbook(path, created=created))
        else:
            self.workbook = _Workbook(path, created=created)

    def write(self, record: FeedRecord) -> None:
        item = [rows(record) for rows in self.sheet_rows]
        if self.child is not None:
            self.child.send(item)
        else:
            self.workbook.take(item)

    def close(self) -> None:
        """The workbook is complete, flushed and fsynced (raises what stopped the child, e.g. `TooManyRows`)."""
        if self.child is not None:
            self.child.finish()
        else:
            self.workbook.close()

    def abort(self) -> None:
        """No file is left."""
        if self.child is not None:
            self.child.abort()
        else:
            self.workbook.abort()


class XlsxRowWriter(_Workbook):
    """Writes rows read back from other feed workbooks (to join parts)."""

    def write_rows(self, sheet_name: str, rows: Iterable[Sequence[Any]]) -> None:
        next(sheet for sheet in self.sheets if sheet.worksheet.name == sheet_name).write_values(rows)
