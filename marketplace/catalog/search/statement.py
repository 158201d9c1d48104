"""The SQL of a catalog search: matches, filters, sort order, the count and one page of card rows.

Search pages are the busiest pages of the marketplace, so the SQL is built once per *shape* (which filters are used,
the sort order, the database) with named parameters, compiled once, and then executed with the values of each
search straight through the driver: building and compiling SQLAlchemy statements on every request cost more
Python time than the rest of the search.

Shaped for PostgreSQL's expression index `ix_catalog_entries_fulltext` (`to_tsvector('indonesian', search_text)`):
the matching rows are always found through that index, never by recomputing `to_tsvector` row by row (about
0.1 ms a row), and relevance is ranked on the name, whose vector is small enough to build for every match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
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
from sqlalchemy.orm import aliased

from marketplace.accounts.models import SellerProfile
from marketplace.catalog.models import CatalogEntry, Category, ProductRevision, RegionalPrice, Unit
from marketplace.catalog.search.terms import QueryWord, fts5_query_text, tsquery_text
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db

FTS = table("catalog_fts", column("rowid"))
FTS_NAME = literal_column("catalog_fts")
INDONESIAN = literal_column("'indonesian'")
#: What a result card shows of the entry (not `search_text`, the longest column), in `EntryCard` order.
CARD_FIELDS = (
    "product_id", "revision_id", "cooperative_id", "seller_id", "category_id", "name", "brand", "price",
    "price_with_ppn", "national_price", "is_domestic", "tkdn_x100", "tkdn_bmp_x100", "skala_usaha",
    "seller_regency_code", "stock", "main_image_id", "published_at",
)  # fmt: skip


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


@dataclass(frozen=True, slots=True)
class CardRow:
    """A card row: the entry, the names beside it, PPN and shipping, and the delivery region's prices."""

    entry: EntryCard
    cooperative_name: str
    seller_name: str | None
    unit_name: str | None
    ppn_percent: int
    shipping_cost: int
    #: (price, shipping) per delivery code (province, then kab/kota), None where there is no regional price.
    regional: tuple[tuple[int | None, int | None], ...]


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
            **{f"skala_{i}": value for i, value in enumerate(f.skala)},
        }
        if f.words:
            text = tsquery_text(f.words) if dialect.name == "postgresql" else fts5_query_text(f.words)
            self.params["words"] = text

    def count(self, limit: int | None = None) -> int:
        """How many entries match, or `limit` + 1 when more do (a cheap "more than `limit`")."""
        values = {**self.params, "count_limit": (limit or 0) + 1}
        return _execute(_count_sql(self.shape, limit is not None), values)[0][0]

    def rows(self, page: int, per_page: int) -> list[CardRow]:
        """One page of card rows in order."""
        values = {**self.params, "limit": per_page, "offset": (page - 1) * per_page}
        return [self._card(row) for row in _execute(_rows_sql(self.shape), values)]

    def rows_of(self, product_ids: list[int]) -> list[CardRow]:
        """The card rows of known products that are still in the catalog (any order)."""
        if not product_ids:
            return []
        values = {**self.params, **{f"id_{i}": pid for i, pid in enumerate(product_ids)}}
        return [self._card(row) for row in _execute(_rows_of_sql(self.shape, len(product_ids)), values)]

    def _card(self, row: tuple) -> CardRow:
        width = len(CARD_FIELDS)
        values = list(row[:width])
        values[9], values[10] = bool(values[9]), bool(values[10])  # SQLite answers 0/1
        values[17] = _utc(values[17])
        rest = row[width:]
        regional = tuple((rest[5 + 2 * i], rest[6 + 2 * i]) for i in range(self.shape.delivery))
        return CardRow(EntryCard(*values), rest[0], rest[1], rest[2], rest[3], rest[4], regional)


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
    return list(db.session.connection().exec_driver_sql(sql, parameters))


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
    needs_prices = bool(shape.delivery) and (shape.price_min or shape.price_max)
    builder = _Builder(shape)
    if not limited:
        statement = builder.joined(select(func.count()).select_from(CatalogEntry), prices=needs_prices)
        return _compile(statement.where(*builder.conditions()), _dialect(shape))
    matches = builder.joined(select(literal_column("1")).select_from(CatalogEntry), prices=needs_prices)
    matches = matches.where(*builder.conditions()).limit(bindparam("count_limit", type_=Integer()))
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
        self.by_region = [aliased(RegionalPrice, name=f"rp_{i}") for i in range(shape.delivery)]

    def _words(self) -> ColumnElement:
        return bindparam("words", type_=String())

    def _tsquery(self) -> ColumnElement:
        return cast(self._words(), TSQUERY)

    def _price(self) -> ColumnElement:
        """Price excluding PPN for the delivery region: kab/kota price, else province price, else base price."""
        prices = [alias.price for alias in reversed(self.by_region)]
        return func.coalesce(*prices, CatalogEntry.price) if prices else CatalogEntry.price

    def _unindexed(self, expression: ColumnElement, *, price: bool = False) -> ColumnElement:
        """On PostgreSQL, a sort key no B-tree index provides, where walking that index would be a gamble.

        With a text search the planner may walk e.g. the price index and test each row with
        `to_tsvector(search_text)`, computed per row (100 ms and more for a common word); without the index it
        reads the matches from the full-text index, which is never slower. Likewise prices follow categories (no
        furniture among the cheapest thousands), so a price sort within a category sorts that category's rows.
        """
        gamble = self.shape.words or (price and self.shape.category_level)
        return func.coalesce(expression, expression) if self.postgresql and gamble else expression

    def conditions(self) -> list[ColumnElement]:
        shape, entry = self.shape, CatalogEntry
        conditions: list[ColumnElement] = []
        if shape.words:
            if self.postgresql:
                vector = func.to_tsvector(INDONESIAN, entry.search_text)  # exactly the indexed expression
                conditions.append(vector.op("@@")(self._tsquery()))
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
            codes = [
                RegionalPrice.region_code == bindparam(f"delivery_{i}", type_=String()) for i in range(shape.delivery)
            ]
            regional = select(literal_column("1")).where(RegionalPrice.revision_id == entry.revision_id, or_(*codes))
            if self.postgresql:
                # OFFSET 0 keeps PostgreSQL from hashing every regional price of the province (tens of thousands of
                # rows) on each search; this way it probes the primary key, only for entries without a national price.
                regional = regional.offset(literal_column("0"))
            conditions.append(or_(entry.national_price.is_(True), regional.exists()))
        if shape.price_min:
            conditions.append(self._price() >= bindparam("price_min", type_=Integer()))
        if shape.price_max:
            conditions.append(self._price() <= bindparam("price_max", type_=Integer()))
        if shape.domestic:
            conditions.append(entry.is_domestic.is_(True))
        if shape.tkdn:
            conditions.append(entry.tkdn_bmp_x100 >= bindparam("tkdn", type_=Integer()))
        if shape.skala:
            conditions.append(
                or_(*(entry.skala_usaha == bindparam(f"skala_{i}", type_=String()) for i in range(shape.skala)))
            )
        return conditions

    def joined(self, statement: Select, *, prices: bool, text: bool = True) -> Select:
        """Add the full-text table (SQLite, when `text`) and, when `prices`, the delivery region's prices."""
        if text and self.shape.words and not self.postgresql:
            statement = statement.join(FTS, FTS.c.rowid == CatalogEntry.product_id)
        if prices:
            for index, alias in enumerate(self.by_region):
                code = bindparam(f"delivery_{index}", type_=String())
                statement = statement.outerjoin(
                    alias, and_(alias.revision_id == CatalogEntry.revision_id, alias.region_code == code)
                )
        return statement

    def ordering(self) -> list[tuple[ColumnElement, bool]]:
        """Sort keys as (expression, descending), ties broken by newest then by id."""
        entry, sort = CatalogEntry, self.shape.sort
        newest = [(self._unindexed(entry.published_at), True), (entry.product_id, True)]
        if sort == "relevance" and self.shape.words:
            if self.postgresql:
                name_vector = func.to_tsvector(INDONESIAN, entry.name)
                return [(func.ts_rank(name_vector, self._tsquery()), True), *newest]
            return [(func.bm25(FTS_NAME), False), *newest]
        if sort == "price_asc":
            return [(self._unindexed(self._price(), price=True), False), *newest]
        if sort == "price_desc":
            return [(self._unindexed(self._price(), price=True), True), *newest]
        if sort == "tkdn_desc":
            return [(self._unindexed(entry.tkdn_bmp_x100), True), (entry.tkdn_x100, True), *newest]
        return newest

    def page_select(self, only: ColumnElement | None = None) -> Select:
        """Card rows: one page of the search (or the entries `only` picks, unordered).

        The page is chosen on `catalog_entries` alone (with the regional prices it is priced with), and only its
        rows are then joined to the cooperative, maker, unit and revision: joining first would make PostgreSQL
        join every match of a common word before sorting.
        """
        region_columns = [
            column.label(f"region_{index}_{name}")
            for index, alias in enumerate(self.by_region)
            for name, column in (("price", alias.price), ("shipping", alias.shipping_cost))
        ]
        inner = select(*(getattr(CatalogEntry, name) for name in CARD_FIELDS), *region_columns)
        if only is None:
            keys = self.ordering()
            inner = inner.add_columns(*(key.label(f"sort_{index}") for index, (key, _desc) in enumerate(keys)))
            inner = self.joined(inner.select_from(CatalogEntry), prices=True).where(*self.conditions())
            inner = inner.order_by(*(key.desc() if desc else key.asc() for key, desc in keys))
            inner = inner.limit(bindparam("limit", type_=Integer())).offset(bindparam("offset", type_=Integer()))
        else:
            keys = []
            inner = self.joined(inner.select_from(CatalogEntry), prices=True, text=False).where(only)
        page = inner.subquery("page")
        revision = ProductRevision
        statement = (
            select(
                *(page.c[name] for name in CARD_FIELDS),
                Cooperative.name,
                SellerProfile.business_name,
                Unit.name,
                revision.ppn_percent,
                revision.shipping_cost,
                *(page.c[column.name] for column in region_columns),
            )
            .select_from(page)
            .join(Cooperative, Cooperative.id == page.c.cooperative_id)
            .join(revision, revision.id == page.c.revision_id)
            .outerjoin(Unit, Unit.id == revision.unit_id)
            .outerjoin(SellerProfile, SellerProfile.user_id == page.c.seller_id)
        )
        sort_columns = [page.c[f"sort_{index}"] for index in range(len(keys))]
        return statement.order_by(
            *(c.desc() if desc else c.asc() for c, (_key, desc) in zip(sort_columns, keys, strict=True))
        )
