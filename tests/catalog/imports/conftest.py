"""Fixtures of the bulk upload tests: a way to upload a file and run the tasks it queues (the cooperative, maker,
manager, operator and reference data come from tests/catalog/conftest.py)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from marketplace.accounts.models import User
from marketplace.catalog.imports import services
from marketplace.catalog.models import ProductImport


@pytest.fixture
def upload(db, reference, run_tasks) -> Callable[..., ProductImport]:
    """Upload `data` as `actor` and, unless `run=False`, run the queued tasks; return the refreshed import."""

    def _upload(actor: User, data: bytes, filename: str = "produk.xlsx", *, run: bool = True, **kwargs):
        record = services.start_import(actor=actor, filename=filename, stream=io.BytesIO(data), **kwargs)
        if run:
            run_tasks()
            db.session.refresh(record)
        return record

    return _upload


@pytest.fixture
def decide(db, run_tasks) -> Callable[..., ProductImport]:
    """Decide about an upload as `actor` and run the queued tasks; return the refreshed import."""

    def _decide(actor: User, record: ProductImport, decision: str) -> ProductImport:
        services.decide_import(actor=actor, import_id=record.id, decision=decision)
        run_tasks()
        db.session.refresh(record)
        return record

    return _decide
