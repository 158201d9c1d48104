"""The feed spec's checks of a product before it enters an e-Katalog feed: errors exclude it, warnings are listed.

The rules read a listing as plain facts (`ListingFacts`) through `check_facts`: `check_listing(product, revision)`
gives them the facts of a revision (the cooperative's review refuses approval while there are errors), and the
feeds give them their records (`feeds.validation.check_record`, the report beside each feed file). Nothing here
reads a request, so it runs the same in a page, the API and a worker. Messages are in the current locale (use
`force_locale` in a worker).

For the live revision the live stock and price validity (on `Product`, changed by quick updates without review) are
checked; for a proposed revision its own values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple, Protocol

from flask_babel import get_domain
from sqlalchemy import func, select

from marketplace.catalog.models import Product, ProductImage, ProductRevision
from marketplace.core.timeutil import today_wib
from marketplace.extensions import db
from marketplace.reference.regions import get_region

ERROR = "error"
WARNING = "warning"
KBKI_PATTERN = re.compile(r"\d{10}")
MAX_TKDN_X100 = 100_00
MAX_BMP_X100 = 15_00
#: Sizes an image needs (made, or the original as large) to count as "at least 300 px".
MIN_IMAGE_SIDE = 300
#: Price validity ending within this many days is a warning.
VALIDITY_WARNING_DAYS = 14


@dataclass(frozen=True)
class Issue:
    """One finding: `field` is the API name (dotted for lists), `column` the feed spec's column name."""

    level: str
    code: str
    field: str
    column: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


def duplicate_skus(cooperative_id: int) -> set[str]:
    """Lower-cased SKUs that more than one published product of the cooperative uses (one query, for batches)."""
    key = func.lower(func.trim(Product.sku))
    rows = db.session.scalars(
        select(key)
        .where(Product.cooperative_id == cooperative_id, Product.live_revision_id.is_not(None))
        .group_by(key)
        .having(func.count() > 1)
    )
    return set(rows)


def _sku_used_elsewhere(product: Product) -> bool:
    """Whether another published product of the cooperative has the same SKU, ignoring case and spaces."""
    count = db.session.scalar(
        select(func.count())
        .select_from(Product)
        .where(
            Product.cooperative_id == product.cooperative_id,
            Product.id != product.id,
            Product.live_revision_id.is_not(None),
            func.lower(func.trim(Product.sku)) == (product.sku or "").strip().lower(),
        )
    )
    return bool(count)


def sku_key(sku: str | None) -> str:
    """A SKU as compared for duplicates: without surrounding spaces, lower-cased."""
    return (sku or "").strip().lower()


def skus_used_elsewhere(products: Iterable[Product]) -> set[int]:
    """Ids of `products` whose SKU another published product of their cooperative uses (`_sku_used_elsewhere` of
    each), in one query per cooperative."""
    wanted: dict[int, dict[str, set[int]]] = {}
    for product in products:
        if key := sku_key(product.sku):
            wanted.setdefault(product.cooperative_id, {}).setdefault(key, set()).add(product.id)
    found: set[int] = set()
    for cooperative_id, by_key in wanted.items():
        column = func.lower(func.trim(Product.sku))
        holders = db.session.execute(
            select(column, Product.id).where(
                Product.cooperative_id == cooperative_id,
                Product.live_revision_id.is_not(None),
                column.in_(list(by_key)),
            )
        )
        for key, holder_id in holders:
            found.update(product_id for product_id in by_key.get(key, ()) if product_id != holder_id)
    return found


def _is_duplicate(product: Product, sku: str, duplicates: Collection[str] | None) -> bool:
    if duplicates is not None:
        return sku.lower() in duplicates
    return _sku_used_elsewhere(product)


def image_is_large(sizes: Collection[int] | None, width: int | None, height: int | None) -> bool:
    """A version of at least 300 px exists: the 300 or 800 px size was made, or the original is that large."""
    return bool(sizes and (300 in sizes or 800 in sizes)) or max(width or 0, height or 0) >= MIN_IMAGE_SIDE


def has_large_image(image: ProductImage) -> bool:
    """A version of at least 300 px exists: the 300 or 800 px size was made, or the original is that large."""
    return image_is_large(image.sizes, image.width, image.height)


