"""Through a real Celery worker process: an upload is checked, then its good rows are imported, by the worker."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.catalog.imports import services
from marketplace.catalog.models import Product, ProductImport
from marketplace.extensions import db
from tests.catalog.imports.files import product_row, products_xlsx
from tests.factories import CooperativeFactory, catalog_reference, seller
from tests.support.worker import wait_for
from tests.workers.conftest import celery_worker, worker_app, worker_instance  # noqa: F401

pytestmark = pytest.mark.worker


def test_the_worker_checks_then_imports_an_upload(committed_db, worker_app, celery_worker) -> None:  # noqa: F811
    with worker_app.app_context():
        catalog_reference()
        maker = seller(CooperativeFactory())
        rows = [product_row(n) for n in range(1, 251)] + [product_row(251, unit_pengukuran="Truk")]
        record = services.start_import(actor=maker, filename="katalog.xlsx", stream=io.BytesIO(products_xlsx(rows)))
        import_id, maker_id = record.id, maker.id

    def state() -> tuple:
        with worker_app.app_context():
            found = db.session.get(ProductImport, import_id)
            values = (found.status, found.good_rows, found.bad_rows, found.imported_rows)
            db.session.remove()
        return values

    wait_for(lambda: state()[0] in ("validated", "failed"), timeout=60, what="the check", worker=celery_worker)
    assert state() == ("validated", 250, 1, 0)

    with worker_app.app_context():
        services.decide_import(actor=db.session.get(User, maker_id), import_id=import_id, decision="good_only")
    wait_for(lambda: state()[0] in ("completed", "failed"), timeout=60, what="the import", worker=celery_worker)
    assert state() == ("completed", 250, 1, 250)
    with worker_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Product)) == 250
        db.session.remove()
