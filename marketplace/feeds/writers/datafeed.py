"""The datafeed: each product as e-Katalog's v5 vendor datafeed document (`informasi`, `spesifikasi`, `image`,
`harga`, `lampiran`, laid out by `columns.DATAFEED_SECTIONS`), and the feed file holding all of them.

The file is one JSON document, `{"total": N, "produk": [...]}`, streamed: products are written as they come, and
the count, known at the end, is written into room left for it after `"total":` (JSON allows the spaces).
`product_document` and `dumps` also make the pre-serialised documents of the datafeed snapshot (`DatafeedItem`).

Each product's JSON text is written straight from the record by functions compiled once from the sections (a
template per object, one encoder per value), which is several times faster than building dicts for `json.dumps`.
`product_document` returns a `DatafeedDocument`: a read-only mapping that carries that text (so `dumps` costs
nothing) and builds its dict only if someone reads it. The text is exactly `json.dumps` of that dict (compact,
UTF-8 kept), which the tests check.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

from marketplace.feeds.columns import DATAFEED_SECTIONS, Column, DatafeedSection, Kind
from marketplace.feeds.records import FeedRecord
from marketplace.feeds.writers.base import FileWriter
from marketplace.feeds.writers.values import scaled_number

#: The start of every datafeed file: the count is written over the spaces when the file is closed.
TOTAL_WIDTH = 20
HEAD = b'{"total":' + b" " * TOTAL_WIDTH + b',"produk":['
TAIL = b"]}"
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def dumps(document: Mapping) -> str:
    """The compact JSON text of a document (UTF-8 characters kept, no spaces)."""
    if isinstance(document, DatafeedDocument):
        return document.text
    return _JSON.encode(document)


def _getter(columns: tuple[Column, ...]) -> Callable[[Any], tuple]:
    get = attrgetter(*(column.attr for column in columns))
    return get if len(columns) > 1 else (lambda value: (get(value),))


def _object_maker(columns: tuple[Column, ...]) -> Callable[[Any], dict]:
    """value → {key: JSON value} for these columns: decimals as numbers, dates as `YYYY-MM-DD`."""
    keys = tuple(column.key for column in columns)
    get = _getter(columns)
    decimals = tuple((column.key, column.scale) for column in columns if column.kind == Kind.DECIMAL)
    dates = tuple(column.key for column in columns if column.kind == Kind.DATE)
    if not decimals and not dates:
        return lambda value: dict(zip(keys, get(value), strict=True))

    def make(value: Any) -> dict:
        document = dict(zip(keys, get(value), strict=True))
        for key, scale in decimals:
            document[key] = scaled_number(document[key], scale)
        for key in dates:
            day = document[key]
            document[key] = day.isoformat() if day is not None else None
        return document

    return make


def _section_maker(section: DatafeedSection) -> Callable[[FeedRecord], dict]:
    items = attrgetter(section.items) if section.items else None
    main = _object_maker(section.columns) if section.columns else None
    element = _object_maker(section.item_columns) if section.item_columns else None
    list_key = section.list_key

    def make(record: FeedRecord) -> dict:
        document = main(record) if main is not None else {}
        if items is not None:
            values = items(record)
            document[list_key] = [element(value) for value in values] if element is not None else list(values)
        return document

    return make


_SECTIONS = tuple((section.key, _section_maker(section)) for section in DATAFEED_SECTIONS)


def document_dict(record: FeedRecord) -> dict:
    """The record as e-Katalog's datafeed product object, as plain dicts and lists."""
    return {key: make(record) for key, make in _SECTIONS}


# The same, straight to JSON text ------------------------------------------------------------------------------------

_string = json.encoder.encode_basestring  # the C function json.dumps(ensure_ascii=False) uses


def _text_value(value: Any) -> str:
    return "null" if value is None else _string(value)


def _number_value(value: Any) -> str:
    return "null" if value is None else int.__repr__(value)


