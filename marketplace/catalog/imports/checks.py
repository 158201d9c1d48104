"""Validate upload rows: each `Produk` row, with its `Harga Wilayah` and `Spesifikasi` rows (joined by SKU), becomes
the fields of `rules.clean_listing`; every problem is reported with its sheet, row number and column.

Besides the listing rules: the category is found by its names (kategori_1..3), a SKU may appear once in the file
(later rows repeating it are refused, naming the first) and must not be used in the cooperative already, and item
rows must belong to a product of the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.catalog.imports.reader import CsvSource, ImportFileError, XlsxSource, column_positions, sheet_rows
from marketplace.catalog.imports.sheet import ITEM_SHEETS, PRODUK, SHEETS, Sheet, error_column, normalise_name
from marketplace.catalog.models import Category, KbkiCode
from marketplace.catalog.rules import clean_listing
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db

#: Rows of one item sheet (`Harga Wilayah`, `Spesifikasi`) an upload may hold; they are kept in memory.
MAX_ITEM_ROWS = 200_000
MAX_MESSAGE_LENGTH = 300
SKU_COLUMN = "no_produk_penyedia"
CATEGORY_COLUMNS = ("kategori_1", "kategori_2", "kategori_3")
#: Columns read apart from the plain field mapping.
SPECIAL_FIELDS = frozenset({"sku", "category_id", "is_domestic"})
TRUE_WORDS = frozenset({"1", "lokal", "ya", "y", "yes", "true"})
FALSE_WORDS = frozenset({"0", "impor", "tidak", "n", "no", "false"})


@dataclass(frozen=True)
class RowError:
    """One problem in one cell."""

    sheet: Sheet
    row_number: int
    column: str
    message: str

    def as_row(self) -> dict[str, Any]:
        """Values of a ProductImportError."""
        return {
            "row_number": self.row_number,
            "column": error_column(self.sheet, self.column),
            "message": self.message[:MAX_MESSAGE_LENGTH],
        }


@dataclass
class CheckedRow:
    """A `Produk` row after validation: the cleaned listing values when good, else its errors."""

    row_number: int
    sku: str | None
    values: dict[str, Any] | None
    errors: list[RowError]
    #: Every (sheet name, row number) the product was built from.
    source_rows: set[tuple[str, int]] = field(default_factory=set)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str | None:
    return None if _blank(value) else str(value).strip()


def _yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


class CategoryPaths:
    """Active level-3 categories by their path of names (compared loosely)."""

    def __init__(self) -> None:
        #: Held so that the listing rules' `session.get(Category, …)` finds them in the identity map.
        rows = self.categories = list(db.session.scalars(select(Category)))
        nodes = {row.id: row for row in rows}
        self.paths: dict[tuple[str, ...], int] = {}
        for row in rows:
            names: list[str] = []
            node, active = row, True
            while node is not None:
                names.insert(0, normalise_name(node.name))
                active = active and node.is_active
                node = nodes.get(node.parent_id)
            if active:
                self.paths.setdefault(tuple(names), row.id)

    def find(self, row_number: int, cells: dict[str, Any]) -> tuple[int | None, RowError | None]:
        """The category id, or the error of the first level that is missing or unknown."""
        names: list[str] = []
        for column in CATEGORY_COLUMNS:
            name = cells.get(column)
            if _blank(name):
                return None, RowError(PRODUK, row_number, column, _("This field is required."))
            names.append(normalise_name(name))
            if tuple(names) not in self.paths:
                message = _(
                    "Unknown category “%(name)s” at this level. Use the names of the category list.",
                    name=str(name).strip()[:80],
                )
                return None, RowError(PRODUK, row_number, column, message)
        return self.paths[tuple(names)], None


class RowChecker:
    """Validates the rows of one opened upload for one cooperative."""

    def __init__(self, source: XlsxSource | CsvSource, *, is_pkp: bool, today: date, taken_skus: set[str]) -> None:
        self.source = source
        self.is_pkp = is_pkp
        self.today = today
        self.taken_skus = taken_skus
        self.positions = {sheet.name: column_positions(source, sheet) for sheet in SHEETS if source.has_sheet(sheet)}
        self.categories = CategoryPaths()
        self.items: dict[str, dict[str, list[tuple[int, dict[str, Any]]]]] = {s.name: {} for s in ITEM_SHEETS}
        self.item_errors: list[RowError] = []
        self.first_row: dict[str, int] = {}
        #: KBKI codes seen, held so that the rules' `session.get(KbkiCode, …)` finds them in the identity map.
        self.kbki_codes: dict[str, KbkiCode | None] = {}
        self._load_items()

    def _load_items(self) -> None:
        for sheet in ITEM_SHEETS:
            if sheet.name not in self.positions:
                continue
            for count, (number, cells) in enumerate(sheet_rows(self.source, sheet, self.positions[sheet.name]), 1):
                if count > MAX_ITEM_ROWS:
                    raise ImportFileError(
                        _("The sheet “%(sheet)s” has more than %(n)s rows.", sheet=sheet.name, n=f"{MAX_ITEM_ROWS:,}")
                    )
                sku = _text(cells.get(SKU_COLUMN))
                if sku is None:
                    self.item_errors.append(RowError(sheet, number, SKU_COLUMN, _("This field is required.")))
                else:
                    self.items[sheet.name].setdefault(sku, []).append((number, cells))

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """The non-blank rows of the `Produk` sheet."""
        return sheet_rows(self.source, PRODUK, self.positions[PRODUK.name])

    def remember(self, row_number: int, cells: dict[str, Any]) -> None:
        """Note a row's SKU without checking it (rows already handled by an earlier run)."""
        sku = _text(cells.get(SKU_COLUMN))
        if sku is not None:
            self.first_row.setdefault(sku, row_number)

    def check(self, row_number: int, cells: dict[str, Any]) -> CheckedRow:
        """Validate one `Produk` row with its item rows."""
        sku = _text(cells.get(SKU_COLUMN))
        raw: dict[str, Any] = {
            column.field: cells.get(column.name)
            for column in PRODUK.input_columns
            if column.field not in SPECIAL_FIELDS
        }
        raw["sku"] = sku
        self._hold_kbki(raw.get("kbki"))
        raw["category_id"], category_error = self.categories.find(row_number, cells)
        domestic_column, extra_errors = self._domestic(row_number, cells, raw)
        checked = CheckedRow(row_number, sku, None, [], {(PRODUK.name, row_number)})
        first = self.first_row.get(sku) if sku else None
        item_rows = self._attach_items(raw, checked) if sku and first is None else {}
        if sku and first is None:
            self.first_row[sku] = row_number
        try:
            values = clean_listing(raw, is_pkp=self.is_pkp, today=self.today)
        except ValidationFailed as failure:
            values = None
            checked.errors += self._field_errors(failure.fields, row_number, item_rows, category_error, domestic_column)
        checked.errors += extra_errors
        if first is not None:
            message = _("This SKU is already in row %(row)s of this file.", row=first)
            checked.errors.append(RowError(PRODUK, row_number, SKU_COLUMN, message))
        elif sku in self.taken_skus:
            message = _("This SKU is already used in your cooperative.")
            checked.errors.append(RowError(PRODUK, row_number, SKU_COLUMN, message))
        checked.values = values if not checked.errors else None
        return checked

    def _hold_kbki(self, value: Any) -> None:
        code = _text(value)
        if code is not None and len(code) == 10 and code not in self.kbki_codes:
            self.kbki_codes[code] = db.session.get(KbkiCode, code)

    def _domestic(self, row_number: int, cells: dict[str, Any], raw: dict[str, Any]) -> tuple[str, list[RowError]]:
        """Made in Indonesia from `apakah_produk_lokal` (0/1) or `jenis_produk` (lokal/impor); they must agree."""
        kind, local = cells.get("jenis_produk"), cells.get("apakah_produk_lokal")
        if _blank(local):
            raw["is_domestic"] = kind
            return "jenis_produk", []
        raw["is_domestic"] = local
        if not _blank(kind) and None not in (_yes_no(kind), _yes_no(local)) and _yes_no(kind) != _yes_no(local):
            message = _("jenis_produk and apakah_produk_lokal disagree: fill in one of them, or make them match.")
            return "apakah_produk_lokal", [RowError(PRODUK, row_number, "jenis_produk", message)]
        return "apakah_produk_lokal", []

    def _attach_items(self, raw: dict[str, Any], checked: CheckedRow) -> dict[str, list[int]]:
        """Put the product's item rows into `raw` (as lists of items); return their row numbers by list field."""
        item_rows: dict[str, list[int]] = {}
        for sheet in ITEM_SHEETS:
            rows = self.items[sheet.name].get(checked.sku or "", [])
            columns = [column for column in sheet.input_columns if column.field != "sku"]
            raw[sheet.list_field] = [{column.field: cells.get(column.name) for column in columns} for _, cells in rows]
            item_rows[sheet.list_field] = [number for number, _ in rows]
            checked.source_rows |= {(sheet.name, number) for number, _ in rows}
        return item_rows

    def _field_errors(
        self,
        fields: dict[str, str],
        row_number: int,
        item_rows: dict[str, list[int]],
        category_error: RowError | None,
        domestic_column: str,
    ) -> list[RowError]:
        """The listing rules' field paths (`price`, `regional_prices.2.price`) as sheet cells."""
        item_sheets = {sheet.list_field: sheet for sheet in ITEM_SHEETS}
        errors: list[RowError] = []
        for path, message in fields.items():
            head, _dot, rest = path.partition(".")
            sheet = item_sheets.get(head)
            if sheet is not None and rest:
                index, _dot, key = rest.partition(".")
                number = item_rows[head][int(index)]
                errors.append(RowError(sheet, number, sheet.column_for(key) or SKU_COLUMN, message))
            elif sheet is not None:
                errors.append(RowError(PRODUK, row_number, sheet.name, message))
            elif head == "category_id":
                errors.append(category_error or RowError(PRODUK, row_number, CATEGORY_COLUMNS[-1], message))
            elif head == "is_domestic":
                errors.append(RowError(PRODUK, row_number, domestic_column, message))
            else:
                errors.append(RowError(PRODUK, row_number, PRODUK.column_for(head) or head, message))
        return errors

    def orphan_errors(self) -> list[RowError]:
        """Item rows without a SKU, or whose SKU is not in the `Produk` sheet (call after every row is checked)."""
        errors = list(self.item_errors)
        message = _("No product with this SKU in the sheet “%(sheet)s”.", sheet=PRODUK.name)
        for sheet in ITEM_SHEETS:
            for sku, rows in self.items[sheet.name].items():
                if sku not in self.first_row:
                    errors += [RowError(sheet, number, SKU_COLUMN, message) for number, _ in rows]
        order = {sheet.name: index for index, sheet in enumerate(ITEM_SHEETS)}
        return sorted(errors, key=lambda error: (order[error.sheet.name], error.row_number))
