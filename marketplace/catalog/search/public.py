"""The public product page's data: an active product's live version and its price for a delivery region."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts.models import BUYER_ROLES, SellerProfile, User
from marketplace.catalog.models import KbkiCode, Product, ProductRevision
from marketplace.catalog.search.query import PDN_THRESHOLD_X100, delivery_codes
from marketplace.catalog.states import ProductStatus
from marketplace.core.errors import NotFound
from marketplace.core.money import ppn_amount, with_ppn
from marketplace.extensions import db
from marketplace.reference.regions import get_region


@dataclass(frozen=True)
class Offer:
    """What a buyer pays for one unit delivered to a region."""

    #: Excluding PPN, integer rupiah.
    price: int
    ppn_percent: int
    shipping_cost: int
    #: The regional price's region code; None for the national price.
    region_code: str | None

    @property
    def ppn(self) -> int:
        return ppn_amount(self.price, self.ppn_percent)

    @property
    def price_with_ppn(self) -> int:
        return with_ppn(self.price, self.ppn_percent)


@dataclass(frozen=True)
class PublicProduct:
    """An active product as buyers and visitors see it."""

    product: Product
    revision: ProductRevision
    profile: SellerProfile | None
    kbki_title: str | None

    @property
    def meets_pdn_threshold(self) -> bool:
        """Domestic with TKDN + BMP ≥ 40 %."""
        return self.revision.is_domestic and self.tkdn_bmp_x100 >= PDN_THRESHOLD_X100

    @property
    def tkdn_bmp_x100(self) -> int:
        return self.revision.tkdn_x100 + self.revision.bmp_x100


def public_product(*, product_id: int) -> PublicProduct:
    """An active product with its live version; NotFound for anything else (drafts, withdrawn, unknown)."""
    product = db.session.get(Product, product_id)
    if product is None or product.status != ProductStatus.ACTIVE or product.live_revision is None:
        raise NotFound(_("This product is not in the catalog."))
    revision = product.live_revision
    profile = db.session.scalar(select(SellerProfile).where(SellerProfile.user_id == product.seller_id))
    kbki = db.session.get(KbkiCode, revision.kbki_code) if revision.kbki_code else None
    return PublicProduct(product, revision, profile, kbki.title if kbki else None)


def applicable_price(
    regional: dict[str, tuple[int, int]], national: tuple[int, int] | None, region_code: str | None
) -> tuple[int, int, str | None] | None:
    """(unit price, shipping per unit, the regional price's code or None) for deliveries to `region_code`: the
    regional price of its kab/kota, else of its province, else the national price; None when there is none (not
    delivered there). `regional` maps region codes to (price, shipping); `national` is None without one."""
    for code in reversed(delivery_codes(region_code)) if region_code else ():
        if code in regional:
            return (*regional[code], code)
    return None if national is None else (*national, None)


def offer_for_region(revision: ProductRevision, region_code: str | None) -> Offer | None:
    """The regional price for the region's kab/kota or province if any, else the national price when the
    product has one, else None (not delivered there). Without a region: the national price or None."""
    regional = {price.region_code: (price.price, price.shipping_cost) for price in revision.regional_prices}
    national = (revision.price, revision.shipping_cost) if revision.national_price else None
    found = applicable_price(regional, national, region_code)
    return None if found is None else Offer(found[0], revision.ppn_percent, found[1], found[2])


def regional_offers(revision: ProductRevision) -> list[Offer]:
    """Every regional price of the live version, as offers."""
    return [
        Offer(price.price, revision.ppn_percent, price.shipping_cost, price.region_code)
        for price in revision.regional_prices
    ]


def buyer_region(user: User | None) -> str | None:
    """A signed-in buyer's default delivery region: their work unit's kab/kota (or province)."""
    if user is None or not user.is_authenticated or not user.has_role(*BUYER_ROLES) or user.work_unit is None:
        return None
    code = ".".join(user.work_unit.region_code.split(".")[:2])
    return code if get_region(code) is not None else None
