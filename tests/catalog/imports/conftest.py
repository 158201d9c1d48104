"""Fixtures of the bulk upload tests: a cooperative with a maker, a manager, an operator, the reference data, and
a way to upload a file and run the tasks it queues."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from marketplace.accounts.models import Role, User
from marketplace.catalog.imports import services
from marketplace.catalog.models import ProductImport
from marketplace.cooperatives.models import Cooperative
from tests.factories import CooperativeFactory, catalog_reference, seller, user_with_role


@pytest.fixture
def reference(db) -> dict:
    return catalog_reference()


@pytest.fixture
def cooperative(db) -> Cooperative:
    return CooperativeFactory(name="KKMP Gununggedangan")


@pytest.fixture
def maker(cooperative) -> User:
    return seller(cooperative, full_name="Bu Siti Beras")


@pytest.fixture
def manager(cooperative) -> User:
    return user_with_role(Role.COOP_MANAGER, cooperative=cooperative, full_name="Pak Pengurus")


@pytest.fixture
def operator(db) -> User:
    return user_with_role(Role.OPERATOR)


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
