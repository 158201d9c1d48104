"""Uploading a file and checking its rows: every problem with its row, column and message in the user's language."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from marketplace.catalog.imports import processing, services
from marketplace.catalog.models import Product, ProductImport, ProductImportError
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Forbidden, ValidationFailed
from marketplace.core.storage import storage
from tests.catalog.imports.files import csv_bytes, product_row, products_xlsx, products_zip
from tests.factories import listing, seller


def problems(record: ProductImport) -> list[tuple[int, str, str]]:
    from marketplace.extensions import db

    rows = db.session.scalars(
        select(ProductImportError).where(ProductImportError.import_id == record.id).order_by(ProductImportError.id)
    )
    return [(p.row_number, p.column, p.message) for p in rows]


def test_upload_stores_the_file_and_queues_the_check(db, maker, reference, sent_tasks) -> None:
    data = products_xlsx([product_row(1)])
    record = services.start_import(actor=maker, filename="C:\\Users\\siti\\produk <baru>.xlsx", stream=io.BytesIO(data))
    assert (record.status, record.file_format, record.filename) == ("queued", "xlsx", "produk <baru>.xlsx")
    assert (record.seller_id, record.uploaded_by_id, record.cooperative_id) == (
        maker.id,
        maker.id,
        maker.membership.cooperative_id,
    )
    assert record.storage_key.startswith(f"imports/{record.id}/") and record.storage_key.endswith(".xlsx")
    with storage().open(record.storage_key) as stored:
        assert stored.read() == data
    assert sent_tasks == [("catalog.validate_import", {"import_id": record.id})]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "product_import.upload")).one()
    assert (event.actor_id, event.subject_id, event.after["status"]) == (maker.id, record.id, "queued")


def test_bad_files_are_refused_at_upload_without_a_trace(db, maker, reference, sent_tasks) -> None:
    for data in (b"\x89PNG\r\n\x1a\n\x00\x00", csv_bytes([product_row(1)], header=["sku", "name"])):
        with pytest.raises(ValidationFailed) as error:
            services.start_import(actor=maker, filename="x", stream=io.BytesIO(data))
        assert set(error.value.fields) == {"file"}
    too_big = io.BytesIO(b"a" * (services.MAX_FILE_BYTES + 1))
    with pytest.raises(ValidationFailed) as error:
        services.start_import(actor=maker, filename="besar.csv", stream=too_big)
    assert "20" in error.value.fields["file"]
    assert db.session.scalar(select(ProductImport)) is None and sent_tasks == []


def test_only_active_members_and_their_managers_upload(db, maker, manager, reference) -> None:
    data = products_xlsx([product_row(1)])
    with pytest.raises(Forbidden):
        services.start_import(actor=seller(status="pending"), filename="a.xlsx", stream=io.BytesIO(data))
    with pytest.raises(ValidationFailed) as error:  # a member of another cooperative
        services.start_import(actor=manager, filename="a.xlsx", stream=io.BytesIO(data), seller_id=seller().id)
    assert "seller_id" in error.value.fields
    record = services.start_import(actor=manager, filename="a.xlsx", stream=io.BytesIO(data), seller_id=maker.id)
    assert (record.seller_id, record.uploaded_by_id) == (maker.id, manager.id)


def test_each_bad_cell_is_listed_with_row_column_and_an_indonesian_message(db, maker, upload) -> None:
    rows = [
        product_row(1),
        product_row(2, nama_produk="", harga_pemerintah="0", kbki_id="123", unit_pengukuran="Truk"),
        product_row(3),
        product_row(4, kategori_2="Sayur", berlaku_sampai="2001-01-01", ppn_persen="11"),
    ]
    record = upload(maker, products_xlsx(rows))
    assert (record.status, record.total_rows, record.processed_rows) == ("validated", 4, 4)
    assert (record.good_rows, record.bad_rows) == (2, 2)
    found = problems(record)
    assert found[:4] == [
        (3, "nama_produk", "Wajib diisi."),
        (3, "kbki_id", "Kode KBKI terdiri dari 10 digit."),
        (3, "unit_pengukuran", "Satuan tidak dikenal. Pilih dari daftar, misalnya Kilogram."),
        (3, "harga_pemerintah", found[3][2]),
    ]
    assert [(row, column) for row, column, _ in found[4:]] == [
        (5, "kategori_2"),
        (5, "berlaku_sampai"),
        (5, "ppn_persen"),
    ]
    assert found[5][2] == "Tanggal berlaku harga sudah lewat."
    assert "Sayur" in found[4][2]


def test_messages_follow_the_uploaders_language(db, maker, upload) -> None:
    maker.locale = "en"
    record = upload(maker, csv_bytes([product_row(1, nama_produk="")]), "produk.csv")
    assert problems(record) == [(2, "nama_produk", "This field is required.")]


def test_item_sheet_problems_point_at_their_own_rows(db, maker, upload) -> None:
    products = [product_row(1), product_row(2), product_row(3, jenis_produk="impor", apakah_produk_lokal="")]
    regional = [
        {"no_produk_penyedia": "BRS-0001", "kode_wilayah": "35.76", "harga_pemerintah": "71000"},
        {"no_produk_penyedia": "BRS-0002", "kode_wilayah": "99.99", "harga_pemerintah": "71000"},
        {"no_produk_penyedia": "BRS-0002", "kode_wilayah": "35", "harga_pemerintah": "murah"},
    ]
    specifications = [
        {"no_produk_penyedia": "BRS-0001", "label": "Berat", "deskripsi": ""},
        {"no_produk_penyedia": "TIDAK-ADA", "label": "Warna", "deskripsi": "Putih"},
        {"no_produk_penyedia": "", "label": "Asal", "deskripsi": "Mojokerto"},
    ]
    maker.locale = "en"
    record = upload(maker, products_zip(products, regional, specifications), "katalog.zip")
    assert (record.file_format, record.good_rows, record.bad_rows) == ("zip", 0, 3)
    assert [(row, column) for row, column, _ in problems(record)] == [
        (2, "Spesifikasi!deskripsi"),
        (3, "Harga Wilayah!kode_wilayah"),
        (4, "Harga Wilayah!harga_pemerintah"),
        (4, "tkdn_produk"),  # imported (jenis_produk impor) with TKDN 45.5
        (3, "Spesifikasi!no_produk_penyedia"),
        (4, "Spesifikasi!no_produk_penyedia"),
    ]
    messages = [message for _, _, message in problems(record)]
    assert messages[-2] == "No product with this SKU in the sheet “Produk”."
    assert messages[-1] == "This field is required."


def test_a_sku_may_appear_once_in_the_file_and_not_be_used_in_the_cooperative(db, maker, reference, upload) -> None:
    listing(maker, reference, approved=False, sku="BRS-0009")
    listing(seller(), reference, approved=False, sku="BRS-0003")  # another cooperative's SKU is no concern
    maker.locale = "en"
    rows = [product_row(1), product_row(2), product_row(3), product_row(1, nama_produk="Lagi"), product_row(9)]
    record = upload(maker, products_xlsx(rows))
    assert (record.good_rows, record.bad_rows) == (3, 2)
    assert problems(record) == [
        (5, "no_produk_penyedia", "This SKU is already in row 2 of this file."),
        (6, "no_produk_penyedia", "This SKU is already used in your cooperative."),
    ]


def test_made_in_indonesia_columns_must_agree(db, maker, upload) -> None:
    maker.locale = "en"
    rows = [product_row(1, jenis_produk="impor", apakah_produk_lokal="1"), product_row(2, jenis_produk="lokal")]
    record = upload(maker, products_xlsx(rows))
    assert [(row, column) for row, column, _ in problems(record)] == [(2, "jenis_produk")]


def test_running_the_check_twice_gives_the_same_result(db, maker, upload) -> None:
    record = upload(maker, products_xlsx([product_row(1), product_row(2, harga_pemerintah="x")]))
    before = (problems(record), record.good_rows, record.bad_rows)
    assert processing.validate_import(import_id=record.id) == "validated"  # a duplicate delivery: nothing happens
    db.session.refresh(record)
    assert (problems(record), record.good_rows, record.bad_rows) == before


def test_a_retried_or_abandoned_check_starts_again_cleanly(db, maker, upload) -> None:
    record = upload(maker, products_xlsx([product_row(1), product_row(2, harga_pemerintah="x")]), run=False)
    processing.validate_import(import_id=record.id)
    db.session.refresh(record)
    record.status, record.processed_rows = "validating", 1  # as if a worker died after its first progress report
    db.session.commit()
    assert processing.validate_import(import_id=record.id) == "validating"  # still fresh: another run owns it
    assert processing.validate_import(import_id=record.id, resume=True) == "validated"
    db.session.refresh(record)
    assert (record.good_rows, record.bad_rows, len(problems(record))) == (1, 1, 1)


def test_unreadable_or_oversized_content_fails_the_upload_with_a_reason(db, maker, upload, monkeypatch) -> None:
    maker.locale = "en"
    monkeypatch.setattr(processing, "MAX_PRODUCT_ROWS", 2)
    record = upload(maker, csv_bytes([product_row(n) for n in range(1, 4)]), "a.csv")
    assert record.status == "failed"
    assert record.failure == "The file has more than 2 products. Split it into smaller files."
    assert not storage().exists(record.storage_key)

    record = upload(maker, products_xlsx([product_row(1)]), run=False)
    storage().delete(record.storage_key)
    assert processing.validate_import(import_id=record.id) == "failed"
    db.session.refresh(record)
    assert record.failure.startswith("An unexpected error")
    assert db.session.scalar(select(Product)) is None
