"""Search the public catalog: Indonesian full text with typo tolerance, filters, sorts, one page of result cards.

`search_catalog` reads `catalog_entries` only (one row per active product), so drafts, withdrawn products and
revisions under review never appear. Full text uses PostgreSQL's `indonesian` configuration through the stored
`search_vector` and its GIN index, or SQLite's FTS5 table `catalog_fts`; both are fed the same stems
(`search.terms`), so both databases return the same products. Relevance is `ts_rank` of the weighted vector (name,
then brand, then the rest) on PostgreSQL and `bm25` on SQLite; ties go to the newest product.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from marketplace.accounts.models import SkalaUsaha
from marketplace.catalog.models import Category
from marketplace.catalog.search.cache import RESULTS, CachedResult
from marketplace.catalog.search.statement import EntryCard, Filters, SearchStatement
from marketplace.catalog.search.terms import QueryWord, query_words
from marketplace.core.errors import ValidationFailed
from marketplace.core.money import with_ppn
from marketplace.core.pagination import Page
from marketplace.core.templating import rupiah
from marketplace.extensions import db
from marketplace.reference.regions import get_region

#: Sort orders, the first is the default (relevance falls back to newest when there is no search text).
SORTS = ("relevance", "price_asc", "price_desc", "tkdn_desc", "newest")
SKALA_CHOICES = tuple(str(s) for s in SkalaUsaha)
MAX_PER_PAGE = 100
#: TKDN + BMP (× 100) from which a domestic product meets the mandatory PDN threshold (Perpres 12/2021).
PDN_THRESHOLD_X100 = 4000
MAX_PRICE = 1_000_000_000_000


@dataclass(frozen=True)
class CatalogHit:
    """One result card: the catalog entry's columns and what the card shows beside them."""

    #: The `catalog_entries` columns a card needs (`product_id`, `name`, `price`, `main_image_id`, …).
    entry: EntryCard
    cooperative_name: str
    #: The UMKM maker's business name.
    seller_name: str
    unit_name: str | None
    ppn_percent: int
    #: Price excluding PPN for the delivery region (the product's base price without a region).
    price: int
    shipping_cost: int
    #: The region whose regional price applies; None when the national (base) price applies.
    price_region: str | None

    @property
    def price_with_ppn(self) -> int:
        return with_ppn(self.price, self.ppn_percent)

    @property
    def main_image_id(self) -> int | None:
        return self.entry.main_image_id

    @property
    def meets_pdn_threshold(self) -> bool:
        """Domestic with TKDN + BMP ≥ 40 %: buyers must prefer it."""
        return self.entry.is_domestic and self.entry.tkdn_bmp_x100 >= PDN_THRESHOLD_X100


@dataclass
class SearchPage(Page):
    """A page of `CatalogHit`s, with the words as searched (misspelt words show their corrections)."""

    words: list[QueryWord] = field(default_factory=list)
    delivery_region: str | None = None
    #: True when `total` is only "more than `count_limit`" (the search counted no further).
    total_capped: bool = False

    @property
    def corrections(self) -> list[QueryWord]:
        return [word for word in self.words if word.corrected]


def delivery_codes(region_code: str) -> tuple[str, ...]:
    """The province and kab/kota codes whose regional prices apply to deliveries to `region_code`."""
    parts = region_code.split(".")
    return (parts[0],) if len(parts) == 1 else (parts[0], ".".join(parts[:2]))


def search_catalog(
    *,
    text: str | None = None,
    category_id: int | None = None,
    cooperative_id: int | None = None,
    seller_regency: str | None = None,
    delivery_region: str | None = None,
    price_min: int | None = None,
    price_max: int | None = None,
    domestic_only: bool = False,
    tkdn_bmp_min: Decimal | float | int | str | None = None,
    skala: str | Iterable[str] | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 24,
    count_limit: int | None = None,
    cache_seconds: float = 0,
) -> SearchPage:
    """Search active products; return one page of `CatalogHit`s.

    `text` matches every word in its inflected forms (Snowball Indonesian stems); a misspelt word of 5+ letters
    matches the known words one edit away. `category_id` matches any level of the tree; `seller_regency` is the
    maker's kab/kota (or province) code; `delivery_region` keeps products with a national price or a regional price
    for the region's province or kab/kota, and prices them for it (the price range and price sorts then use that
    price, excluding PPN). `tkdn_bmp_min` is a percentage (40 = TKDN + BMP ≥ 40 %). `count_limit` stops counting
    after that many matches (`total_capped`); `cache_seconds` keeps the matching ids that long (see `cache`).
    Raises ValidationFailed keyed by argument name for values out of range.
    """
    filters = _clean(
        text=text,
        category_id=category_id,
        cooperative_id=cooperative_id,
        seller_regency=seller_regency,
        delivery_region=delivery_region,
        price_min=price_min,
        price_max=price_max,
        domestic_only=domestic_only,
        tkdn_bmp_min=tkdn_bmp_min,
        skala=skala,
        sort=sort,
        cache_seconds=cache_seconds,
    )
    page, per_page = max(int(page or 1), 1), min(max(int(per_page or 1), 1), MAX_PER_PAGE)
    statement = SearchStatement(filters, db.session.get_bind().dialect)
    key = (statement.shape, tuple(sorted(statement.params.items())), page, per_page, count_limit)
    cached = RESULTS.get(key) if cache_seconds > 0 else None
    if cached is not None:
        rows = {row.product_id: row for row in statement.rows_of(list(cached.product_ids))}
        items = [_hit(filters, rows[pid]) for pid in cached.product_ids if pid in rows]
        total, capped = cached.total, cached.total_capped
    else:
        rows, total = statement.rows(page, per_page)
        items = [_hit(filters, row) for row in rows]
        if page == 1 and len(items) < per_page:  # everything is on this page: nothing to count
            total, capped = len(items), False
        else:
            if total is None:  # the page query did not count (see `SearchStatement.counts_with_rows`)
                total = statement.count(count_limit)
            capped = count_limit is not None and total > count_limit
            total = min(total, count_limit) if capped else total
        if cache_seconds > 0:
            RESULTS.put(key, CachedResult(total, capped, tuple(hit.entry.product_id for hit in items)), cache_seconds)
    return SearchPage(
        items=items,
        total=total,
        page=page,
        per_page=per_page,
        words=filters.words,
        delivery_region=filters.delivery[-1] if filters.delivery else None,
        total_capped=capped,
    )


