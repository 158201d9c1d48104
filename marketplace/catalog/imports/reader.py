"""Open an upload by its content (XLSX, a single CSV, or a ZIP of the sheets' CSVs) and stream its rows.

An XLSX or ZIP whose members add up to more than MAX_UNPACKED_BYTES once unpacked is refused before any member is
read (a small upload could otherwise expand to gigabytes); the number of rows is capped by the checks.

Row numbers are the ones a spreadsheet shows (the header is row 1); blank rows are skipped but keep their numbers
counted. XLSX is read with openpyxl in read-only mode and CSV record by record, so a large file is never held in
memory as a whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import posixpath
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, BinaryIO

import openpyxl
from flask_babel import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from marketplace.catalog.imports.sheet import PRODUK, SHEETS, Sheet, normalise_name, sheet_named

XLSX, CSV, ZIP = "xlsx", "csv", "zip"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected workbooks
CHUNK = 1024 * 1024
#: Largest total size of an XLSX's or ZIP's members once unpacked. A full upload (10,000 products with long
#: descriptions and the item sheets at their row limits) stays well below it. Python's zipfile never returns more
#: than a member's declared size, so checking the declared sizes is enough.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: A CSV that starts a cell with one of these was escaped with a leading `'` on export (see the spec).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ImportFileError(Exception):
    """The upload cannot be used as a whole; `message` says why, in the interface language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _not_a_spreadsheet() -> ImportFileError:
    return ImportFileError(
        _("This file is not a CSV or XLSX file. Fill in the template and save it as an Excel workbook (.xlsx) or CSV.")
    )


def sniff_format(stream: BinaryIO) -> str:
    """`xlsx`, `zip` (of CSVs) or `csv`, judged by the content; raises ImportFileError for anything else."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if not head:
        raise ImportFileError(_("The file is empty."))
    if head.startswith(b"PK"):
        return _zip_kind(stream)
    if head.startswith(OLE2_MAGIC):
        raise ImportFileError(
            _(
                "This is an old Excel file (.xls) or a workbook with a password. Save it as an Excel workbook "
                "(.xlsx) without a password and upload it again."
            )
        )
    if _is_utf8_text(stream):
        return CSV
    raise _not_a_spreadsheet()


def _is_utf8_text(stream: BinaryIO) -> bool:
    """Whether the whole stream decodes as UTF-8 text without NUL bytes; explains a non-UTF-8 CSV."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    looks_like_text = True
    try:
        while chunk := stream.read(CHUNK):
            looks_like_text = looks_like_text and b"\x00" not in chunk
            if not looks_like_text:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ImportFileError(
            _("This CSV file is not UTF-8 text. In Excel choose Save As › CSV UTF-8 (comma delimited), then upload it.")
        ) from None
    finally:
        stream.seek(0)
    return True


def _zip_kind(stream: BinaryIO) -> str:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise _not_a_spreadsheet() from None
    finally:
        stream.seek(0)
    if "xl/workbook.xml" in names:
        return XLSX
    if any(name.lower().endswith(".csv") for name in names):
        return ZIP  # which CSVs it holds is checked when it is opened
    raise _not_a_spreadsheet()


def check_unpacked_size(archive: zipfile.ZipFile) -> None:
    """Raise ImportFileError when the archive's members add up to more than MAX_UNPACKED_BYTES once unpacked."""
    size = sum(member.file_size for member in archive.infolist())
    if size > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _(
                "Unpacked, the file has %(size)s MB; at most %(limit)s MB is accepted. Split it into smaller files.",
                size=f"{size / 1024 / 1024:.1f}",
                limit=MAX_UNPACKED_BYTES // (1024 * 1024),
            )
        )


def _member_sheet(name: str) -> Sheet | None:
    """The sheet a ZIP member holds, from its name (`…_produk.csv`, `…_harga_wilayah.csv`, `…_spesifikasi.csv`)."""
    base = posixpath.basename(name).lower()
    if name.endswith("/") or name.lower().startswith("__macosx/") or base.startswith("._"):
        return None
    if not base.endswith(".csv"):
        return None
    stem = re.sub(r"[\s-]+", "_", base[:-4])
    return next((s for s in SHEETS if stem == s.csv_suffix or stem.endswith("_" + s.csv_suffix)), None)