def _encoder(kind: Kind, scale: int = 1) -> Callable[[Any], str]:
    """value → its JSON text, for a kind (as `document_dict` + `json.dumps` would write it)."""
    if kind in (Kind.INTEGER, Kind.FLAG):
        return _number_value
    if kind == Kind.DECIMAL:
        return lambda value: "null" if value is None else repr(scaled_number(value, scale))
    if kind == Kind.DATE:
        return lambda value: "null" if value is None else f'"{value.isoformat()}"'
    return _text_value


def _encoders(columns: tuple[Column, ...]) -> tuple[Callable[[Any], str], ...]:
    return tuple(_encoder(column.kind, column.scale) for column in columns)


def _template(columns: tuple[Column, ...], tail: str = "") -> str:
    """`{"key":%s,…}` for the columns, with `tail` before the closing brace (keys are plain names, no `%`)."""
    if any("%" in column.key for column in columns):
        raise ValueError("a datafeed key cannot hold %")
    return "{" + ",".join(f"{_string(column.key)}:%s" for column in columns) + tail + "}"


def _object_writer(columns: tuple[Column, ...]) -> Callable[[Any], str]:
    """value → the JSON text of the object of these columns."""
    get = _getter(columns)
    encoders = _encoders(columns)
    template = _template(columns)
    return lambda value: template % tuple([encode(item) for encode, item in zip(encoders, get(value), strict=True)])


def _section_writer(section: DatafeedSection) -> Callable[[FeedRecord], str]:
    items = attrgetter(section.items) if section.items else None
    element = _object_writer(section.item_columns) if section.item_columns else _encoder(section.item_kind)
    list_tail = f"{_string(section.list_key)}:[%s]" if section.list_key else ""
    if not section.columns:
        template = "{" + list_tail + "}"
        return lambda record: template % ",".join(map(element, items(record)))
    get = _getter(section.columns)
    encoders = _encoders(section.columns)
    template = _template(section.columns, ("," + list_tail) if list_tail else "")

    def write(record: FeedRecord) -> str:
        values = [encode(item) for encode, item in zip(encoders, get(record), strict=True)]
        if items is not None:
            values.append(",".join(map(element, items(record))))
        return template % tuple(values)

    return write


_SECTION_WRITERS = tuple(_section_writer(section) for section in DATAFEED_SECTIONS)
_DOCUMENT = "{" + ",".join(f"{_string(section.key)}:%s" for section in DATAFEED_SECTIONS) + "}"


def document_text(record: FeedRecord) -> str:
    """The JSON text of the record's datafeed product object."""
    return _DOCUMENT % tuple([write(record) for write in _SECTION_WRITERS])


class DatafeedDocument(Mapping):
    """A product's datafeed object: its JSON `text` at once, its dict (`document_dict`) when first read."""

    __slots__ = ("_dict", "record", "text")

    def __init__(self, record: FeedRecord) -> None:
        self.record = record
        self.text = document_text(record)
        self._dict: dict | None = None

    def _data(self) -> dict:
        if self._dict is None:
            self._dict = document_dict(self.record)
        return self._dict

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(DATAFEED_SECTIONS)

    def __repr__(self) -> str:
        return f"DatafeedDocument({self.text})"


def product_document(record: FeedRecord) -> DatafeedDocument:
    """The record as e-Katalog's datafeed product object (a mapping; `dumps` gives its JSON text)."""
    return DatafeedDocument(record)


class DatafeedWriter(FileWriter):
    """Streams documents into the datafeed file at `path`."""

    def __init__(self, path: Path, *, base_name: str = "", created: datetime | None = None) -> None:
        self.path = Path(path)
        self.file = self.path.open("wb", buffering=1024 * 1024)
        self.file.write(HEAD)
        self.count = 0

    def write(self, record: FeedRecord, document: Mapping | None = None) -> None:
        """Add a product (its document may be given when the caller made it already)."""
        text = (document_text(record) if document is None else dumps(document)).encode("utf-8")
        self.file.write(b"," + text if self.count else text)
        self.count += 1

    def close(self) -> None:
        """Write the end and the count, flush and fsync; the caller renames the file."""
        self.file.write(TAIL)
        self.file.seek(len(b'{"total":'))
        self.file.write(str(self.count).ljust(TOTAL_WIDTH).encode("ascii"))
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()

    def abort(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)