def _hit(filters: Filters, entry: EntryCard) -> CatalogHit:
    """The card of an entry, priced for the delivery region (the most local regional price wins)."""
    price, shipping, region = entry.price, entry.shipping_cost, None
    regional = entry.regional_prices or {}
    for code in reversed(filters.delivery):
        if code in regional:
            (price, shipping), region = regional[code], code
            break
    return CatalogHit(
        entry=entry,
        cooperative_name=entry.cooperative_name,
        seller_name=entry.seller_name,
        unit_name=entry.unit_name,
        ppn_percent=entry.ppn_percent,
        price=price,
        shipping_cost=shipping,
        price_region=region,
    )


# Arguments -------------------------------------------------------------------------------------------------------


def _clean(**raw: Any) -> Filters:
    """Check the arguments; collect every problem under the argument's name."""
    errors: dict[str, str] = {}
    sort = raw["sort"] or SORTS[0]
    if sort not in SORTS:
        errors["sort"] = _("Unknown sort order.")
    price_min = _amount(raw["price_min"], "price_min", errors)
    price_max = _amount(raw["price_max"], "price_max", errors)
    if price_min is not None and price_max is not None and price_min > price_max:
        errors["price_max"] = _("The highest price must not be below the lowest price.")
    skala = _skala(raw["skala"], errors)
    tkdn_x100 = _percent_x100(raw["tkdn_bmp_min"], errors)
    delivery = _region(raw["delivery_region"], "delivery_region", errors)
    seller_regency = _region(raw["seller_regency"], "seller_regency", errors)
    if errors:
        raise ValidationFailed(_("Check the search filters."), errors)
    category_id = raw["category_id"]
    return Filters(
        words=_words(raw["text"], raw["cache_seconds"]),
        category=db.session.get(Category, category_id) if category_id else None,
        category_id=category_id or None,
        cooperative_id=raw["cooperative_id"] or None,
        seller_regency=".".join(seller_regency.split(".")[:2]) if seller_regency else None,
        delivery=delivery_codes(delivery) if delivery else (),
        price_min=price_min,
        price_max=price_max,
        domestic_only=bool(raw["domestic_only"]),
        tkdn_bmp_min_x100=tkdn_x100,
        skala=skala,
        sort=sort,
    )


def _words(text: str | None, cache_seconds: float) -> list[QueryWord]:
    """The query's words as terms, typo corrections included; kept with the results when those are cached."""
    if not text or cache_seconds <= 0:
        return query_words(text)
    key = ("words", text.strip().lower())
    found = RESULTS.get(key)
    if found is None:
        found = query_words(text)
        RESULTS.put(key, found, cache_seconds)
    return found


def _amount(value: Any, name: str, errors: dict[str, str]) -> int | None:
    if value is None or value == "":
        return None
    try:
        amount = int(value)
    except (TypeError, ValueError):
        errors[name] = _("Enter a whole number of rupiah.")
        return None
    if not 0 <= amount <= MAX_PRICE:
        errors[name] = _("Enter an amount between 0 and %(max)s.", max=rupiah(MAX_PRICE))
        return None
    return amount


def _skala(value: str | Iterable[str] | None, errors: dict[str, str]) -> tuple[str, ...]:
    chosen = (value,) if isinstance(value, str) else tuple(value or ())
    chosen = tuple(sorted({item for item in chosen if item}))
    if any(item not in SKALA_CHOICES for item in chosen):
        errors["skala"] = _("Choose mikro, kecil or menengah.")
        return ()
    return chosen


def _percent_x100(value: Any, errors: dict[str, str]) -> int | None:
    if value is None or value == "":
        return None
    try:
        percent = Decimal(str(value))
    except InvalidOperation:
        percent = Decimal("NaN")
    if not percent.is_finite() or not 0 <= percent <= 115:
        errors["tkdn_bmp_min"] = _("Enter a percentage between 0 and 115.")
        return None
    return int(percent * 100)


def _region(value: str | None, name: str, errors: dict[str, str]) -> str | None:
    if not value:
        return None
    if get_region(value) is None:
        errors[name] = _("Unknown region code.")
        return None
    return value.strip()
