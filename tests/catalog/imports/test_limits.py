"""Uploads are bounded: an XLSX or ZIP that unpacks to too much is refused before it is read, and a file with too
many rows fails its check; either way the user is told why and nothing is imported."""

from __future__ import annotations

import io
import zipfile

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from marketplace.catalog.imports import checks, processing, reader, services
from marketplace.catalog.models import Product, ProductImport
from marketplace.core.errors import ValidationFailed
from marketplace.core.storage import storage
from tests.catalog.imports.files import HARGA_HEADER, csv_bytes, product_row, products_xlsx, products_zip, zip_bytes

MEGABYTE = 1024 * 1024


def zip_bomb(megabytes: int) -> bytes:
    """A ZIP whose product CSV unpacks to `megabytes` MB of one repeated byte (about 1 KB packed per MB)."""
    output = io.BytesIO()
    archive = zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED)
    with archive, archive.open("bom_produk.csv", "w", force_zip64=True) as member:
        member.write(csv_bytes([product_row(1)]))
        for _ in range(megabytes):
            member.write(b"0" * MEGABYTE)
    return output.getvalue()


def refused_at_upload(maker, data: bytes, filename: str) -> str:
    """The reason `start_import` gives for refusing `data`, in English."""
    with force_locale("en"), pytest.raises(ValidationFailed) as error:
        services.start_import(actor=maker, filename=filename, stream=io.BytesIO(data))
    assert set(error.value.fields) == {"file"}
    return error.value.fields["file"]


def test_a_zip_bomb_is_refused_at_upload_without_a_trace(db, maker, reference, sent_tasks) -> None:
    data = zip_bomb(201)
    assert len(data) < MEGABYTE
    message = refused_at_upload(maker, data, "katalog.zip")
    assert message.startswith("Unpacked, the file has 201.0 MB; at most 200 MB is accepted.")
    assert db.session.scalar(select(ProductImport)) is None and sent_tasks == []


@pytest.mark.parametrize(
    ("build", "filename"),
    [(products_xlsx, "produk.xlsx"), (products_zip, "produk.zip")],
    ids=["xlsx", "zip"],
)
def test_an_archive_over_the_unpacked_limit_is_refused_before_it_is_read(
    db, maker, reference, monkeypatch, build, filename
) -> None:
    data = build([product_row(n) for n in range(1, 40)])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    monkeypatch.setattr(reader, "MAX_UNPACKED_BYTES", unpacked)
    assert services.check_file(io.BytesIO(data)) in ("xlsx", "zip")  # at the limit: accepted

    monkeypatch.setattr(reader, "MAX_UNPACKED_BYTES", unpacked - 1)
    monkeypatch.setattr(reader.openpyxl, "load_workbook", pytest.fail)  # nothing may be unpacked
    monkeypatch.setattr(zipfile.ZipFile, "open", pytest.fail)
    assert "Split it into smaller files." in refused_at_upload(maker, data, filename)


def test_a_stored_archive_over_the_unpacked_limit_fails_its_check(db, maker, upload, monkeypatch) -> None:
    maker.locale = "en"
    record = upload(maker, products_zip([product_row(1)]), "produk.zip", run=False)
    monkeypatch.setattr(reader, "MAX_UNPACKED_BYTES", 10)
    assert processing.validate_import(import_id=record.id) == "failed"
    db.session.refresh(record)
    assert record.failure.startswith("Unpacked, the file has") and "Split it into smaller files." in record.failure
    assert not storage().exists(record.storage_key)
    assert db.session.scalar(select(Product)) is None


def test_a_zip_with_too_many_products_fails_its_check_and_imports_nothing(db, maker, upload, monkeypatch) -> None:
    maker.locale = "en"
    monkeypatch.setattr(processing, "MAX_PRODUCT_ROWS", 3)
    record = upload(maker, products_zip([product_row(n) for n in range(1, 5)]), "produk.zip")
    assert record.status == "failed"
    assert record.failure == "The file has more than 3 products. Split it into smaller files."
    assert db.session.scalar(select(Product)) is None


def test_an_item_sheet_with_too_many_rows_fails_the_check(db, maker, upload, monkeypatch) -> None:
    maker.locale = "en"
    monkeypatch.setattr(checks, "MAX_ITEM_ROWS", 2)
    regional = [
        {"no_produk_penyedia": "BRS-0001", "kode_wilayah": "35.76", "harga_pemerintah": str(70000 + n)}
        for n in range(3)
    ]
    data = zip_bytes(
        {
            "kkmp_produk.csv": csv_bytes([product_row(1)]),
            "kkmp_harga_wilayah.csv": csv_bytes(regional, HARGA_HEADER),
        }
    )
    record = upload(maker, data, "produk.zip")
    assert record.status == "failed"
    assert record.failure == "The sheet “Harga Wilayah” has more than 2 rows."
    assert db.session.scalar(select(Product)) is None