class ListingFacts(Protocol):
    """What the rules read: a listing as plain values (a revision with its product, or a feed record)."""

    @property
    def name(self) -> str | None: ...
    @property
    def sku(self) -> str | None: ...
    @property
    def has_unit(self) -> bool: ...
    @property
    def kbki_code(self) -> str | None: ...
    @property
    def price(self) -> int | None: ...
    @property
    def tkdn_x100(self) -> int | None: ...
    @property
    def bmp_x100(self) -> int | None: ...
    @property
    def is_domestic(self) -> bool: ...
    @property
    def tkdn_certificate(self) -> str | None: ...
    @property
    def valid_until(self) -> date | None: ...
    @property
    def region_codes(self) -> Sequence[str]: ...
    @property
    def has_large_image(self) -> bool: ...
    @property
    def short_description(self) -> str | None: ...
    @property
    def stock(self) -> int | None: ...


class RevisionFacts(NamedTuple):
    """`ListingFacts` of a revision of a product (the live stock and validity for the live revision)."""

    name: str | None
    sku: str | None
    has_unit: bool
    kbki_code: str | None
    price: int | None
    tkdn_x100: int | None
    bmp_x100: int | None
    is_domestic: bool
    tkdn_certificate: str | None
    valid_until: date | None
    region_codes: tuple[str, ...]
    has_large_image: bool
    short_description: str | None
    stock: int | None

    @classmethod
    def of(cls, product: Product, revision: ProductRevision) -> RevisionFacts:
        is_live = product.live_revision_id is not None and product.live_revision_id == revision.id
        return cls(
            name=revision.name,
            sku=product.sku,
            has_unit=revision.unit_id is not None,
            kbki_code=revision.kbki_code,
            price=revision.price,
            tkdn_x100=revision.tkdn_x100,
            bmp_x100=revision.bmp_x100,
            is_domestic=revision.is_domestic,
            tkdn_certificate=revision.tkdn_certificate,
            valid_until=(product.valid_until or revision.valid_until) if is_live else revision.valid_until,
            region_codes=tuple(regional.region_code for regional in revision.regional_prices),
            has_large_image=any(has_large_image(link.image) for link in revision.images),
            short_description=revision.short_description,
            stock=product.stock if is_live else revision.stock,
        )


def N_(message: str) -> str:
    """Mark a message for extraction (gettext_noop); `_Findings.add` translates it."""
    return message


def translate_current(message: str) -> str:
    """A message in the current locale (Flask-Babel's gettext without variables)."""
    return get_domain().get_translations().ugettext(message)


class _Findings(list):
    """Issues found, their messages translated by `translate` and filled with their variables."""

    def __init__(self, translate: Callable[[str], str]) -> None:
        super().__init__()
        self.translate = translate

    def add(self, level: str, code: str, field: str, column: str, message: str, /, **variables: object) -> None:
        text = self.translate(message)
        self.append(Issue(level, code, field, column, text % variables if variables else text))


def check_listing(
    product: Product,
    revision: ProductRevision,
    *,
    today: date | None = None,
    duplicates: Collection[str] | None = None,
) -> list[Issue]:
    """Every error and warning of the feed spec for `revision` of `product`, errors first.

    `today` defaults to the date in WIB. `duplicates` (from `duplicate_skus`) replaces the one query per product
    when checking a cooperative's published products in bulk (a feed).
    """
    sku = (product.sku or "").strip()
    return check_facts(
        RevisionFacts.of(product, revision),
        today=today or today_wib(),
        is_duplicate=bool(sku) and _is_duplicate(product, sku, duplicates),
    )


def check_facts(
    facts: ListingFacts, *, today: date, is_duplicate: bool, translate: Callable[[str], str] | None = None
) -> list[Issue]:
    """Every error and warning of the feed spec for a listing given as plain facts, errors first.

    `is_duplicate`: another published product of the cooperative uses the same SKU (ignoring case and spaces).
    `translate` turns a message id into the text (default: the current locale; a feed passes one catalog's lookup
    so that many products cost one dictionary lookup per message). Used by `check_listing` (review) and by the
    feeds (`feeds.validation.check_record`).
    """
    found = _Findings(translate or translate_current)
    _check_identity(found, facts, is_duplicate)
    _check_numbers(found, facts)
    _check_validity(found, facts.valid_until, today)
    _check_regions(found, facts.region_codes)
    _check_presentation(found, facts)
    return sorted(found, key=_is_warning) if found else found


def _is_warning(issue: Issue) -> bool:
    return issue.level != ERROR


