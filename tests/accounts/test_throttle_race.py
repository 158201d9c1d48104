"""The per-account sign-in limit holds under real concurrency (PostgreSQL only): 20 wrong passwords for one account
sent at once, each in its own thread, session and connection, record no more failures than the limit."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import LoginAttempt
from marketplace.accounts.services import InvalidCredentials, authenticate
from marketplace.accounts.throttle import TooManyAttempts
from marketplace.extensions import db as database
from tests.factories import UserFactory

ATTEMPTS = 20
EMAIL = "budi@example.test"


@pytest.fixture
def account(app, committed_db) -> str:
    if committed_db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (advisory locks and real concurrent transactions): set DATABASE_URL")
    UserFactory(email=EMAIL)
    committed_db.session.commit()
    return EMAIL


def _wrong_password_in_thread(app, email: str, number: int, barrier: threading.Barrier) -> Exception:
    """One wrong sign-in in its own app context (own session and connection), from its own address."""
    with app.app_context():
        try:
            barrier.wait(timeout=30)  # all start at once
            authenticate(email=email, password="salah sekali kata sandinya", ip_address=f"198.51.100.{number}")
        except (InvalidCredentials, TooManyAttempts) as error:
            return error
        finally:
            database.session.remove()
        raise AssertionError("a wrong password signed in")


def test_parallel_wrong_passwords_record_no_more_than_the_account_limit(app, account) -> None:
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    barrier = threading.Barrier(ATTEMPTS)
    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        futures = [pool.submit(_wrong_password_in_thread, app, account, n, barrier) for n in range(ATTEMPTS)]
        results = [future.result(timeout=120) for future in futures]
    assert sum(isinstance(result, InvalidCredentials) for result in results) == limit
    assert sum(isinstance(result, TooManyAttempts) for result in results) == ATTEMPTS - limit
    recorded = database.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == account)
    )
    assert recorded == limit