def normalise_header(name: Any) -> str:
    """A header cell compared loosely: `Nama Produk` and `nama_produk` are the same column."""
    return re.sub(r"[\s-]+", "_", normalise_name(name))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@contextmanager
def _quiet() -> Iterator[None]:
    """openpyxl warns about workbook features it drops (data validation, extensions); reading is unaffected."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


class XlsxSource:
    """An XLSX workbook; its sheets are matched by name (`Produk`, `Harga Wilayah`, `Spesifikasi`)."""

    format = XLSX

    def __init__(self, stream: BinaryIO) -> None:
        try:
            with zipfile.ZipFile(stream) as archive:
                check_unpacked_size(archive)
            stream.seek(0)
            with _quiet():
                self.workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
            raise ImportFileError(_("The workbook cannot be read. Save it again in Excel as .xlsx.")) from None
        self.worksheets: dict[str, Any] = {}
        self.hints: dict[str, int | None] = {}
        for title in self.workbook.sheetnames:
            sheet = sheet_named(title)
            worksheet = self.workbook[title]
            if sheet is not None and sheet.name not in self.worksheets and hasattr(worksheet, "reset_dimensions"):
                self.worksheets[sheet.name] = worksheet
                self.hints[sheet.name] = worksheet.max_row
                worksheet.reset_dimensions()  # a wrong <dimension> would otherwise cut the rows short
        if PRODUK.name not in self.worksheets:
            found = ", ".join(self.workbook.sheetnames)
            self.close()
            raise ImportFileError(
                _("The workbook has no sheet named “%(name)s”. Its sheets: %(found)s.", name=PRODUK.name, found=found)
            )

    def has_sheet(self, sheet: Sheet) -> bool:
        return sheet.name in self.worksheets

    def header(self, sheet: Sheet) -> list[Any]:
        with _quiet():
            first = next(self.worksheets[sheet.name].iter_rows(min_row=1, max_row=1, values_only=True), ())
        return list(first)

    def records(self, sheet: Sheet) -> Iterator[tuple[int, list[Any]]]:
        rows = self.worksheets[sheet.name].iter_rows(min_row=2, values_only=True)
        for number in itertools.count(2):
            with _quiet():
                values = next(rows, None)
            if values is None:
                return
            yield number, [_cell_value(value) for value in values]

    def count_hint(self, sheet: Sheet) -> int | None:
        hint = self.hints.get(sheet.name)
        return max(hint - 1, 0) if hint else None

    def close(self) -> None:
        self.workbook.close()


def _cell_value(value: Any) -> Any:
    """XLSX cell values as the listing rules take them: whole floats as int, dates kept, the rest as text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, str | int | float | bool | datetime | date):
        return value
    return str(value)


class CsvSource:
    """CSV files: one for the Produk sheet, or one per sheet from a ZIP. UTF-8 with or without BOM; comma
    separated (a semicolon or tab header, as some Excel versions write, is recognised too)."""

    def __init__(self, openers: dict[str, Callable[[], BinaryIO]], file_format: str, close: Callable[[], None]) -> None:
        self.openers = openers
        self.format = file_format
        self._close = close

    def has_sheet(self, sheet: Sheet) -> bool:
        return sheet.name in self.openers

    def header(self, sheet: Sheet) -> list[Any]:
        records = self._records(sheet)
        try:
            return next(records, (1, []))[1]
        finally:
            records.close()

    def records(self, sheet: Sheet) -> Iterator[tuple[int, list[Any]]]:
        for number, values in self._records(sheet):
            if number > 1:
                yield number, [_csv_value(value) for value in values]

    def count_hint(self, sheet: Sheet) -> int | None:
        return sum(1 for number, values in self._records(sheet) if number > 1 and not all(map(_blank, values)))

    def _records(self, sheet: Sheet) -> Iterator[tuple[int, list[str]]]:
        binary = self.openers[sheet.name]()
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        try:
            first = text.readline()
            reader = csv.reader(itertools.chain([first], text), delimiter=_delimiter(first))
            yield from enumerate(reader, start=1)
        except (UnicodeDecodeError, csv.Error) as error:
            raise ImportFileError(_("The CSV file cannot be read: %(error)s", error=str(error)[:200])) from None
        finally:
            if self.format == CSV:
                text.detach()  # the upload's own stream stays open for the next pass
            else:
                text.close()

    def close(self) -> None:
        self._close()


