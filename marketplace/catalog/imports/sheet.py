"""The columns of the `Produk`, `Harga Wilayah` and `Spesifikasi` sheets (../shared/ekatalog-spec.md), in spec
order, with the listing field (API name, see `rules.LISTING_FIELDS`) each input column fills.

One definition drives the upload (header checks, row mapping, error columns) and the template with its
explanations. Output-only columns (computed by the marketplace in exports) are accepted on upload and ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

#: How a column is written in the template: plain text, a code kept as text (leading zeros), a whole number,
#: a decimal number or a date (YYYY-MM-DD).
TEXT, CODE, INTEGER, DECIMAL, DATE = "text", "code", "integer", "decimal", "date"


@dataclass(frozen=True)
class Column:
    """One column of a sheet."""

    name: str
    #: The listing field it fills (API name; for the item sheets the key inside each item), None if output-only.
    field: str | None
    help: Any
    required: bool = False
    kind: str = TEXT
    #: Value of the template's example row.
    example: Any = None

    @property
    def output_only(self) -> bool:
        return self.field is None


@dataclass(frozen=True)
class Sheet:
    """A sheet of the upload (a worksheet in XLSX, a `…_<suffix>.csv` file in a ZIP)."""

    name: str
    csv_suffix: str
    columns: tuple[Column, ...]
    #: For the item sheets: the listing field whose list each row adds to.
    list_field: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if not column.output_only)

    @property
    def required_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    def column_for(self, field: str) -> str | None:
        """The first column that fills `field`."""
        return next((column.name for column in self.columns if column.field == field), None)


def _output(name: str, help_text: Any) -> Column:
    return Column(name, None, help_text)


SKU_HELP = _l("The product's SKU in your cooperative (no_produk_penyedia): letters, digits and . _ / - only.")

PRODUK = Sheet(
    "Produk",
    "produk",
    (
        Column("no_produk_penyedia", "sku", SKU_HELP, required=True, kind=CODE, example="BRS-001"),
        Column("nama_produk", "name", _l("Product name, at most 200 characters."), True, example="Beras Premium 5 kg"),
        Column("merek", "brand", _l("Brand, at most 100 characters."), example="Majapahit"),
        Column("kategori_1", "category_id", _l("Category, level 1 (name from the category list)."), True),
        Column("kategori_2", "category_id", _l("Category, level 2 (name from the category list)."), True),
        Column("kategori_3", "category_id", _l("Category, level 3 (name from the category list)."), True),
        Column("kbki_id", "kbki", _l("KBKI code: 10 digits from the reference list."), True, CODE),
        Column("unspsc", "unspsc", _l("UNSPSC code (8 digits), if known."), kind=INTEGER),
        Column(
            "unit_pengukuran", "unit", _l("Unit from the list, e.g. Kilogram, Karung, Pcs."), True, example="Karung"
        ),
        Column(
            "jenis_produk",
            "is_domestic",
            _l("lokal (made in Indonesia) or impor. Fill this or apakah_produk_lokal."),
            example="lokal",
        ),
        Column(
            "apakah_produk_lokal",
            "is_domestic",
            _l("1 = made in Indonesia (PDN), 0 = imported. Empty means 1."),
            kind=INTEGER,
            example=1,
        ),
        Column("tkdn_produk", "tkdn", _l("TKDN percentage, 0 to 100, at most 2 decimals (40.25)."), kind=DECIMAL),
        Column("nomor_tkdn", "tkdn_certificate", _l("TKDN certificate number; empty when self-declared.")),
        Column("nilai_bmp", "bmp", _l("BMP percentage, 0 to 15, at most 2 decimals."), kind=DECIMAL),
        _output("tkdn_bmp", _l("TKDN + BMP; filled in exports, ignored on upload.")),
        Column("nomor_sni", "sni_number", _l("SNI number, if the product has one.")),
        Column(
            "harga_pemerintah",
            "price",
            _l("Government price excluding PPN, whole rupiah without separators (72500)."),
            True,
            INTEGER,
            72500,
        ),
        Column(
            "ppn_persen", "ppn_percent", _l("PPN %: 0, 11 or 12 (0 when the cooperative is not PKP)."), kind=INTEGER
        ),
        _output("harga_dengan_ppn", _l("Price including PPN; filled in exports, ignored on upload.")),
        Column("ongkos_kirim", "shipping_cost", _l("Shipping cost in whole rupiah; empty means 0."), kind=INTEGER),
        Column("kuantitas_stok", "stock", _l("Stock available, a whole number."), True, INTEGER, 40),
        Column("min_pembelian", "min_order", _l("Minimum order quantity; empty means 1."), kind=INTEGER, example=1),
        Column("berlaku_sampai", "valid_until", _l("Price valid until, as YYYY-MM-DD (today or later)."), True, DATE),
        Column(
            "deskripsi_singkat",
            "short_description",
            _l("Short description, plain text, at most 250 characters."),
            example="Beras putih pulen dari sawah Mojokerto.",
        ),
        Column(
            "deskripsi_lengkap",
            "description",
            _l("Full description, plain text; line breaks are kept."),
            example="Beras premium.\nDikemas 5 kg.",
        ),
        Column("berat_kg", "weight_kg", _l("Weight in kilograms, e.g. 5 or 0.25."), kind=DECIMAL, example=5),
        _output("gambar_utama", _l("Main image address; filled in exports. Add images on the product page.")),
        _output("gambar_lain", _l("Other image addresses; filled in exports, ignored on upload.")),
        _output("nama_penyedia", _l("Cooperative name; filled in exports, ignored on upload.")),
        _output("nib_penyedia", _l("Cooperative NIB; filled in exports, ignored on upload.")),
        _output("npwp_penyedia", _l("Cooperative NPWP; filled in exports, ignored on upload.")),
        _output("kode_wilayah_penyedia", _l("Cooperative region code; filled in exports, ignored on upload.")),
        _output("nama_pelaku_usaha", _l("The UMKM maker; filled in exports, ignored on upload.")),
        _output("skala_usaha", _l("The maker's business scale; filled in exports, ignored on upload.")),
        _output("produk_aktif", _l("1 when on sale; filled in exports, ignored on upload.")),
        _output("tanggal_update", _l("Last approved change; filled in exports, ignored on upload.")),
    ),
)

HARGA_WILAYAH = Sheet(
    "Harga Wilayah",
    "harga_wilayah",
    (
        Column("no_produk_penyedia", "sku", _l("The SKU of a product in the Produk sheet."), True, CODE, "BRS-001"),
        Column(
            "kode_wilayah",
            "region_code",
            _l("Province (35) or regency/city (35.76) code of Kemendagri."),
            True,
            CODE,
            "35.76",
        ),
        _output("nama_wilayah", _l("Region name; filled in exports, ignored on upload.")),
        Column(
            "harga_pemerintah", "price", _l("Price excluding PPN for deliveries to this region."), True, INTEGER, 71000
        ),
        Column(
            "ongkos_kirim", "shipping_cost", _l("Shipping cost to this region; empty means 0."), kind=INTEGER, example=0
        ),
    ),
    list_field="regional_prices",
)

SPESIFIKASI = Sheet(
    "Spesifikasi",
    "spesifikasi",
    (
        Column("no_produk_penyedia", "sku", _l("The SKU of a product in the Produk sheet."), True, CODE, "BRS-001"),
        Column("label", "label", _l("Name of the specification, e.g. Berat."), True, example="Berat"),
        Column("deskripsi", "value", _l("Its value, e.g. 5 kg."), True, example="5 kg"),
    ),
    list_field="specifications",
)

SHEETS = (PRODUK, HARGA_WILAYAH, SPESIFIKASI)
ITEM_SHEETS = (HARGA_WILAYAH, SPESIFIKASI)
#: Stored error columns of the item sheets carry their sheet: `Harga Wilayah!kode_wilayah`.
SHEET_SEPARATOR = "!"


def normalise_name(name: Any) -> str:
    """A header or sheet name compared loosely: trimmed, lower case, single spaces, no BOM."""
    return re.sub(r"\s+", " ", str(name or "").replace("\ufeff", "")).strip().lower()


def sheet_named(name: Any) -> Sheet | None:
    """The sheet whose name matches `name` loosely."""
    wanted = normalise_name(name)
    return next((sheet for sheet in SHEETS if normalise_name(sheet.name) == wanted), None)


def error_column(sheet: Sheet, column: str) -> str:
    """How an error's column is stored: the column name, prefixed with the sheet for the item sheets."""
    return column if sheet is PRODUK else f"{sheet.name}{SHEET_SEPARATOR}{column}"


def split_error_column(stored: str) -> tuple[str, str]:
    """(sheet name, column) of a stored error column."""
    sheet, separator, column = stored.partition(SHEET_SEPARATOR)
    return (sheet, column) if separator else (PRODUK.name, stored)
