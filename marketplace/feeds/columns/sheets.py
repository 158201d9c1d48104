"""The columns shared by the sheets and the datafeed, the three sheets (spec order) and the validation report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.feeds.columns.base import Column, Kind, Sheet
from marketplace.feeds.columns.base import col as _col

# Columns shared by the sheets and the datafeed -------------------------------------------------------------------

SKU = _col(
    "no_produk_penyedia",
    Kind.CODE,
    _l("Provider SKU"),
    _l("The cooperative's SKU of the product, unique within the cooperative."),
    "sku",
    max_length=50,
)
NAME = _col("nama_produk", Kind.TEXT, _l("Product name"), _l("The product name."), "name", max_length=200)
BRAND = _col("merek", Kind.TEXT, _l("Brand"), _l("The brand name; empty when none."), "brand", nullable=True)
KBKI = _col(
    "kbki_id", Kind.CODE, _l("KBKI code"), _l("KBKI commodity code (BPS), 10 digits, leading zeros kept."), "kbki_code"
)
UNSPSC = _col("unspsc", Kind.INTEGER, _l("UNSPSC"), _l("UNSPSC code, where known."), "unspsc", nullable=True)
UNIT = _col("unit_pengukuran", Kind.TEXT, _l("Unit"), _l("Unit of measure from the reference list."), "unit_name")
IS_LOCAL = _col(
    "apakah_produk_lokal",
    Kind.FLAG,
    _l("Domestic product"),
    _l("1 when made in Indonesia (PDN), 0 when imported."),
    "is_local",
)
TKDN = _col(
    "tkdn_produk", Kind.DECIMAL, _l("TKDN %"), _l("Local content (TKDN) in percent, 0–100."), "tkdn_x100", scale=100
)
TKDN_NUMBER = _col(
    "nomor_tkdn",
    Kind.TEXT,
    _l("TKDN certificate"),
    _l("TKDN certificate number; empty when the TKDN is self-declared."),
    "tkdn_certificate",
    nullable=True,
)
BMP = _col(
    "nilai_bmp",
    Kind.DECIMAL,
    _l("BMP %"),
    _l("Company benefit weight (BMP) in percent, 0–15."),
    "bmp_x100",
    scale=100,
)
PRICE = _col(
    "harga_pemerintah",
    Kind.INTEGER,
    _l("Government price"),
    _l("Price for government buyers excluding PPN, in whole rupiah."),
    "price",
)
PPN = _col("ppn_persen", Kind.INTEGER, _l("PPN %"), _l("PPN (VAT) percentage: 0, 11 or 12."), "ppn_percent")
SHIPPING = _col(
    "ongkos_kirim", Kind.INTEGER, _l("Shipping cost"), _l("Shipping cost in whole rupiah."), "shipping_cost"
)
STOCK = _col("kuantitas_stok", Kind.INTEGER, _l("Stock"), _l("Units available now."), "stock")
VALID_UNTIL = _col(
    "berlaku_sampai", Kind.DATE, _l("Price valid until"), _l("Last day the price is valid."), "valid_until"
)
SHORT_DESCRIPTION = _col(
    "deskripsi_singkat",
    Kind.TEXT,
    _l("Short description"),
    _l("Short description, plain text."),
    "short_description",
    nullable=True,
    max_length=250,
)
DESCRIPTION = _col(
    "deskripsi_lengkap",
    Kind.TEXT,
    _l("Full description"),
    _l("Full description, plain text (HTML removed); line breaks kept."),
    "description",
    nullable=True,
)
MAKER = _col(
    "nama_pelaku_usaha", Kind.TEXT, _l("UMKM maker"), _l("The member business (UMKM) that makes it."), "maker_name"
)
SKALA = _col(
    "skala_usaha", Kind.TEXT, _l("Business scale"), _l("The maker's scale: mikro, kecil or menengah."), "skala_usaha"
)
ACTIVE = _col(
    "produk_aktif",
    Kind.FLAG,
    _l("Active"),
    _l("1 when on sale; 0 when withdrawn (e-Katalog removes it)."),
    "produk_aktif",
)
UPDATED = _col(
    "tanggal_update",
    Kind.DATETIME,
    _l("Last update"),
    _l("Last change the feed carries (approval, stock, validity, withdrawal), Asia/Jakarta time."),
    "updated_wib",
)

# The sheets ------------------------------------------------------------------------------------------------------

PRODUK = Sheet(
    "Produk",
    "produk",
    _l("One row per product."),
    (
        SKU,
        NAME,
        BRAND,
        _col("kategori_1", Kind.TEXT, _l("Category 1"), _l("Category, level 1."), "category_1", nullable=True),
        _col("kategori_2", Kind.TEXT, _l("Category 2"), _l("Category, level 2."), "category_2", nullable=True),
        _col("kategori_3", Kind.TEXT, _l("Category 3"), _l("Category, level 3."), "category_3", nullable=True),
        KBKI,
        UNSPSC,
        UNIT,
        _col(
            "jenis_produk",
            Kind.TEXT,
            _l("Product origin"),
            _l("lokal (made in Indonesia) or impor."),
            "jenis_produk",
        ),
        IS_LOCAL,
        TKDN,
        TKDN_NUMBER,
        BMP,
        _col(
            "tkdn_bmp",
            Kind.DECIMAL,
            _l("TKDN + BMP %"),
            _l("TKDN plus BMP, in percent; buyers must prefer 40 or more."),
            "tkdn_bmp_x100",
            scale=100,
        ),
        _col(
            "nomor_sni", Kind.TEXT, _l("SNI number"), _l("SNI certificate number, if any."), "sni_number", nullable=True
        ),
        PRICE,
        PPN,
        _col(
            "harga_dengan_ppn",
            Kind.INTEGER,
            _l("Price with PPN"),
            _l("Government price plus PPN, rounded half up to whole rupiah."),
            "price_with_ppn",
        ),
        SHIPPING,
        STOCK,
        _col("min_pembelian", Kind.INTEGER, _l("Minimum order"), _l("Minimum order quantity."), "min_order"),
        VALID_UNTIL,
        SHORT_DESCRIPTION,
        DESCRIPTION,
        _col(
            "berat_kg",
            Kind.DECIMAL,
            _l("Weight (kg)"),
            _l("Weight in kilograms."),
            "weight_grams",
            scale=1000,
            nullable=True,
        ),
        _col(
            "gambar_utama",
            Kind.URL,
            _l("Main image"),
            _l("Address of the main image (800 px); empty when the product has no image."),
            "main_image_url",
            nullable=True,
        ),
        _col(
            "gambar_lain",
            Kind.URL,
            _l("Other images"),
            _l("Addresses of the other images (800 px), separated by ' | '."),
            "other_image_urls",
            nullable=True,
        ),
        _col("nama_penyedia", Kind.TEXT, _l("Provider"), _l("The cooperative (penyedia)."), "cooperative_name"),
        _col(
            "nib_penyedia",
            Kind.CODE,
            _l("Provider NIB"),
            _l("The cooperative's NIB, 13 digits."),
            "cooperative_nib",
            nullable=True,
        ),
        _col(
            "npwp_penyedia",
            Kind.CODE,
            _l("Provider NPWP"),
            _l("The cooperative's NPWP, 16 digits."),
            "cooperative_npwp",
            nullable=True,
        ),
        _col(
            "kode_wilayah_penyedia",
            Kind.CODE,
            _l("Provider region"),
            _l("Kemendagri code of the cooperative's kelurahan or desa."),
            "cooperative_region_code",
        ),
        MAKER,
        SKALA,
        ACTIVE,
        UPDATED,
    ),
)

ITEM_SKU = Column(SKU.key, SKU.kind, SKU.label, _l("The SKU of a product in the Produk sheet."), "sku", of_record=True)

HARGA_WILAYAH = Sheet(
    "Harga Wilayah",
    "harga_wilayah",
    _l("One row per product and region with its own price."),
    (
        ITEM_SKU,
        _col(
            "kode_wilayah",
            Kind.CODE,
            _l("Region code"),
            _l("Kemendagri code of a province (35) or regency/city (35.76)."),
            "region_code",
        ),
        _col("nama_wilayah", Kind.TEXT, _l("Region"), _l("The region's name."), "region_name"),
        _col(
            "harga_pemerintah",
            Kind.INTEGER,
            _l("Government price"),
            _l("Price excluding PPN for deliveries to this region, in whole rupiah."),
            "price",
        ),
        _col(
            "ongkos_kirim",
            Kind.INTEGER,
            _l("Shipping cost"),
            _l("Shipping cost to this region, in whole rupiah."),
            "shipping_cost",
        ),
    ),
    items="regional_prices",
)

SPESIFIKASI = Sheet(
    "Spesifikasi",
    "spesifikasi",
    _l("One row per product and specification."),
    (
        ITEM_SKU,
        _col("label", Kind.TEXT, _l("Label"), _l("Name of the specification, e.g. Berat."), "label"),
        _col("deskripsi", Kind.TEXT, _l("Value"), _l("Its value, e.g. 5 kg."), "value"),
    ),
    items="specifications",
)

SHEETS = (PRODUK, HARGA_WILAYAH, SPESIFIKASI)


# The validation report -------------------------------------------------------------------------------------------

REPORT_COLUMNS = (
    _col("no_produk_penyedia", Kind.CODE, _l("Provider SKU"), _l("The product."), "sku"),
    _col(
        "tingkat",
        Kind.TEXT,
        _l("Level"),
        _l("kesalahan (the product was left out, or withdrawn when e-Katalog had it) or peringatan."),
        "level",
    ),
    _col("kolom", Kind.TEXT, _l("Column"), _l("The feed column concerned."), "column"),
    _col("pesan", Kind.TEXT, _l("Message"), _l("What is wrong, in Indonesian."), "message"),
)