def _delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _csv_value(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _zip_source(stream: BinaryIO) -> CsvSource:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_a_spreadsheet() from None
    try:
        check_unpacked_size(archive)
    except ImportFileError:
        archive.close()
        raise
    members: dict[str, list[str]] = {}
    for name in archive.namelist():
        sheet = _member_sheet(name)
        if sheet is not None:
            members.setdefault(sheet.name, []).append(name)
    for sheet_name, names in members.items():
        if len(names) > 1:
            archive.close()
            raise ImportFileError(
                _(
                    "The ZIP file holds more than one CSV for the sheet “%(sheet)s”: %(names)s.",
                    sheet=sheet_name,
                    names=", ".join(names),
                )
            )
    if PRODUK.name not in members:
        archive.close()
        raise ImportFileError(_("The ZIP file holds no product list: add a CSV whose name ends in _produk.csv."))

    def opener(member: str) -> Callable[[], BinaryIO]:
        return lambda: archive.open(member)

    return CsvSource({sheet: opener(names[0]) for sheet, names in members.items()}, ZIP, archive.close)


def _csv_source(stream: BinaryIO) -> CsvSource:
    def rewound() -> BinaryIO:
        stream.seek(0)
        return stream

    return CsvSource({PRODUK.name: rewound}, CSV, lambda: None)


@contextmanager
def open_source(stream: BinaryIO, file_format: str) -> Iterator[XlsxSource | CsvSource]:
    """The upload's sheets; raises ImportFileError when the file cannot be read in that format."""
    if file_format == XLSX:
        source: XlsxSource | CsvSource = XlsxSource(stream)
    elif file_format == ZIP:
        source = _zip_source(stream)
    else:
        source = _csv_source(stream)
    try:
        yield source
    finally:
        source.close()


def column_positions(source: XlsxSource | CsvSource, sheet: Sheet) -> dict[str, int]:
    """Where each column of `sheet` is in the upload; raises ImportFileError naming missing, unknown and repeated
    columns. Output-only columns are accepted (and ignored later)."""
    header = [normalise_header(value) for value in source.header(sheet)]
    known = set(sheet.names)
    missing = [name for name in sheet.required_names if name not in header]
    unknown = [name for name in header if name and name not in known]
    repeated = sorted(name for name, count in Counter(name for name in header if name).items() if count > 1)
    problems = []
    if missing:
        problems.append(_("Missing columns: %(names)s.", names=", ".join(missing)))
    if unknown:
        problems.append(_("Unknown columns: %(names)s.", names=", ".join(unknown)))
    if repeated:
        problems.append(_("Columns given twice: %(names)s.", names=", ".join(repeated)))
    if problems:
        intro = _("The columns of the sheet “%(sheet)s” do not match the template.", sheet=sheet.name)
        advice = _("Use the column names of the template in row 1.")
        raise ImportFileError(" ".join([intro, *problems, advice]))
    return {name: index for index, name in enumerate(header) if name}


def sheet_rows(
    source: XlsxSource | CsvSource, sheet: Sheet, positions: dict[str, int]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {column: value}) of every non-blank row, input columns only."""
    wanted = [(column.name, positions[column.name]) for column in sheet.input_columns if column.name in positions]
    for number, values in source.records(sheet):
        cells = {name: values[index] if index < len(values) else None for name, index in wanted}
        if not all(map(_blank, cells.values())):
            yield number, cells


def check_layout(source: XlsxSource | CsvSource) -> dict[str, dict[str, int]]:
    """The column positions of each sheet present; raises ImportFileError for wrong columns or no product row."""
    positions = {sheet.name: column_positions(source, sheet) for sheet in SHEETS if source.has_sheet(sheet)}
    rows = sheet_rows(source, PRODUK, positions[PRODUK.name])
    try:
        if next(rows, None) is None:
            raise ImportFileError(_("The sheet “%(sheet)s” has no product rows under its header.", sheet=PRODUK.name))
    finally:
        rows.close()
    return positions
