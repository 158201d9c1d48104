"""The published products a feed carries, as `FeedRecord`s: everything every shape and the validation need.

`iter_records` streams them in feed order (cooperative, then `feed_changed_at`, then SKU: the datafeed's
`order_by=updated_date`) and `count_records` counts them; see `reading` for how (one streamed query, no ORM object,
no query per product).

The cursor belongs to the transaction of the connection it reads through (by default the session's): do not
commit that session while iterating (write progress through another session or connection), or the cursor closes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy.engine import Connection

from marketplace.extensions import db
from marketplace.reference.regions import get_region

#: Asia/Jakarta has kept UTC+7 since 1964: a fixed offset is exact and much cheaper than a zone lookup per row.
WIB_OFFSET = timedelta(hours=7)
DEFAULT_BATCH_SIZE = 2000
_SENTINEL = 987_654_321


class CooperativeInfo(NamedTuple):
    """The provider (penyedia) of a record, shared by all its records."""

    id: int
    code: str
    name: str
    nib: str | None
    npwp: str | None
    region_code: str


class RegionalPriceItem(NamedTuple):
    region_code: str
    region_name: str
    price: int
    shipping_cost: int


class Specification(NamedTuple):
    label: str
    value: str


class AttachmentItem(NamedTuple):
    url: str
    description: str | None


class FeedRecord(NamedTuple):
    """One published product as every feed shape writes it (immutable; built once per product and batch).

    Prices are integer rupiah; percentages are × 100 (`tkdn_x100`); texts are plain (HTML removed); URLs are
    absolute, built on PUBLIC_BASE_URL. Withdrawn products (`is_active` False) appear only in delta feeds and
    datafeed snapshots.
    """

    product_id: int
    revision_id: int
    cooperative: CooperativeInfo
    sku: str
    is_active: bool
    #: `feed_changed_at` as `YYYY-MM-DD HH:MM:SS` in WIB (`tanggal_update`); None if it was never set.
    updated_wib: str | None
    name: str
    brand: str | None
    category_1: str | None
    category_2: str | None
    category_3: str | None
    lkpp_category_id: str | None
    unspsc: int | None
    kbki_code: str | None
    unit_id: int | None
    unit_name: str | None
    unit_lkpp_id: str | None
    is_domestic: bool
    tkdn_x100: int
    tkdn_certificate: str | None
    bmp_x100: int
    sni_number: str | None
    price: int
    price_with_ppn: int
    #: The seller's retail price, or the price with PPN when they gave none (`harga_retail`).
    retail_price: int
    ppn_percent: int
    shipping_cost: int
    national_price: bool
    #: Live stock and price validity of the product (quick updates change them without a revision).
    stock: int
    min_order: int
    valid_until: date | None
    short_description: str | None
    description: str | None
    weight_grams: int | None
    url: str
    #: 800 px addresses of the images, the main one first.
    image_urls: tuple[str, ...]
    has_large_image: bool
    specifications: tuple[Specification, ...]
    regional_prices: tuple[RegionalPriceItem, ...]
    attachments: tuple[AttachmentItem, ...]
    maker_name: str
    skala_usaha: str

    # Derived values, computed when a shape asks for them -------------------------------------------------------

    @property
    def cooperative_id(self) -> int:
        return self.cooperative.id

    @property
    def cooperative_name(self) -> str:
        return self.cooperative.name

    @property
    def cooperative_nib(self) -> str | None:
        return self.cooperative.nib

    @property
    def cooperative_npwp(self) -> str | None:
        return self.cooperative.npwp

    @property
    def cooperative_region_code(self) -> str:
        return self.cooperative.region_code

    @property
    def produk_aktif(self) -> int:
        return 1 if self.is_active else 0

    @property
    def is_local(self) -> int:
        return 1 if self.is_domestic else 0

    @property
    def jenis_produk(self) -> str:
        return "lokal" if self.is_domestic else "impor"

    @property
    def tkdn_bmp_x100(self) -> int:
        return self.tkdn_x100 + self.bmp_x100

    @property
    def has_unit(self) -> bool:
        return self.unit_id is not None

    @property
    def region_codes(self) -> tuple[str, ...]:
        return tuple(item.region_code for item in self.regional_prices)

    @property
    def updated_at(self) -> datetime | None:
        """`feed_changed_at` in UTC, to the second."""
        if not self.updated_wib:
            return None
        return (datetime.fromisoformat(self.updated_wib) - WIB_OFFSET).replace(tzinfo=UTC)

    @property
    def updated_on(self) -> date | None:
        """The WIB date of `tanggal_update` (for `updated_produk?start_date=&end_date=`)."""
        return date.fromisoformat(self.updated_wib[:10]) if self.updated_wib else None

    @property
    def main_image_url(self) -> str | None:
        return self.image_urls[0] if self.image_urls else None

    @property
    def other_image_urls(self) -> str | None:
        return " | ".join(self.image_urls[1:]) if len(self.image_urls) > 1 else None

    def main_image(self, size: int) -> str | None:
        """The main image's address at 50, 100, 300 or 800 px."""
        if not self.image_urls:
            return None
        return f"{self.image_urls[0].rpartition('/')[0]}/{size}"

    @property
    def main_image_50(self) -> str | None:
        return self.main_image(50)

    @property
    def main_image_100(self) -> str | None:
        return self.main_image(100)

    @property
    def main_image_300(self) -> str | None:
        return self.main_image(300)

    @property
    def main_image_800(self) -> str | None:
        return self.main_image_url

    @property
    def currency_id(self) -> int:
        return 1

    @property
    def lkpp_brand_id(self) -> None:
        return None


