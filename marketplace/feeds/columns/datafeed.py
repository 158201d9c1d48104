"""The sections of a product's datafeed document (e-Katalog v5 vendor datafeed), in the order they are written."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.feeds.columns.base import Column, DatafeedSection, Kind
from marketplace.feeds.columns.base import col as _col
from marketplace.feeds.columns.sheets import (
    ACTIVE,
    BMP,
    BRAND,
    DESCRIPTION,
    IS_LOCAL,
    KBKI,
    MAKER,
    NAME,
    PPN,
    PRICE,
    SHIPPING,
    SHORT_DESCRIPTION,
    SKALA,
    SKU,
    SPESIFIKASI,
    STOCK,
    TKDN,
    TKDN_NUMBER,
    UNIT,
    UNSPSC,
    UPDATED,
    VALID_UNTIL,
)


def _image_column(size: int) -> Column:
    return _col(
        f"image_{size}x{size}",
        Kind.URL,
        _l("Main image %(size)d px", size=size),
        _l("Address of the main image at %(size)d px; null without an image.", size=size),
        f"main_image_{size}",
        nullable=True,
    )


INFORMASI = DatafeedSection(
    "informasi",
    _l("Product information"),
    _l("The product, its codes, descriptions, stock, TKDN and maker."),
    (
        SKU,
        NAME,
        _col(
            "id_kategori_produk_lkpp",
            Kind.CODE,
            _l("LKPP category id"),
            _l("LKPP category id, where the cooperative or the operator mapped one."),
            "lkpp_category_id",
            nullable=True,
        ),
        UNSPSC,
        KBKI,
        _col(
            "id_manufaktur",
            Kind.CODE,
            _l("LKPP brand id"),
            _l("LKPP brand id, where mapped (none are mapped yet: null)."),
            "lkpp_brand_id",
            nullable=True,
        ),
        BRAND,
        _col(
            "id_unit_pengukuran_lkpp",
            Kind.CODE,
            _l("LKPP unit id"),
            _l("LKPP unit id, where the operator mapped one."),
            "unit_lkpp_id",
            nullable=True,
        ),
        UNIT,
        SHORT_DESCRIPTION,
        DESCRIPTION,
        STOCK,
        VALID_UNTIL,
        TKDN,
        BMP,
        TKDN_NUMBER,
        IS_LOCAL,
        ACTIVE,
        UPDATED,
        _col("url_produk", Kind.URL, _l("Product page"), _l("Address of the public product page."), "url"),
        *(_image_column(size) for size in (50, 100, 300, 800)),
        MAKER,
        SKALA,
    ),
)

HARGA = DatafeedSection(
    "harga",
    _l("Prices"),
    _l("Prices in whole rupiah, and the regional prices in `wilayah`."),
    (
        _col(
            "harga_retail",
            Kind.INTEGER,
            _l("Retail price"),
            _l("Retail price in whole rupiah; the price with PPN when the seller gave none."),
            "retail_price",
        ),
        PRICE,
        PPN,
        SHIPPING,
        _col("kurs_id", Kind.INTEGER, _l("Currency"), _l("1 = rupiah (IDR)."), "currency_id"),
        UPDATED,
    ),
    items="regional_prices",
    list_key="wilayah",
    item_columns=(
        _col("kode_wilayah", Kind.CODE, _l("Region code"), _l("Province or regency/city code."), "region_code"),
        _col("harga", Kind.INTEGER, _l("Regional price"), _l("Price excluding PPN in this region."), "price"),
        _col("ongkos_kirim", Kind.INTEGER, _l("Shipping cost"), _l("Shipping cost to this region."), "shipping_cost"),
    ),
)

SPESIFIKASI_SECTION = DatafeedSection(
    "spesifikasi",
    _l("Specifications"),
    _l("The specifications in display order."),
    items="specifications",
    list_key="item",
    item_columns=SPESIFIKASI.columns[1:],
)

IMAGE = DatafeedSection(
    "image",
    _l("Images"),
    _l("Addresses of every image at 800 px, the main image first."),
    items="image_urls",
    list_key="item",
    item_kind=Kind.URL,
)

LAMPIRAN = DatafeedSection(
    "lampiran",
    _l("Attachments"),
    _l("Certificates and other PDF files attached to the product."),
    items="attachments",
    list_key="item",
    item_columns=(
        _col("file", Kind.URL, _l("File"), _l("Address of the PDF file."), "url"),
        _col("deskripsi", Kind.TEXT, _l("Description"), _l("What the file is."), "description", nullable=True),
    ),
)

#: The sections of a product's document, in the order they are written.
DATAFEED_SECTIONS = (INFORMASI, SPESIFIKASI_SECTION, IMAGE, HARGA, LAMPIRAN)
