"""The embedded default (SQLite) under concurrent requests that write: sign-ins at the same moment each wait their
turn for the write lock instead of failing with "database is locked" (a 500)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import PASSWORD, UserFactory

SIGN_INS = 12


@pytest.fixture
def emails(app, committed_db) -> list[str]:
    if committed_db.engine.dialect.name != "sqlite":
        pytest.skip("the embedded default's behaviour (PostgreSQL has row locks)")
    users = [UserFactory(email=f"serentak{n}@example.test") for n in range(SIGN_INS)]
    committed_db.session.commit()
    return [user.email for user in users]


def _sign_in(app, email: str, barrier: threading.Barrier) -> int:
    client = app.test_client()
    page = client.get("/masuk").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    barrier.wait(timeout=30)
    return client.post("/masuk", data={"email": email, "password": PASSWORD, "csrf_token": token}).status_code


def test_simultaneous_sign_ins_all_succeed(app, emails) -> None:
    barrier = threading.Barrier(len(emails))
    with ThreadPoolExecutor(max_workers=len(emails)) as pool:
        statuses = list(pool.map(lambda email: _sign_in(app, email, barrier), emails))
    assert statuses == [302] * len(emails)
