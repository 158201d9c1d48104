"""The feed spec's checks of a product before it enters an e-Katalog feed: errors exclude it, warnings are listed.

`check_listing(product, revision)` is used by the cooperative's review (approval is refused while there are errors)
and by the feeds (the report beside each feed file). It reads only the database and never a request, so it runs the
same in a page, the API and a worker. Messages are in the current locale (use `force_locale` in a worker).

For the live revision the live stock and price validity (on `Product`, changed by quick updates without review) are
checked; for a proposed revision its own values.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.catalog.models import Product, ProductImage, ProductRevision
from marketplace.core.timeutil import to_jakarta, utcnow
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


def today_in_jakarta() -> date:
    """The current date in Asia/Jakarta (WIB), the date e-Katalog compares `berlaku_sampai` with."""
    return to_jakarta(utcnow()).date()


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


def _is_duplicate(product: Product, sku: str, duplicates: Collection[str] | None) -> bool:
    if duplicates is not None:
        return sku.lower() in duplicates
    return _sku_used_elsewhere(product)


def has_large_image(image: ProductImage) -> bool:
    """A version of at least 300 px exists: the 300 or 800 px size was made, or the original is that large."""
    sizes = set(image.sizes or [])
    return bool(sizes & {300, 800}) or max(image.width or 0, image.height or 0) >= MIN_IMAGE_SIDE


class _Findings(list):
    def add(self, level: str, code: str, field: str, column: str, message: str) -> None:
        self.append(Issue(level, code, field, column, message))


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
    today = today or today_in_jakarta()
    is_live = product.live_revision_id is not None and product.live_revision_id == revision.id
    stock = product.stock if is_live else revision.stock
    valid_until = (product.valid_until or revision.valid_until) if is_live else revision.valid_until
    found = _Findings()
    _check_identity(found, product, revision, duplicates)
    _check_numbers(found, revision)
    _check_validity(found, valid_until, today)
    _check_regions(found, revision)
    _check_presentation(found, revision, stock)
    return sorted(found, key=lambda issue: issue.level != ERROR)


def _check_identity(
    found: _Findings, product: Product, revision: ProductRevision, duplicates: Collection[str] | None
) -> None:
    if not (revision.name or "").strip():
        found.add(ERROR, "name_missing", "name", "nama_produk", _("The product name is missing."))
    sku = (product.sku or "").strip()
    if not sku:
        found.add(ERROR, "sku_missing", "sku", "no_produk_penyedia", _("The SKU (no_produk_penyedia) is missing."))
    elif _is_duplicate(product, sku, duplicates):
        found.add(
            ERROR,
            "sku_duplicate",
            "sku",
            "no_produk_penyedia",
            _("Another product of the cooperative uses the SKU %(sku)s.", sku=sku),
        )
    if revision.unit_id is None:
        found.add(ERROR, "unit_missing", "unit", "unit_pengukuran", _("The unit is missing."))
    kbki = (revision.kbki_code or "").strip()
    if not kbki:
        found.add(ERROR, "kbki_missing", "kbki", "kbki_id", _("The KBKI code is missing."))
    elif not KBKI_PATTERN.fullmatch(kbki):
        found.add(
            ERROR, "kbki_format", "kbki", "kbki_id", _("The KBKI code %(code)s does not have 10 digits.", code=kbki)
        )


def _check_numbers(found: _Findings, revision: ProductRevision) -> None:
    if revision.price is None or revision.price <= 0:
        found.add(ERROR, "price_not_positive", "price", "harga_pemerintah", _("The price must be more than Rp0."))
    tkdn = revision.tkdn_x100 or 0
    if not 0 <= tkdn <= MAX_TKDN_X100:
        found.add(ERROR, "tkdn_range", "tkdn", "tkdn_produk", _("TKDN must be from 0 to 100 percent."))
    if not 0 <= (revision.bmp_x100 or 0) <= MAX_BMP_X100:
        found.add(ERROR, "bmp_range", "bmp", "nilai_bmp", _("BMP must be from 0 to 15 percent."))
    if not revision.is_domestic and tkdn > 0:
        found.add(
            ERROR,
            "imported_with_tkdn",
            "is_domestic",
            "apakah_produk_lokal",
            _("An imported product (apakah_produk_lokal 0) cannot have TKDN above 0."),
        )
    if tkdn > 0 and not (revision.tkdn_certificate or "").strip():
        found.add(
            WARNING,
            "tkdn_without_certificate",
            "tkdn_certificate",
            "nomor_tkdn",
            _("TKDN is above 0 but there is no certificate number: e-Katalog treats it as self-declared."),
        )


def _check_validity(found: _Findings, valid_until: date | None, today: date) -> None:
    if valid_until is None:
        found.add(ERROR, "validity_missing", "valid_until", "berlaku_sampai", _("The price validity date is missing."))
    elif valid_until < today:
        found.add(
            ERROR,
            "validity_past",
            "valid_until",
            "berlaku_sampai",
            _("The price was valid until %(date)s, which has passed.", date=valid_until.isoformat()),
        )
    elif valid_until <= today + timedelta(days=VALIDITY_WARNING_DAYS):
        found.add(
            WARNING,
            "validity_ending",
            "valid_until",
            "berlaku_sampai",
            _(
                "The price validity ends on %(date)s, within %(n)d days.",
                date=valid_until.isoformat(),
                n=VALIDITY_WARNING_DAYS,
            ),
        )


def _check_regions(found: _Findings, revision: ProductRevision) -> None:
    for index, regional in enumerate(revision.regional_prices):
        region = get_region(regional.region_code)
        if region is None or region.level not in (1, 2):
            found.add(
                ERROR,
                "region_unknown",
                f"regional_prices.{index}.region_code",
                "kode_wilayah",
                _("Unknown region code %(code)s.", code=regional.region_code),
            )


def _check_presentation(found: _Findings, revision: ProductRevision, stock: int | None) -> None:
    if not any(has_large_image(link.image) for link in revision.images):
        found.add(
            WARNING,
            "no_large_image",
            "images",
            "gambar_utama",
            _("There is no image of at least 300 px; e-Katalog shows products without a good photo poorly."),
        )
    if not (revision.short_description or "").strip():
        found.add(
            WARNING,
            "short_description_missing",
            "short_description",
            "deskripsi_singkat",
            _("The short description is missing."),
        )
    if not stock:
        found.add(WARNING, "stock_zero", "stock", "kuantitas_stok", _("The stock is 0: buyers cannot order it."))


def error_count(issues: list[Issue]) -> int:
    return sum(1 for issue in issues if issue.level == ERROR)


def warning_count(issues: list[Issue]) -> int:
    return sum(1 for issue in issues if issue.level == WARNING)
