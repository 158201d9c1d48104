"""The sheet definitions follow the spec; the three file shapes read alike; bad files are refused with a reason."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from flask_babel import force_locale

from marketplace.catalog.imports.reader import (
    CSV,
    XLSX,
    ZIP,
    ImportFileError,
    check_layout,
    open_source,
    sheet_rows,
    sniff_format,
)
from marketplace.catalog.imports.sheet import HARGA_WILAYAH, PRODUK, SPESIFIKASI, split_error_column
from marketplace.catalog.rules import LISTING_FIELDS
from tests.catalog.imports.files import (
    PRODUK_HEADER,
    csv_bytes,
    product_row,
    products_xlsx,
    products_zip,
    xlsx_bytes,
    zip_bytes,
)

SPEC_PRODUK_COLUMNS = """no_produk_penyedia, nama_produk, merek, kategori_1, kategori_2, kategori_3, kbki_id, unspsc,
unit_pengukuran, jenis_produk, apakah_produk_lokal, tkdn_produk, nomor_tkdn, nilai_bmp, tkdn_bmp, nomor_sni,
harga_pemerintah, ppn_persen, harga_dengan_ppn, ongkos_kirim, kuantitas_stok, min_pembelian, berlaku_sampai,
deskripsi_singkat, deskripsi_lengkap, berat_kg, gambar_utama, gambar_lain, nama_penyedia, nib_penyedia, npwp_penyedia,
kode_wilayah_penyedia, nama_pelaku_usaha, skala_usaha, produk_aktif, tanggal_update"""
OUTPUT_ONLY = {
    "harga_dengan_ppn", "tkdn_bmp", "nama_penyedia", "nib_penyedia", "npwp_penyedia", "kode_wilayah_penyedia",
    "nama_pelaku_usaha", "skala_usaha", "produk_aktif", "tanggal_update", "gambar_utama", "gambar_lain",
}  # fmt: skip


def rows_of(data: bytes, sheet=PRODUK) -> list[tuple[int, dict]]:
    stream = io.BytesIO(data)
    with open_source(stream, sniff_format(stream)) as source:
        positions = check_layout(source)
        return list(sheet_rows(source, sheet, positions[sheet.name])) if sheet.name in positions else []


def refusal(data: bytes) -> str:
    """The reason a file is refused, in English."""
    stream = io.BytesIO(data)
    with force_locale("en"), pytest.raises(ImportFileError) as error, open_source(stream, sniff_format(stream)) as src:
        check_layout(src)
    return error.value.message


def test_the_sheets_have_the_spec_columns_in_order_and_fill_listing_fields(app) -> None:
    assert list(PRODUK.names) == [name.strip() for name in SPEC_PRODUK_COLUMNS.split(",")]
    assert {column.name for column in PRODUK.columns if column.output_only} == OUTPUT_ONLY
    assert {column.field for column in PRODUK.input_columns} <= set(LISTING_FIELDS)
    assert HARGA_WILAYAH.names == (
        "no_produk_penyedia",
        "kode_wilayah",
        "nama_wilayah",
        "harga_pemerintah",
        "ongkos_kirim",
    )
    assert SPESIFIKASI.names == ("no_produk_penyedia", "label", "deskripsi")
    assert {HARGA_WILAYAH.list_field, SPESIFIKASI.list_field} <= set(LISTING_FIELDS)
    assert split_error_column("Harga Wilayah!kode_wilayah") == ("Harga Wilayah", "kode_wilayah")
    assert split_error_column("harga_pemerintah") == ("Produk", "harga_pemerintah")


@pytest.mark.parametrize(
    ("build", "expected_format"),
    [
        (lambda p, r, s: products_xlsx(p, r, s), XLSX),
        (lambda p, r, s: products_zip(p, r, s), ZIP),
        (lambda p, r, s: csv_bytes(p), CSV),
    ],
    ids=["xlsx", "zip", "csv"],
)
def test_the_three_shapes_read_alike(app, build, expected_format) -> None:
    products = [product_row(1), product_row(2, nama_produk='Beras, Pulen "Super"\nbaris dua')]
    regional = [{"no_produk_penyedia": "BRS-0001", "kode_wilayah": "35.76", "harga_pemerintah": "71000"}]
    specifications = [{"no_produk_penyedia": "BRS-0002", "label": "Berat", "deskripsi": "5 kg"}]
    data = build(products, regional, specifications)
    assert sniff_format(io.BytesIO(data)) == expected_format

    rows = rows_of(data)
    assert [number for number, _ in rows] == [2, 3]
    assert str(rows[0][1]["harga_pemerintah"]) == "72500"
    assert rows[1][1]["nama_produk"] == 'Beras, Pulen "Super"\nbaris dua'
    assert set(rows[0][1]) == {column.name for column in PRODUK.input_columns}
    if expected_format != CSV:
        assert [(n, c["kode_wilayah"]) for n, c in rows_of(data, HARGA_WILAYAH)] == [(2, "35.76")]
        assert [(n, c["label"], c["deskripsi"]) for n, c in rows_of(data, SPESIFIKASI)] == [(2, "Berat", "5 kg")]
    else:
        assert rows_of(data, HARGA_WILAYAH) == []


def test_csv_without_bom_with_semicolons_and_escaped_formulas(app) -> None:
    data = csv_bytes([product_row(1, nama_produk="'=1+2 hemat", merek="'-")], bom=False, delimiter=";")
    ((number, cells),) = rows_of(data)
    assert number == 2
    assert cells["nama_produk"] == "=1+2 hemat"  # the exporter's leading ' is taken off again
    assert cells["merek"] == "-"
    assert cells["no_produk_penyedia"] == "BRS-0001"


def test_blank_rows_are_skipped_but_keep_their_numbers(app) -> None:
    values = [product_row(n).get(name) for n in (1, 2) for name in PRODUK_HEADER]
    width = len(PRODUK_HEADER)
    first, second = values[:width], values[width:]
    data = xlsx_bytes({"Produk": [PRODUK_HEADER, first, [None] * width, ["  ", *[None] * (width - 1)], second]})
    assert [number for number, _ in rows_of(data)] == [2, 5]
    csv_data = csv_bytes([product_row(1), {}, product_row(2)])
    assert [number for number, _ in rows_of(csv_data)] == [2, 4]


def test_xlsx_cells_keep_their_types_and_whole_numbers_lose_the_decimal(app) -> None:
    row = product_row(1, harga_pemerintah=72500.0, tkdn_produk=40.25, berlaku_sampai=datetime(2030, 1, 31))
    ((_, cells),) = rows_of(products_xlsx([row], header=[*PRODUK_HEADER, None, None]))
    assert cells["harga_pemerintah"] == 72500 and isinstance(cells["harga_pemerintah"], int)
    assert cells["tkdn_produk"] == 40.25
    assert cells["berlaku_sampai"] == datetime(2030, 1, 31)


def test_output_only_columns_and_loose_header_spelling_are_accepted(app) -> None:
    header = [name.replace("_", " ").title() for name in PRODUK.names]  # "Nama Produk", … every spec column
    row = {**product_row(1), "harga_dengan_ppn": "999", "nama_penyedia": "ignored"}
    data = xlsx_bytes({"produk": [header, [row.get(name) for name in PRODUK.names]]})
    ((_, cells),) = rows_of(data)
    assert "harga_dengan_ppn" not in cells and "nama_penyedia" not in cells
    assert cells["nama_produk"] == "Beras Premium Majapahit 1 kg"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not a CSV or XLSX file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\x00", "not a CSV or XLSX file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old Excel file (.xls)"),
        (zip_bytes({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"}), "not a CSV or XLSX file"),
        (b"PK\x03\x04 broken", "not a CSV or XLSX file"),
        ("no_produk_penyedia;nama_produk\nA;Kaos batik ekspor Pekalongan \xe9".encode("latin-1"), "not UTF-8 text"),
    ],
    ids=["empty", "png", "pdf", "xls", "docx", "broken-zip", "latin-1-csv"],
)
def test_files_that_are_not_csv_or_xlsx_are_refused_with_the_reason(app, data, reason) -> None:
    stream = io.BytesIO(data)
    with force_locale("en"), pytest.raises(ImportFileError) as error:
        sniff_format(stream)
    assert reason in error.value.message


def test_wrong_columns_are_named(app) -> None:
    header = [n for n in PRODUK_HEADER if n not in ("harga_pemerintah", "kbki_id")] + ["harga", "warna", "merek"]
    message = refusal(xlsx_bytes({"Produk": [header, ["x"] * len(header)]}))
    assert "“Produk”" in message
    assert "Missing columns: kbki_id, harga_pemerintah." in message
    assert "Unknown columns: harga, warna." in message
    assert "Columns given twice: merek." in message


def test_the_item_sheets_are_checked_too_and_the_product_sheet_is_required(app) -> None:
    bad_regional = xlsx_bytes({"Produk": [PRODUK_HEADER, list(product_row(1).values())], "Harga Wilayah": [["sku"]]})
    assert "“Harga Wilayah”" in refusal(bad_regional)
    assert "Missing columns: no_produk_penyedia, kode_wilayah, harga_pemerintah." in refusal(bad_regional)
    message = refusal(xlsx_bytes({"Sheet1": [PRODUK_HEADER]}))
    assert "no sheet named “Produk”" in message and "Sheet1" in message
    assert "no product rows" in refusal(csv_bytes([]))
    assert "_produk.csv" in refusal(zip_bytes({"toko_harga_wilayah.csv": csv_bytes([])}))
    two = zip_bytes({"a_produk.csv": csv_bytes([product_row(1)]), "b_produk.csv": csv_bytes([product_row(2)])})
    assert "more than one CSV" in refusal(two)


def test_zip_members_are_found_by_name_and_other_files_ignored(app) -> None:
    data = zip_bytes(
        {
            "ekspor/KKMP Gununggedangan Produk.csv": csv_bytes([product_row(1)]),
            "__MACOSX/._x_produk.csv": b"\x00\x05junk",
            "petunjuk.csv": b"sheet,kolom\r\n",
            "catatan.txt": b"hello",
        }
    )
    assert [cells["no_produk_penyedia"] for _, cells in rows_of(data)] == ["BRS-0001"]
