"""Build upload files (XLSX, CSV, ZIP of CSVs) in the spec's sheet layout for the bulk upload tests."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta
from typing import Any

import xlsxwriter

from marketplace.catalog.imports.sheet import HARGA_WILAYAH, PRODUK, SPESIFIKASI

PRODUK_HEADER = [column.name for column in PRODUK.input_columns]
HARGA_HEADER = [column.name for column in HARGA_WILAYAH.input_columns]
SPEK_HEADER = [column.name for column in SPESIFIKASI.input_columns]


def product_row(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """A valid `Produk` row (the category and KBKI of `tests.factories.catalog_reference`)."""
    row = {
        "no_produk_penyedia": f"BRS-{n:04d}",
        "nama_produk": f"Beras Premium Majapahit {n} kg",
        "merek": "Majapahit",
        "kategori_1": "Bahan Pokok",
        "kategori_2": "Beras dan Serealia",
        "kategori_3": "Beras",
        "kbki_id": "2316110001",
        "unit_pengukuran": "Karung",
        "jenis_produk": "lokal",
        "apakah_produk_lokal": "1",
        "tkdn_produk": "45.5",
        "nilai_bmp": "5",
        "harga_pemerintah": "72500",
        "ppn_persen": "0",
        "ongkos_kirim": "0",
        "kuantitas_stok": "40",
        "min_pembelian": "1",
        "berlaku_sampai": (date.today() + timedelta(days=90)).isoformat(),
        "deskripsi_singkat": "Beras putih pulen dari sawah Mojokerto.",
        "deskripsi_lengkap": "Beras premium.\nDikemas 5 kg.",
        "berat_kg": "5",
    }
    row.update(overrides)
    return row


def _table(rows: list[dict[str, Any]], header: list[str]) -> list[list[Any]]:
    return [header, *[[row.get(name) for name in header] for row in rows]]


def xlsx_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    """A workbook with the given sheets (name → rows, the header first), with shared strings as Excel writes."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "default_date_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        worksheet = workbook.add_worksheet(name)
        for number, row in enumerate(rows):
            worksheet.write_row(number, 0, row)
    workbook.close()
    return output.getvalue()


def products_xlsx(
    products: list[dict[str, Any]],
    regional: list[dict[str, Any]] | None = None,
    specifications: list[dict[str, Any]] | None = None,
    header: list[str] | None = None,
) -> bytes:
    """An upload workbook: `Produk` and, when given, `Harga Wilayah` and `Spesifikasi`."""
    sheets = {"Produk": _table(products, header or PRODUK_HEADER)}
    if regional is not None:
        sheets["Harga Wilayah"] = _table(regional, HARGA_HEADER)
    if specifications is not None:
        sheets["Spesifikasi"] = _table(specifications, SPEK_HEADER)
    return xlsx_bytes(sheets)


def csv_bytes(
    rows: list[dict[str, Any]], header: list[str] | None = None, *, bom: bool = True, delimiter: str = ","
) -> bytes:
    """A CSV file (UTF-8, CRLF line ends), with a BOM unless `bom=False`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(_table(rows, header or PRODUK_HEADER))
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return output.getvalue()


def products_zip(
    products: list[dict[str, Any]],
    regional: list[dict[str, Any]] | None = None,
    specifications: list[dict[str, Any]] | None = None,
) -> bytes:
    """The CSV form of the sheets in a ZIP, named like the spec's files."""
    members = {"kkmp_produk.csv": csv_bytes(products)}
    if regional is not None:
        members["kkmp_harga_wilayah.csv"] = csv_bytes(regional, HARGA_HEADER)
    if specifications is not None:
        members["kkmp_spesifikasi.csv"] = csv_bytes(specifications, SPEK_HEADER)
    return zip_bytes(members)
