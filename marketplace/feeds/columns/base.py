"""The building blocks of the feed columns: kinds, columns, sheets and datafeed sections."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from flask_babel import lazy_gettext as _l


class Kind(enum.StrEnum):
    TEXT = "text"
    #: Text made of digits or a fixed pattern (KBKI, NIB, NPWP, region codes): never a number, leading zeros kept.
    CODE = "code"
    INTEGER = "integer"
    #: A scaled integer written with a dot and at most log10(scale) decimals (`40.25`).
    DECIMAL = "decimal"
    #: `YYYY-MM-DD`.
    DATE = "date"
    #: `YYYY-MM-DD HH:MM:SS` in Asia/Jakarta.
    DATETIME = "datetime"
    #: 0 or 1.
    FLAG = "flag"
    URL = "url"


#: Kinds written as text (in CSV with formula escaping, in XLSX as string cells).
TEXT_KINDS = frozenset({Kind.TEXT, Kind.CODE, Kind.URL, Kind.DATETIME})
KIND_LABELS = {
    Kind.TEXT: _l("text"),
    Kind.CODE: _l("code (text)"),
    Kind.INTEGER: _l("whole number"),
    Kind.DECIMAL: _l("decimal number"),
    Kind.DATE: _l("date YYYY-MM-DD"),
    Kind.DATETIME: _l("date and time YYYY-MM-DD HH:MM:SS (WIB)"),
    Kind.FLAG: _l("0 or 1"),
    Kind.URL: _l("URL"),
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column (or JSON key) of a feed."""

    key: str
    kind: Kind
    label: Any
    description: Any
    #: Attribute of the `FeedRecord` (or of the item, in item sheets and item lists) holding the value.
    attr: str
    #: For DECIMAL: the stored integer is the value × scale.
    scale: int = 1
    #: The value may be empty (null in JSON, an empty cell in the sheets).
    nullable: bool = False
    #: Longest text e-Katalog accepts, where the spec says so.
    max_length: int | None = None
    #: Item sheets: the value comes from the record, not from the item (the SKU).
    of_record: bool = False

    @property
    def kind_label(self) -> Any:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class Sheet:
    """A sheet of the CSV/XLSX feed: a worksheet in XLSX, `{base}_{file_suffix}.csv` in the zip."""

    name: str
    file_suffix: str
    description: Any
    columns: tuple[Column, ...]
    #: Item sheets: the `FeedRecord` attribute holding the list that gives one row per item.
    items: str | None = None
    rows: Callable[[Any], Iterable[tuple]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", _row_maker(self))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(column.key for column in self.columns)

    def indexes(self, *kinds: Kind) -> tuple[int, ...]:
        """Positions of the columns of these kinds."""
        return tuple(i for i, column in enumerate(self.columns) if column.kind in kinds)

    def filename(self, base_name: str) -> str:
        return f"{base_name}_{self.file_suffix}.csv"


def _row_maker(sheet: Sheet) -> Callable[[Any], Iterable[tuple]]:
    """A function record → rows (tuples of raw values in column order), built once with C-level getters."""
    if sheet.items is None:
        getter = attrgetter(*(column.attr for column in sheet.columns))
        return lambda record: (getter(record),)
    if not sheet.columns[0].of_record or any(column.of_record for column in sheet.columns[1:]):
        raise ValueError("item sheets start with the one column taken from the record")
    lead = attrgetter(sheet.columns[0].attr)
    item_getter = attrgetter(*(column.attr for column in sheet.columns[1:]))
    items = attrgetter(sheet.items)
    return lambda record: [(lead(record), *item_getter(item)) for item in items(record)]


def col(key: str, kind: Kind, label: Any, description: Any, attr: str, **options: Any) -> Column:
    """A column (the short form the definitions use)."""
    return Column(key, kind, label, description, attr, **options)


@dataclass(frozen=True)
class DatafeedSection:
    """A section of a product's datafeed document.

    `informasi` and `harga` are objects of their columns (`harga` also holds the list `wilayah`);
    `spesifikasi`, `image` and `lampiran` are `{"item": [...]}` lists: of objects of `item_columns` read from each
    element of `items`, or (`image`) of plain URLs.
    """

    key: str
    label: Any
    description: Any
    columns: tuple[Column, ...] = ()
    #: Lists: the `FeedRecord` attribute holding the elements.
    items: str | None = None
    #: The key of the list inside the section (`item`, or `wilayah` in `harga`).
    list_key: str | None = None
    #: Columns of each element of the list; empty for a list of plain values.
    item_columns: tuple[Column, ...] = ()
    #: A list of plain values: the element's kind.
    item_kind: Kind | None = None