# Text and URLs ----------------------------------------------------------------------------------------------------

_BREAK_TAG = re.compile(r"<\s*(?:br\s*/?|/\s*(?:p|div|li|h[1-6]|tr))\s*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<!--.*?-->|<\s*/?\s*[A-Za-z!][^<>]*>", re.DOTALL)
_BLANK_LINES = re.compile(r"\n{3,}")


def plain_text(text: str | None) -> str | None:
    """Text without HTML: tags removed (line breaks for `<br>` and block ends), entities decoded; line breaks are
    `\\n` (CR LF and CR become LF). Text without a tag keeps its `<` and `&`.
    """
    if not text:
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "<" not in text or not _ANY_TAG.search(text):
        return text
    stripped = _ANY_TAG.sub("", _BREAK_TAG.sub("\n", text))
    return _BLANK_LINES.sub("\n\n", html.unescape(stripped)).strip()


class UrlMaker:
    """Absolute URLs of product pages, images and attachments on PUBLIC_BASE_URL, without a request."""

    def __init__(self) -> None:
        public = urlsplit(current_app.config["PUBLIC_BASE_URL"])
        adapter = current_app.url_map.bind(public.netloc, script_name=public.path or "/", url_scheme=public.scheme)

        def template(endpoint: str, **values: Any) -> tuple[str, str]:
            url = adapter.build(endpoint, {**values}, force_external=True)
            prefix, _, suffix = url.partition(str(_SENTINEL))
            return prefix, suffix

        self._product = template("catalog.product", product_id=_SENTINEL)
        self._image = template("media.image", image_id=_SENTINEL, size="800")
        if not self._image[1].endswith("/800"):  # FeedRecord.main_image swaps the last path segment
            raise RuntimeError("image URLs must end with the size")
        self._attachment = template("media.attachment", attachment_id=_SENTINEL)

    def product(self, product_id: int) -> str:
        return f"{self._product[0]}{product_id}{self._product[1]}"

    def image(self, image_id: int) -> str:
        return f"{self._image[0]}{image_id}{self._image[1]}"

    def attachment(self, attachment_id: int) -> str:
        return f"{self._attachment[0]}{attachment_id}{self._attachment[1]}"


@lru_cache(maxsize=4096)
def region_name(code: str) -> str:
    """The region's name, or "" for an unknown code (validation reports those)."""
    region = get_region(code)
    return region.name if region is not None else ""


# Which products ---------------------------------------------------------------------------------------------------


def iter_records(
    *,
    cooperative_ids: Sequence[int] | None,
    changed_since: datetime | None,
    until: datetime,
    include_withdrawn: bool,
    batch_size: int = DEFAULT_BATCH_SIZE,
    connection: Connection | None = None,
) -> Iterator[FeedRecord]:
    """Stream the feed's products in feed order (cooperative, `feed_changed_at`, SKU).

    `cooperative_ids` None means every cooperative. `changed_since` None gives a full feed (every product on sale;
    `until` is not applied, the data is the current one); otherwise a delta of the published products whose last
    feed change is in (changed_since, until]. `include_withdrawn` adds withdrawn products (`produk_aktif` 0).
    Reads `batch_size` rows at a time through `connection` (default: the session's connection, in its transaction).
    """
    from marketplace.feeds.reading import read_records

    return read_records(
        cooperative_ids=cooperative_ids,
        changed_since=changed_since,
        until=until,
        include_withdrawn=include_withdrawn,
        batch_size=batch_size,
        connection=connection or db.session.connection(),
    )


def count_records(
    *,
    cooperative_ids: Sequence[int] | None,
    changed_since: datetime | None,
    until: datetime,
    include_withdrawn: bool,
    connection: Connection | None = None,
) -> int:
    """How many records `iter_records` yields with the same arguments (for a feed's `total_rows`)."""
    from marketplace.feeds.reading import count_products

    return count_products(
        cooperative_ids=cooperative_ids,
        changed_since=changed_since,
        until=until,
        include_withdrawn=include_withdrawn,
        connection=connection or db.session.connection(),
    )
