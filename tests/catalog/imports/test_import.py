"""After the check: import nothing, or exactly the good rows as drafts; once, whatever the tasks or clicks do."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from marketplace.catalog.imports import processing, services
from marketplace.catalog.models import CatalogEntry, Product, ProductImportError, ProductRevision
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, Forbidden, NotFound
from marketplace.core.storage import storage
from tests.catalog.imports.files import product_row, products_xlsx
from tests.factories import listing, seller, user_with_role


def count(model, *where) -> int:
    from marketplace.extensions import db

    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def checked(db, maker, upload):
    """An upload of five rows, two of them bad, checked and waiting for a decision."""
    rows = [
        product_row(1, tkdn_produk="40.25", berat_kg="0.25", nomor_sni="SNI 6128:2020"),
        product_row(2, harga_pemerintah="abc"),
        product_row(3, jenis_produk="impor", apakah_produk_lokal="0", tkdn_produk="0", nilai_bmp=""),
        product_row(4),
        product_row(5, unit_pengukuran="Truk"),
    ]
    regional = [{"no_produk_penyedia": "BRS-0004", "kode_wilayah": "35.76", "harga_pemerintah": "70000"}]
    specifications = [{"no_produk_penyedia": "BRS-0001", "label": "Varietas", "deskripsi": "IR64"}]
    record = upload(maker, products_xlsx(rows, regional, specifications))
    assert (record.status, record.good_rows, record.bad_rows) == ("validated", 3, 2)
    return record


def test_import_nothing_creates_nothing_and_removes_the_file(db, maker, checked, decide) -> None:
    record = decide(maker, checked, "nothing")
    assert (record.status, record.decision, record.imported_rows) == ("discarded", "nothing", 0)
    assert record.finished_at is not None
    assert count(Product) == 0
    assert not storage().exists(record.storage_key)
    assert count(ProductImportError, ProductImportError.import_id == record.id) == 2  # still shown on the page
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "product_import.discard")).one()
    assert (event.actor_id, event.before, event.after) == (
        maker.id,
        {"status": "validated"},
        {"status": "discarded", "decision": "nothing"},
    )


def test_import_the_good_rows_creates_exactly_those_drafts(db, maker, checked, decide, reference) -> None:
    record = decide(maker, checked, "good_only")
    assert (record.status, record.decision, record.imported_rows, record.processed_rows) == (
        "completed",
        "good_only",
        3,
        5,
    )
    products = db.session.scalars(select(Product).order_by(Product.sku)).all()
    assert [p.sku for p in products] == ["BRS-0001", "BRS-0003", "BRS-0004"]
    assert {(p.status, p.seller_id, p.cooperative_id, p.live_revision_id) for p in products} == {
        ("draft", maker.id, maker.membership.cooperative_id, None)
    }
    first, imported, regional = (p.revisions for p in products)
    assert [len(revisions) for revisions in (first, imported, regional)] == [1, 1, 1]
    revision = first[0]
    assert (revision.status, revision.number, revision.author_id) == ("draft", 1, maker.id)
    assert (revision.name, revision.price, revision.tkdn_x100, revision.bmp_x100) == (
        "Beras Premium Majapahit 1 kg",
        72500,
        4025,
        500,
    )
    assert (revision.weight_grams, revision.sni_number, revision.category_id) == (
        250,
        "SNI 6128:2020",
        reference["category_id"],
    )
    assert (revision.kbki_code, revision.unit.name, revision.stock, products[0].stock) == (
        "2316110001",
        "Karung",
        40,
        40,
    )
    assert revision.valid_until == date.today() + timedelta(days=90)
    assert revision.description == "Beras premium.\nDikemas 5 kg."
    assert revision.specifications == [{"label": "Varietas", "value": "IR64"}]
    assert imported[0].is_domestic is False and imported[0].tkdn_x100 == 0
    assert [(rp.region_code, rp.price, rp.shipping_cost) for rp in regional[0].regional_prices] == [("35.76", 70000, 0)]
    assert count(CatalogEntry) == 0  # drafts are not for sale
    assert count(ProductRevision, ProductRevision.status != "draft") == 0
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "product.create")).all()
    assert sorted(e.after["sku"] for e in events) == ["BRS-0001", "BRS-0003", "BRS-0004"]
    assert {(e.actor_id, e.after["import_id"]) for e in events} == {(maker.id, record.id)}
    assert not storage().exists(record.storage_key)
    assert not storage().exists(processing.checked_key(record))


def test_a_manager_imports_for_a_member_and_decides_about_their_upload(db, maker, manager, upload, decide) -> None:
    record = upload(manager, products_xlsx([product_row(1)]), seller_id=maker.id)
    record = decide(manager, record, "good_only")
    product = db.session.scalars(select(Product)).one()
    assert (product.seller_id, product.revisions[0].author_id, record.imported_rows) == (maker.id, manager.id, 1)


def test_a_decision_is_taken_once(db, maker, manager, checked, decide, sent_tasks) -> None:
    decide(maker, checked, "good_only")
    for who, decision in ((maker, "good_only"), (manager, "nothing")):
        with pytest.raises(Conflict):
            services.decide_import(actor=who, import_id=checked.id, decision=decision)
    assert count(Product) == 3 and sent_tasks == []


def test_running_the_import_twice_imports_once(db, maker, checked, decide) -> None:
    record = decide(maker, checked, "good_only")
    assert processing.apply_import(import_id=record.id) == "completed"
    assert processing.apply_import(import_id=record.id, resume=True) == "completed"
    db.session.refresh(record)
    assert (record.imported_rows, count(Product)) == (3, 3)


def test_a_resumed_import_skips_the_rows_an_earlier_run_committed(db, maker, upload, monkeypatch) -> None:
    monkeypatch.setattr(processing, "PROGRESS_EVERY", 2)
    record = upload(maker, products_xlsx([product_row(n) for n in range(1, 6)]))
    services.decide_import(actor=maker, import_id=record.id, decision="good_only")
    real_save = processing._save_drafts
    calls = []

    def dying_worker(record, batch, processed):
        calls.append(processed)
        if len(calls) == 2:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        real_save(record, batch, processed)

    monkeypatch.setattr(processing, "_save_drafts", dying_worker)
    with pytest.raises(OperationalError):
        processing.apply_import(import_id=record.id)
    db.session.refresh(record)
    assert (record.status, record.processed_rows, record.imported_rows, count(Product)) == ("importing", 2, 2, 2)
    assert processing.apply_import(import_id=record.id) == "importing"  # another run is still fresh: hands off
    assert processing.apply_import(import_id=record.id, resume=True) == "completed"
    db.session.refresh(record)
    assert (record.imported_rows, count(Product)) == (5, 5)
    assert sorted(db.session.scalars(select(Product.sku))) == [f"BRS-{n:04d}" for n in range(1, 6)]


def test_the_task_retries_transient_database_errors(db, maker, checked, app, monkeypatch) -> None:
    services.decide_import(actor=maker, import_id=checked.id, decision="good_only")
    real_apply, attempts = processing.apply_import, []

    def flaky(*, import_id, resume=False):
        attempts.append(resume)
        if len(attempts) == 1:
            raise OperationalError("SELECT", {}, Exception("database is locked"))
        return real_apply(import_id=import_id, resume=resume)

    monkeypatch.setattr(processing, "apply_import", flaky)
    result = app.extensions["celery"].tasks["catalog.apply_import"].apply(kwargs={"import_id": checked.id})
    assert result.get() == "completed"
    assert attempts == [False, True]  # the retry may resume its own run
    assert count(Product) == 3


def test_rows_that_stopped_being_good_are_not_imported(db, maker, reference, checked, decide) -> None:
    listing(maker, reference, approved=False, sku="BRS-0004")  # taken between the check and the decision
    maker.locale = "en"
    record = decide(maker, checked, "good_only")
    assert (record.imported_rows, record.good_rows, record.bad_rows) == (2, 2, 3)
    new = db.session.scalars(select(ProductImportError).where(ProductImportError.row_number == 5)).all()
    assert [(e.column, e.message) for e in new] == [
        ("no_produk_penyedia", "This SKU is already used in your cooperative.")
    ]


def test_nothing_is_imported_for_a_member_who_left(db, maker, checked) -> None:
    maker.membership.status = "suspended"
    with pytest.raises(Conflict):
        services.decide_import(actor=maker, import_id=checked.id, decision="good_only")
    maker.membership.status = "active"
    services.decide_import(actor=maker, import_id=checked.id, decision="good_only")
    maker.membership.status = "suspended"  # after the decision, before the worker takes the import
    maker.locale = "en"
    db.session.commit()
    assert processing.apply_import(import_id=checked.id) == "failed"
    db.session.refresh(checked)
    assert "no longer an active member" in checked.failure
    assert count(Product) == 0


def test_nothing_to_decide_while_checking_or_without_good_rows(db, maker, upload) -> None:
    waiting = upload(maker, products_xlsx([product_row(1)]), run=False)
    with pytest.raises(Conflict):
        services.decide_import(actor=maker, import_id=waiting.id, decision="good_only")
    all_bad = upload(maker, products_xlsx([product_row(1, harga_pemerintah="0")]))
    with pytest.raises(Conflict):
        services.decide_import(actor=maker, import_id=all_bad.id, decision="good_only")
    services.decide_import(actor=maker, import_id=all_bad.id, decision="nothing")


def test_who_sees_and_who_decides(db, maker, manager, operator, checked) -> None:
    for outsider in (seller(maker.membership.cooperative), user_with_role("coop_manager"), seller()):
        with pytest.raises(NotFound):
            services.visible_import(actor=outsider, import_id=checked.id)
        with pytest.raises(NotFound):
            services.decide_import(actor=outsider, import_id=checked.id, decision="nothing")
    for insider in (maker, manager, operator):
        assert services.visible_import(actor=insider, import_id=checked.id) is checked
    with pytest.raises(Forbidden):
        services.decide_import(actor=operator, import_id=checked.id, decision="nothing")
    assert [r.id for r, _ in db.session.execute(services.imports_query(actor=manager))] == [checked.id]
    assert [r.id for r, _ in db.session.execute(services.imports_query(actor=user_with_role("coop_manager")))] == []
    assert [r.id for r, _ in db.session.execute(services.imports_query(actor=operator))] == [checked.id]
    assert services.progress(checked) == {
        "status": "validated",
        "processed_rows": 5,
        "total_rows": 5,
        "good_rows": 3,
        "bad_rows": 2,
        "imported_rows": 0,
    }
