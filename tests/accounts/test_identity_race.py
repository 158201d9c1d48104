"""Two registrations with the same NIB and NIK sent at once (PostgreSQL only): one account is created, the other
gets a field error, never a 500."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import SellerProfile, User
from marketplace.accounts.services import register_seller
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db as database
from tests.accounts.helpers import registration_data
from tests.factories import CooperativeFactory

RACERS = 2


@pytest.fixture
def cooperative_id(app, committed_db) -> int:
    if committed_db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (real concurrent transactions): set DATABASE_URL")
    cooperative = CooperativeFactory()
    committed_db.session.commit()
    return cooperative.id


def _register_in_thread(app, cooperative_id: int, number: int, barrier: threading.Barrier) -> object:
    """One registration in its own app context (own session and connection), under its own email."""
    with app.app_context():
        try:
            barrier.wait(timeout=30)
            return register_seller(**registration_data(cooperative_id, email=f"kembar{number}@example.test")).id
        except ValidationFailed as error:
            return error
        finally:
            database.session.remove()


def test_parallel_registrations_of_one_business_make_one_account(app, cooperative_id) -> None:
    barrier = threading.Barrier(RACERS)
    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        futures = [pool.submit(_register_in_thread, app, cooperative_id, n, barrier) for n in range(RACERS)]
        results = [future.result(timeout=120) for future in futures]
    errors = [result for result in results if isinstance(result, ValidationFailed)]
    assert len(errors) == RACERS - 1
    assert errors[0].fields and set(errors[0].fields) <= {"nib", "nik"}
    assert database.session.scalar(select(func.count()).select_from(SellerProfile)) == 1
    assert database.session.scalar(select(func.count()).select_from(User)) == 1
