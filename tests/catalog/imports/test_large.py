"""A 5,000-row workbook is checked and imported by the tasks in a reasonable time, with exact counts."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from marketplace.catalog.models import Product, ProductImportError, RegionalPrice
from marketplace.core.audit import AuditEvent
from tests.catalog.imports.files import product_row, products_xlsx

ROWS = 5_000
#: Generous bounds for a shared CI machine; on a laptop each phase takes a few seconds.
CHECK_SECONDS = IMPORT_SECONDS = 90


def test_a_5000_row_workbook_is_checked_and_imported(db, maker, upload, decide) -> None:
    bad = {17, 2_500, 4_999}
    rows = [product_row(n, harga_pemerintah="0" if n in bad else "72500") for n in range(1, ROWS + 1)]
    regional = [
        {"no_produk_penyedia": f"BRS-{n:04d}", "kode_wilayah": "35.76", "harga_pemerintah": "70000"}
        for n in range(1, ROWS + 1, 10)
    ]
    specifications = [
        {"no_produk_penyedia": f"BRS-{n:04d}", "label": "Berat", "deskripsi": "5 kg"} for n in range(1, ROWS + 1)
    ]
    data = products_xlsx(rows, regional, specifications)

    started = time.perf_counter()
    record = upload(maker, data)
    checked = time.perf_counter() - started
    assert (record.status, record.total_rows, record.processed_rows) == ("validated", ROWS, ROWS)
    assert (record.good_rows, record.bad_rows) == (ROWS - 3, 3)
    errors = db.session.scalars(select(ProductImportError.row_number).order_by(ProductImportError.row_number)).all()
    assert errors == [n + 1 for n in sorted(bad)]

    started = time.perf_counter()
    record = decide(maker, record, "good_only")
    imported = time.perf_counter() - started
    assert (record.status, record.imported_rows) == ("completed", ROWS - 3)
    assert db.session.scalar(select(func.count()).select_from(Product)) == ROWS - 3
    assert db.session.scalar(select(func.count()).select_from(RegionalPrice)) == len(regional)
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "product.create"))
        == ROWS - 3
    )
    print(f"\n5,000 rows: checked in {checked:.1f} s, imported in {imported:.1f} s")
    assert checked < CHECK_SECONDS and imported < IMPORT_SECONDS