def _check_identity(found: _Findings, facts: ListingFacts, is_duplicate: bool) -> None:
    if not (facts.name or "").strip():
        found.add(ERROR, "name_missing", "name", "nama_produk", N_("The product name is missing."))
    sku = (facts.sku or "").strip()
    if not sku:
        found.add(ERROR, "sku_missing", "sku", "no_produk_penyedia", N_("The SKU (no_produk_penyedia) is missing."))
    elif is_duplicate:
        found.add(
            ERROR,
            "sku_duplicate",
            "sku",
            "no_produk_penyedia",
            N_("Another product of the cooperative uses the SKU %(sku)s."),
            sku=sku,
        )
    if not facts.has_unit:
        found.add(ERROR, "unit_missing", "unit", "unit_pengukuran", N_("The unit is missing."))
    kbki = (facts.kbki_code or "").strip()
    if not kbki:
        found.add(ERROR, "kbki_missing", "kbki", "kbki_id", N_("The KBKI code is missing."))
    elif not KBKI_PATTERN.fullmatch(kbki):
        found.add(
            ERROR, "kbki_format", "kbki", "kbki_id", N_("The KBKI code %(code)s does not have 10 digits."), code=kbki
        )


def _check_numbers(found: _Findings, facts: ListingFacts) -> None:
    if facts.price is None or facts.price <= 0:
        found.add(ERROR, "price_not_positive", "price", "harga_pemerintah", N_("The price must be more than Rp0."))
    tkdn = facts.tkdn_x100 or 0
    if not 0 <= tkdn <= MAX_TKDN_X100:
        found.add(ERROR, "tkdn_range", "tkdn", "tkdn_produk", N_("TKDN must be from 0 to 100 percent."))
    if not 0 <= (facts.bmp_x100 or 0) <= MAX_BMP_X100:
        found.add(ERROR, "bmp_range", "bmp", "nilai_bmp", N_("BMP must be from 0 to 15 percent."))
    if not facts.is_domestic and tkdn > 0:
        found.add(
            ERROR,
            "imported_with_tkdn",
            "is_domestic",
            "apakah_produk_lokal",
            N_("An imported product (apakah_produk_lokal 0) cannot have TKDN above 0."),
        )
    if tkdn > 0 and not (facts.tkdn_certificate or "").strip():
        found.add(
            WARNING,
            "tkdn_without_certificate",
            "tkdn_certificate",
            "nomor_tkdn",
            N_("TKDN is above 0 but there is no certificate number: e-Katalog treats it as self-declared."),
        )


def _check_validity(found: _Findings, valid_until: date | None, today: date) -> None:
    if valid_until is None:
        found.add(ERROR, "validity_missing", "valid_until", "berlaku_sampai", N_("The price validity date is missing."))
    elif valid_until < today:
        found.add(
            ERROR,
            "validity_past",
            "valid_until",
            "berlaku_sampai",
            N_("The price was valid until %(date)s, which has passed."),
            date=valid_until.isoformat(),
        )
    elif valid_until <= today + timedelta(days=VALIDITY_WARNING_DAYS):
        found.add(
            WARNING,
            "validity_ending",
            "valid_until",
            "berlaku_sampai",
            N_("The price validity ends on %(date)s, within %(n)d days."),
            date=valid_until.isoformat(),
            n=VALIDITY_WARNING_DAYS,
        )


@lru_cache(maxsize=4096)
def is_price_region(code: str | None) -> bool:
    """Whether `code` is a known province or kabupaten/kota code (the regions a price may be for)."""
    region = get_region(code)
    return region is not None and region.level in (1, 2)


def _check_regions(found: _Findings, region_codes: Sequence[str]) -> None:
    for index, code in enumerate(region_codes):
        if not is_price_region(code):
            found.add(
                ERROR,
                "region_unknown",
                f"regional_prices.{index}.region_code",
                "kode_wilayah",
                N_("Unknown region code %(code)s."),
                code=code,
            )


def _check_presentation(found: _Findings, facts: ListingFacts) -> None:
    if not facts.has_large_image:
        found.add(
            WARNING,
            "no_large_image",
            "images",
            "gambar_utama",
            N_("There is no image of at least 300 px; e-Katalog shows products without a good photo poorly."),
        )
    if not (facts.short_description or "").strip():
        found.add(
            WARNING,
            "short_description_missing",
            "short_description",
            "deskripsi_singkat",
            N_("The short description is missing."),
        )
    if not facts.stock:
        found.add(WARNING, "stock_zero", "stock", "kuantitas_stok", N_("The stock is 0: buyers cannot order it."))


def error_count(issues: list[Issue]) -> int:
    return sum(1 for issue in issues if issue.level == ERROR)


def warning_count(issues: list[Issue]) -> int:
    return sum(1 for issue in issues if issue.level == WARNING)
