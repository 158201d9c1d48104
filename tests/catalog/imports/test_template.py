"""The downloadable template: the input columns in spec order, an example that passes the checks, explanations."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from marketplace.catalog.imports.sheet import HARGA_WILAYAH, PRODUK, SHEETS, SPESIFIKASI
from marketplace.catalog.imports.template import template_xlsx, template_zip
from marketplace.catalog.models import Product
from tests.factories import seller


def test_xlsx_template_has_the_sheets_columns_example_and_explanations(app, reference) -> None:
    with force_locale("en"):
        data = template_xlsx(today=date(2026, 11, 28))
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Produk", "Harga Wilayah", "Spesifikasi", "Instructions", "Categories", "Units"]
    produk = list(workbook["Produk"].iter_rows(values_only=True))
    assert list(produk[0]) == [column.name for column in PRODUK.input_columns]
    example = dict(zip(produk[0], produk[1], strict=True))
    assert example["kbki_id"] == "2316110001" and isinstance(example["kbki_id"], str)  # a code stays text
    assert (example["kategori_1"], example["kategori_2"], example["kategori_3"]) == (
        "Bahan Pokok",
        "Beras dan Serealia",
        "Beras",
    )
    assert example["berlaku_sampai"].date() == date(2027, 2, 26)
    assert example["harga_pemerintah"] == 72500
    assert [row[:2] for row in workbook["Harga Wilayah"].iter_rows(values_only=True)] == [
        ("no_produk_penyedia", "kode_wilayah"),
        ("BRS-001", "35.76"),
    ]
    explained = list(workbook["Instructions"].iter_rows(values_only=True))
    assert explained[0] == ("Sheet", "Column", "Needed", "What to fill in")
    assert len(explained) - 1 == sum(len(sheet.columns) for sheet in SHEETS)
    needs = {(sheet, column): need for sheet, column, need, _ in explained[1:]}
    assert needs[("Produk", "harga_pemerintah")] == "required"
    assert needs[("Produk", "merek")] == "optional"
    assert needs[("Produk", "harga_dengan_ppn")] == "ignored on upload"
    assert ("Bahan Pokok", "Beras dan Serealia", "Beras") in list(workbook["Categories"].iter_rows(values_only=True))
    assert ("Karung",) in list(workbook["Units"].iter_rows(values_only=True))


def test_csv_template_is_a_zip_of_bom_csv_files(app, reference) -> None:
    archive = zipfile.ZipFile(io.BytesIO(template_zip(today=date(2026, 11, 28))))
    assert sorted(archive.namelist()) == [
        "template_harga_wilayah.csv",
        "template_petunjuk.csv",
        "template_produk.csv",
        "template_spesifikasi.csv",
    ]
    raw = archive.read("template_produk.csv")
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == [column.name for column in PRODUK.input_columns]
    assert dict(zip(rows[0], rows[1], strict=True))["berlaku_sampai"] == "2027-02-26"
    assert rows[1][rows[0].index("deskripsi_lengkap")] == "Beras premium.\nDikemas 5 kg."
    headers = {name: archive.read(name).decode("utf-8-sig").splitlines()[0] for name in archive.namelist()}
    assert headers["template_harga_wilayah.csv"] == ",".join(c.name for c in HARGA_WILAYAH.input_columns)
    assert headers["template_spesifikasi.csv"] == ",".join(c.name for c in SPESIFIKASI.input_columns)


def test_the_filled_in_example_of_each_template_imports_as_one_good_draft(db, upload, decide) -> None:
    for builder, name in ((template_xlsx, "template.xlsx"), (template_zip, "template.zip")):
        maker = seller()  # each in a cooperative of their own: the example's SKU is the same
        record = upload(maker, builder(today=date.today()), name)
        assert (record.status, record.total_rows, record.good_rows, record.bad_rows) == ("validated", 1, 1, 0)
        record = decide(maker, record, "good_only")
        assert (record.status, record.imported_rows) == ("completed", 1)
        product = db.session.scalars(select(Product).where(Product.seller_id == maker.id)).one()
        revision = product.revisions[0]
        assert [(rp.region_code, rp.price) for rp in revision.regional_prices] == [("35.76", 71000)]
        assert revision.specifications == [
            {"label": "Berat", "value": "5 kg"},
            {"label": "Asal", "value": "Mojokerto, Jawa Timur"},
        ]
