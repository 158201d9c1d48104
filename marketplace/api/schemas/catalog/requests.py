"""Request bodies and queries of listings, named as in `rules.LISTING_FIELDS`.

They check shape and types only; the rules of the values (ranges, reference lists, combinations) live in
`marketplace.catalog.rules.clean_listing`, whose errors come back as 422 with the same dotted field paths.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from marketplace.api.schemas.common import InModel, optional
from marketplace.catalog.rules import LISTING_FIELDS

Sku = Annotated[
    str,
    Field(
        description="`no_produk_penyedia`: the cooperative's SKU, unique in the cooperative; letters, digits and "
        ". _ / - (at most 50)",
        examples=["BRS-001"],
    ),
]
ProductName = Annotated[str, Field(description="`nama_produk`, at most 200 characters")]
Brand = Annotated[str | None, Field(description="`merek`, at most 100 characters")]
CategoryId = Annotated[int, Field(description="Id of an active category of the third level")]
Kbki = Annotated[str, Field(description="`kbki_id`: KBKI code of 10 digits from the reference list")]
UnitName = Annotated[str, Field(description="`unit_pengukuran`: a unit from the reference list, e.g. Kilogram")]
Price = Annotated[int, Field(description="`harga_pemerintah`: government price excluding PPN, integer rupiah (> 0)")]
RetailPrice = Annotated[int | None, Field(description="`harga_retail`, integer rupiah, where known")]
PpnPercent = Annotated[int, Field(description="`ppn_persen`: 0, 11 or 12; 0 when the cooperative is not PKP")]
ShippingCost = Annotated[int, Field(description="`ongkos_kirim`, integer rupiah")]
NationalPrice = Annotated[bool, Field(description="The price applies to every region; else only `regional_prices`")]
Stock = Annotated[int, Field(description="`kuantitas_stok`: units available")]
MinOrder = Annotated[int, Field(description="Minimum order quantity")]
ValidUntil = Annotated[
    str,
    WithJsonSchema({"type": "string", "format": "date"}),
    Field(
        description="`berlaku_sampai`: the price is valid until this date (YYYY-MM-DD), not in the past",
        examples=["2026-12-31"],
    ),
]
IsDomestic = Annotated[bool, Field(description="`apakah_produk_lokal`: made in Indonesia (PDN)")]
#: Percentages and weights: a JSON number or a string; max_digits keeps absurd numbers out (the range is a rule).
Tkdn = Annotated[Decimal, Field(max_digits=12, description="`tkdn_produk`: local content %, 0–100, 2 decimals")]
TkdnCertificate = Annotated[str | None, Field(description="`nomor_tkdn`; empty means self-declared")]
Bmp = Annotated[Decimal, Field(max_digits=12, description="`nilai_bmp`: company benefit weight %, 0–15, 2 decimals")]
SniNumber = Annotated[str | None, Field(description="`nomor_sni`, where certified")]
WeightKg = Annotated[Decimal | None, Field(max_digits=12, description="Weight in kilograms, e.g. 0.25")]
ShortDescription = Annotated[str | None, Field(description="`deskripsi_singkat`: plain text, at most 250 characters")]
Description = Annotated[
    str | None, Field(description="`deskripsi_lengkap`: plain text; line breaks are kept, HTML is shown as typed")
]
LkppCategoryId = Annotated[str | None, Field(description="`id_kategori_produk_lkpp`, where mapped")]
Unspsc = Annotated[int | None, Field(description="UNSPSC code (8 digits), where known")]


class SpecificationIn(InModel):
    label: str = Field(description="e.g. Berat")
    value: str = Field(description="e.g. 5 kg")


class RegionalPriceIn(InModel):
    region_code: str = Field(description="Kemendagri code of a province (35) or kab/kota (35.76)")
    price: Price
    shipping_cost: ShippingCost = 0


Specifications = Annotated[list[SpecificationIn], Field(description="Label and value pairs, in display order")]
RegionalPrices = Annotated[
    list[RegionalPriceIn],
    Field(description="Prices for deliveries to a province or kab/kota; required when `national_price` is false"),
]


class ListingIn(InModel):
    """Every e-Katalog field of a listing. The values are checked by the catalog's rules: a 422 names every bad
    field by its dotted path (`regional_prices.0.price`)."""

    sku: Sku
    name: ProductName
    brand: Brand = None
    category_id: CategoryId
    kbki: Kbki
    unit: UnitName
    price: Price
    retail_price: RetailPrice = None
    ppn_percent: PpnPercent = 0
    shipping_cost: ShippingCost = 0
    national_price: NationalPrice = True
    stock: Stock
    min_order: MinOrder = 1
    valid_until: ValidUntil
    is_domestic: IsDomestic = True
    tkdn: Tkdn = Decimal(0)
    tkdn_certificate: TkdnCertificate = None
    bmp: Bmp = Decimal(0)
    sni_number: SniNumber = None
    weight_kg: WeightKg = None
    short_description: ShortDescription = None
    description: Description = None
    specifications: Specifications = []
    regional_prices: RegionalPrices = []
    lkpp_category_id: LkppCategoryId = None
    unspsc: Unspsc = None


class ProductCreate(ListingIn):
    """A new product: its listing data, the maker (for managers) and whether to submit it for review at once."""

    seller_id: int | None = Field(None, description="Managers: the user id of the active member who makes it")
    submit: bool = Field(False, description="Submit for review at once instead of saving a draft")


class ProductUpdate(InModel):
    """Fields to change; the others keep the value of the open revision, else of the live version. `null` clears
    an optional field."""

    sku: Sku = optional()
    name: ProductName = optional()
    brand: Brand = None
    category_id: CategoryId = optional()
    kbki: Kbki = optional()
    unit: UnitName = optional()
    price: Price = optional()
    retail_price: RetailPrice = None
    ppn_percent: PpnPercent = optional()
    shipping_cost: ShippingCost = optional()
    national_price: NationalPrice = optional()
    stock: Stock = optional()
    min_order: MinOrder = optional()
    valid_until: ValidUntil = optional()
    is_domestic: IsDomestic = optional()
    tkdn: Tkdn = optional()
    tkdn_certificate: TkdnCertificate = None
    bmp: Bmp = optional()
    sni_number: SniNumber = None
    weight_kg: WeightKg = None
    short_description: ShortDescription = None
    description: Description = None
    specifications: Specifications = optional()
    regional_prices: RegionalPrices = optional()
    lkpp_category_id: LkppCategoryId = None
    unspsc: Unspsc = None
    submit: bool = Field(False, description="Submit the revision for review after saving")


def listing_raw(body: InModel, *, exclude: set[str] = frozenset()) -> dict[str, Any]:
    """The fields sent, as `clean_listing` takes them (percentages and weights as text)."""
    raw = body.model_dump(exclude_unset=True, include=set(LISTING_FIELDS) - exclude)
    for key, value in raw.items():
        if isinstance(value, Decimal):
            raw[key] = format(value, "f")
    return raw


class WithdrawIn(InModel):
    reason: str | None = Field(None, max_length=2000, description="Why it is taken off sale (kept in the audit log)")
