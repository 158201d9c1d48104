"""The SQL of a catalog search: matches, filters, sort order, the count and one page of card rows.

Search pages are the busiest pages of the marketplace, so the SQL is built once per *shape* (which filters are used,
the sort order, the database) with named parameters, compiled once, and then executed with the values of each
search straight through the driver: building and compiling SQLAlchemy statements on every request cost more
Python time than the rest of the search.

A page is one read of `catalog_entries`: it holds everything a card shows, its regional prices included (as JSON, so
that pricing every match for a delivery region needs no join). On PostgreSQL words match the stored `search_vector`
through its GIN index and relevance is `ts_rank` of that vector (name A, brand B, the rest D); on SQLite they match
the FTS5 table and relevance is `bm25`. A text search reads every match anyway (to rank or sort them), so on
PostgreSQL the same statement also counts them (`count(*) OVER ()`) instead of a second query.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    column,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.engine import Dialect

from marketplace.catalog.models import CatalogEntry, Category
from marketplace.catalog.search.terms import QueryWord, fts5_query_text, tsquery_text
from marketplace.extensions import db

FTS = table("catalog_fts", column("rowid"))
FTS_NAME = literal_column("catalog_fts")
#: PostgreSQL only, outside the ORM (see `CatalogEntry`).
SEARCH_VECTOR = literal_column("catalog_entries.search_vector")
#: What a result card shows of the entry (not `search_text`, the longest column), in `EntryCard` order.
CARD_FIELDS = (
    "product_id", "revision_id", "cooperative_id", "seller_id", "category_id", "name", "brand", "price",
    "price_with_ppn", "national_price", "is_domestic", "tkdn_x100", "tkdn_bmp_x100", "skala_usaha",
    "seller_regency_code", "stock", "main_image_id", "published_at", "cooperative_name", "seller_name", "unit_name",
    "ppn_percent", "shipping_cost", "regional_prices",
)  # fmt: skip
_NATIONAL, _DOMESTIC, _PUBLISHED, _REGIONAL = (
    CARD_FIELDS.index(name) for name in ("national_price", "is_domestic", "published_at", "regional_prices")
)


@dataclass(frozen=True, slots=True)
class EntryCard:
    """The `catalog_entries` columns of one result card."""

    product_id: int
    revision_id: int
    cooperative_id: int
    seller_id: int
    category_id: int | None
    name: str
    brand: str | None
    price: int
    price_with_ppn: int
    national_price: bool
    is_domestic: bool
    tkdn_x100: int
    tkdn_bmp_x100: int
    skala_usaha: str
    seller_regency_code: str
    stock: int
    main_image_id: int | None
    published_at: datetime
    cooperative_name: str
    seller_name: str
    unit_name: str | None
    ppn_percent: int
    shipping_cost: int
    #: {region code: [price, shipping cost]}, or None.
    regional_prices: dict[str, list[int]] | None


@dataclass(frozen=True)
class Filters:
    """Checked search arguments (see `query.search_catalog`)."""

    words: list[QueryWord]
    category: Category | None
    category_id: int | None
    cooperative_id: int | None
    seller_regency: str | None
    #: Province code, then kab/kota code, of the delivery region.
    delivery: tuple[str, ...]
    price_min: int | None
    price_max: int | None
    domestic_only: bool
    tkdn_bmp_min_x100: int | None
    skala: tuple[str, ...]
    sort: str


@dataclass(frozen=True)
class Shape:
    """What the SQL of a search depends on, values aside."""

    #: Dialect name and parameter style (the compiled SQL depends on both).
    dialect: str
    paramstyle: str
    words: bool
    #: 0 no category filter, 1-3 the category's level, -1 an unknown category (nothing matches).
    category_level: int
    cooperative: bool
    #: "", "exact" (a kab/kota code) or "prefix" (a province code).
    regency: str
    #: How many delivery codes (0, 1 or 2).
    delivery: int
    price_min: bool
    price_max: bool
    domestic: bool
    tkdn: bool
    skala: int
    sort: str


class SearchStatement:
    """Runs the count and the page query of one search."""

    def __init__(self, filters: Filters, dialect: Dialect) -> None:
        self.filters = filters
        f = filters
        level = 0 if not f.category_id else (f.category.level if f.category is not None else -1)
        regency = "" if not f.seller_regency else ("exact" if "." in f.seller_regency else "prefix")
        self.shape = Shape(
            dialect.name, dialect.paramstyle, bool(f.words), level, bool(f.cooperative_id), regency, len(f.delivery),
            f.price_min is not None, f.price_max is not None, f.domestic_only, f.tkdn_bmp_min_x100 is not None,
            len(f.skala), f.sort,
        )  # fmt: skip
        self.params: dict[str, Any] = {
            "category": f.category_id,
            "cooperative": f.cooperative_id,
            "regency": f.seller_regency if regency == "exact" else f"{f.seller_regency}.%",
            "price_min": f.price_min,
            "price_max": f.price_max,
            "tkdn": f.tkdn_bmp_min_x100,
            **{f"delivery_{i}": code for i, code in enumerate(f.delivery)},
            **{f"delivery_path_{i}": f'$."{code}"[0]' for i, code in enumerate(f.delivery)},  # SQLite JSON path
            **{f"skala_{i}": value for i, value in enumerate(f.skala)},
        }
        if f.words:
            text = tsquery_text(f.words) if dialect.name == "postgresql" else fts5_query_text(f.words)
            self.params["words"] = text

    @property
    def counts_with_rows(self) -> bool:
        """True when `rows` also answers how many entries match (see `_Builder.counts_with_rows`)."""
        return _Builder(self.shape).counts_with_rows

    def count(self, limit: int | None = None) -> int:
        """How many entries match, or `limit` + 1 when more do (a cheap "more than `limit`")."""
        values = {**self.params, "count_limit": (limit or 0) + 1}
        return _execute(_count_sql(self.shape, limit is not None), values)[0][0]

    def rows(self, page: int, per_page: int) -> tuple[list[EntryCard], int | None]:
        """One page of card rows in order, and how many entries match when `counts_with_rows` and the page has
        rows (else None)."""
        values = {**self.params, "limit": per_page, "offset": (page - 1) * per_page}
        found = _execute(_rows_sql(self.shape), values)
        total = found[0][-1] if found and self.counts_with_rows else None
        return [self._card(row) for row in found], total

    def rows_of(self, product_ids: list[int]) -> list[EntryCard]:
        """The card rows of known products that are still in the catalog (any order)."""
        if not product_ids:
            return []
        values = {**self.params, **{f"id_{i}": pid for i, pid in enumerate(product_ids)}}
        return [self._card(row) for row in _execute(_rows_of_sql(self.shape, len(product_ids)), values)]

    def _card(self, row: tuple) -> EntryCard:
        values = list(row[: len(CARD_FIELDS)])
        values[_NATIONAL], values[_DOMESTIC] = bool(values[_NATIONAL]), bool(values[_DOMESTIC])  # SQLite: 0/1
        values[_PUBLISHED] = _utc(values[_PUBLISHED])
        if isinstance(values[_REGIONAL], str):  # SQLite answers JSON as text
            values[_REGIONAL] = json.loads(values[_REGIONAL])
        return EntryCard(*values)


def _utc(value: datetime | str) -> datetime:
    """A timestamp as an aware UTC datetime (SQLite answers the stored text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Building and compiling, once per shape ------------------------------------------------------------------------


def _execute(compiled: tuple[str, tuple[str, ...] | None, dict[str, Any]], values: dict[str, Any]) -> list[tuple]:
    sql, positions, defaults = compiled
    merged = {**defaults, **{key: value for key, value in values.items() if key in defaults}}
    parameters: Any = tuple(merged[name] for name in positions) if positions is not None else merged
    # Straight to the driver's cursor, in the session's transaction: plain tuples, no result objects.
    cursor = db.session.connection().connection.driver_connection.cursor()
    try:
        cursor.execute(sql, parameters)
        return cursor.fetchall()
    finally:
        cursor.close()


def _compile(statement: Select, dialect: Dialect) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
    compiled = statement.compile(dialect=dialect)
    positions = tuple(compiled.positiontup) if compiled.positional else None
    return compiled.string, positions, dict(compiled.params)


def _dialect(shape: Shape) -> Dialect:
    dialect = db.session.get_bind().dialect
    assert (dialect.name, dialect.paramstyle) == (shape.dialect, shape.paramstyle)
    return dialect


@lru_cache(maxsize=512)
def _count_sql(shape: Shape, limited: bool) -> tuple:
    builder = _Builder(shape)
    if not limited:
        return _compile(builder.matching(select(func.count())), _dialect(shape))
    matches = builder.matching(select(literal_column("1"))).limit(bindparam("count_limit", type_=Integer()))
    return _compile(select(func.count()).select_from(matches.subquery()), _dialect(shape))


@lru_cache(maxsize=512)
def _rows_sql(shape: Shape) -> tuple:
    builder = _Builder(shape)
    return _compile(builder.page_select(), _dialect(shape))


@lru_cache(maxsize=512)
def _rows_of_sql(shape: Shape, count: int) -> tuple:
    builder = _Builder(shape)
    ids = [bindparam(f"id_{i}", type_=Integer()) for i in range(count)]
    return _compile(builder.page_select(CatalogEntry.product_id.in_(ids)), _dialect(shape))


class _Builder:
    """SQLAlchemy statements of one shape, every value a named parameter."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.postgresql = shape.dialect == "postgresql"

    @property
    def counts_with_rows(self) -> bool:
        """PostgreSQL text searches count their matches in the page query (they read every match anyway, to rank
        or sort them); SQLite cannot use `bm25` beside a window function, so it counts apart."""
        return self.shape.words and self.postgresql

    def _words(self) -> ColumnElement:
        return bindparam("words", type_=String())

    def _tsquery(self) -> ColumnElement:
        return cast(self._words(), TSQUERY)

    def _regional_price(self, index: int) -> ColumnElement:
        """The entry's regional price for the `index`-th delivery code, NULL where it has none."""
        if self.postgresql:
            code = bindparam(f"delivery_{index}", type_=String())
            return cast(CatalogEntry.regional_prices.op("->")(code).op("->>")(literal_column("0")), BigInteger)
        return func.json_extract(CatalogEntry.regional_prices, bindparam(f"delivery_path_{index}", type_=String()))

    def _price(self) -> ColumnElement:
        """Price excluding PPN for the delivery region: kab/kota price, else province price, else base price."""
        prices = [self._regional_price(index) for index in reversed(range(self.shape.delivery))]
        return func.coalesce(*prices, CatalogEntry.price) if prices else CatalogEntry.price

    def _unindexed(self, expression: ColumnElement, *, price: bool = False) -> ColumnElement:
        """On PostgreSQL, a sort key no B-tree index provides, where walking that index would be a gamble.

        With a text search the planner may walk e.g. the price index and test each row's vector until it has a page
        (the whole index for a rare word, and the SQL is prepared once per shape, whatever the words); without the
        index it reads the matches from the full-text index, which is never much slower. (A price sort within a
        category walks that category's own (category, price) index.)
        """
        indexed = not (price and self.shape.delivery)  # a computed price has no index anyway
        return func.coalesce(expression, expression) if self.postgresql and self.shape.words and indexed else expression

    def _loose(self, expression: ColumnElement) -> ColumnElement:
        """On PostgreSQL with a text search, a filter column no index may serve: thresholds like TKDN + BMP ≥ 40 %
        or a UMKM scale keep most matches, and AND-ing their index (tens of thousands of rows) with the full-text
        matches costs more than testing each match."""
        return func.coalesce(expression, expression) if self.postgresql and self.shape.words else expression

    def conditions(self) -> list[ColumnElement]:
        shape, entry = self.shape, CatalogEntry
        conditions: list[ColumnElement] = []
        if shape.words:
            if self.postgresql:
                conditions.append(SEARCH_VECTOR.op("@@")(self._tsquery()))
            else:
                conditions.append(FTS_NAME.op("MATCH")(self._words()))
        if shape.category_level:
            column_of_level = {1: entry.category_l1_id, 2: entry.category_l2_id, 3: entry.category_id}
            if shape.category_level in column_of_level:
                conditions.append(column_of_level[shape.category_level] == bindparam("category", type_=Integer()))
            else:
                conditions.append(false())
        if shape.cooperative:
            conditions.append(entry.cooperative_id == bindparam("cooperative", type_=Integer()))
        if shape.regency == "exact":
            conditions.append(entry.seller_regency_code == bindparam("regency", type_=String()))
        elif shape.regency == "prefix":
            conditions.append(entry.seller_regency_code.like(bindparam("regency", type_=String())))
        if shape.delivery:
            regional = (self._regional_price(index).is_not(None) for index in range(shape.delivery))
            conditions.append(or_(entry.national_price.is_(True), *regional))
        if shape.price_min:
            conditions.append(self._price() >= bindparam("price_min", type_=Integer()))
        if shape.price_max:
            conditions.append(self._price() <= bindparam("price_max", type_=Integer()))
        if shape.domestic:
            conditions.append(entry.is_domestic.is_(True))
        if shape.tkdn:
            conditions.append(self._loose(entry.tkdn_bmp_x100) >= bindparam("tkdn", type_=Integer()))
        if shape.skala:
            skala = self._loose(entry.skala_usaha)
            conditions.append(or_(*(skala == bindparam(f"skala_{i}", type_=String()) for i in range(shape.skala))))
        return conditions

    def matching(self, statement: Select) -> Select:
        """`statement` over the matching entries (joined to the full-text table on SQLite)."""
        statement = statement.select_from(CatalogEntry)
        if self.shape.words and not self.postgresql:
            statement = statement.join(FTS, FTS.c.rowid == CatalogEntry.product_id)
        return statement.where(*self.conditions())

    def ordering(self) -> list[tuple[ColumnElement, bool]]:
        """Sort keys as (expression, descending), ties broken by newest then by id."""
        entry, sort = CatalogEntry, self.shape.sort
        newest = [(self._unindexed(entry.published_at), True), (entry.product_id, True)]
        if sort == "relevance" and self.shape.words:
            if self.postgresql:
                return [(func.ts_rank(SEARCH_VECTOR, self._tsquery()), True), *newest]
            return [(func.bm25(FTS_NAME), False), *newest]
        if sort == "price_asc":
            return [(self._unindexed(self._price(), price=True), False), *newest]
        if sort == "price_desc":
            return [(self._unindexed(self._price(), price=True), True), *newest]
        if sort == "tkdn_desc":
            return [(self._unindexed(entry.tkdn_bmp_x100), True), (entry.tkdn_x100, True), *newest]
        return newest

    def page_select(self, only: ColumnElement | None = None) -> Select:
        """Card rows: one page of the search, and the number of matches when `counts_with_rows` (or the entries
        `only` picks, unordered and uncounted).

        The page is chosen from the narrowest rows that can sort it (product id, sort keys): every match of a
        common word goes through the sort, and wide rows made that several times slower. Only the page's rows are
        then read whole.
        """
        cards = [getattr(CatalogEntry, name) for name in CARD_FIELDS]
        if only is not None:
            return select(*cards).where(only)
        keys = [(key.label(f"sort_{index}"), desc) for index, (key, desc) in enumerate(self.ordering())]
        inner = select(CatalogEntry.product_id.label("page_id"), *(key for key, _desc in keys))
        if self.counts_with_rows:
            inner = inner.add_columns(func.count().over().label("matches"))
        inner = self.matching(inner).order_by(*(key.desc() if desc else key.asc() for key, desc in keys))
        page = inner.limit(bindparam("limit", type_=Integer())).offset(bindparam("offset", type_=Integer()))
        page = page.subquery("page")
        statement = select(*cards, *([page.c.matches] if self.counts_with_rows else []))
        statement = statement.select_from(page).join(CatalogEntry, CatalogEntry.product_id == page.c.page_id)
        return statement.order_by(*(page.c[key.name].desc() if desc else page.c[key.name].asc() for key, desc in keys))
