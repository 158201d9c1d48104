"""The public catalog's search: the same filters as the search page, under `search_catalog`'s argument names."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from marketplace.accounts.models import SkalaUsaha
from marketplace.api.schemas.catalog.listings import external_url, percent
from marketplace.api.schemas.common import OutModel, PageQuery, page_of
from marketplace.catalog.search.query import SORTS, CatalogHit


class ProductQuery(PageQuery):
    """Filters of the public catalog. Values are checked by the search (422 names the parameter)."""

    text: str | None = Field(
        None,
        max_length=200,
        description="Words to find (all of them), in Indonesian: inflected forms match (beras finds berasnya) and "
        "a one-letter typo in a word of 5 or more letters is corrected",
    )
    category_id: int | None = Field(None, description="A category of any level")
    cooperative_id: int | None = Field(None, description="Products of this cooperative")
    seller_regency: str | None = Field(None, description="The maker's kab/kota (35.76) or province (35) code")
    delivery_region: str | None = Field(
        None,
        description="A region to deliver to: keeps products with a national price or a regional price for its "
        "province or kab/kota, and prices them for it (the price range and price sorts use that price)",
    )
    price_min: int | None = Field(None, description="Lowest price excluding PPN, integer rupiah")
    price_max: int | None = Field(None, description="Highest price excluding PPN, integer rupiah")
    domestic_only: bool = Field(False, description="Made in Indonesia (PDN) only")
    tkdn_bmp_min: Decimal | None = Field(
        None, max_digits=12, description="TKDN + BMP at least this percentage (40 meets the PDN obligation)"
    )
    skala: list[SkalaUsaha] | None = Field(None, description="UMKM scale of the maker; repeat for several")
    sort: str = Field("relevance", description="Order of the results", json_schema_extra={"enum": list(SORTS)})


class CardCooperative(OutModel):
    id: int
    name: str


class CardSeller(OutModel):
    id: int
    business_name: str
    skala_usaha: str
    regency_code: str = Field(description="Kab/kota of the maker")


class ProductCardOut(OutModel):
    """A product on sale as a search result."""

    id: int
    name: str
    brand: str | None
    category_id: int | None
    price: int = Field(description="Excluding PPN, for the delivery region when one is given")
    price_with_ppn: int
    ppn_percent: int
    shipping_cost: int
    price_region: str | None = Field(description="The region of the regional price applied; null: national price")
    unit: str | None
    stock: int
    is_domestic: bool
    tkdn: float
    tkdn_bmp: float
    meets_pdn_threshold: bool = Field(description="Made in Indonesia with TKDN + BMP ≥ 40%")
    cooperative: CardCooperative
    seller: CardSeller
    image_url: str | None = Field(description="The main image, 300 px (the original until that size is made)")
    url: str | None = Field(description="The public product page")
    published_at: datetime

    @classmethod
    def of(cls, hit: CatalogHit) -> ProductCardOut:
        """From a search result."""
        entry = hit.entry
        image_id = hit.main_image_id
        return cls(
            id=entry.product_id,
            name=entry.name,
            brand=entry.brand,
            category_id=entry.category_id,
            price=hit.price,
            price_with_ppn=hit.price_with_ppn,
            ppn_percent=hit.ppn_percent,
            shipping_cost=hit.shipping_cost,
            price_region=hit.price_region,
            unit=hit.unit_name,
            stock=entry.stock,
            is_domestic=entry.is_domestic,
            tkdn=percent(entry.tkdn_x100),
            tkdn_bmp=percent(entry.tkdn_bmp_x100),
            meets_pdn_threshold=hit.meets_pdn_threshold,
            cooperative=CardCooperative(id=entry.cooperative_id, name=hit.cooperative_name),
            seller=CardSeller(
                id=entry.seller_id,
                business_name=hit.seller_name,
                skala_usaha=entry.skala_usaha,
                regency_code=entry.seller_regency_code,
            ),
            image_url=external_url("media.image", image_id=image_id, size=300) if image_id else None,
            url=external_url("catalog.product", product_id=entry.product_id),
            published_at=entry.published_at,
        )


class ProductCardPage(page_of(ProductCardOut)):
    """A page of search results; past a limit the search stops counting (`total_capped`)."""

    total_capped: bool = Field(
        False,
        description="True when more products match than the search counts: `total` is then that limit and means "
        '"more than `total`", as the catalog page shows it',
    )
