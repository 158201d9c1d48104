"""No payout beyond the balance under real concurrency (PostgreSQL only): eight managers' requests each paying out
40 % of a member's balance at once, each in its own thread, session and connection, on committed data; only two
fit, and the balance never goes below zero."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db as database
from marketplace.payments.models import Payout
from marketplace.payments.services import ledger
from tests.payments.test_ledger import paid
from tests.procurement.conftest import build_market

REQUESTS = 8


@pytest.fixture
def funded(app, committed_db):
    if committed_db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (row locks and real concurrent transactions): set DATABASE_URL")
    market = build_market()
    ledger.record_earnings(paid(market))
    committed_db.session.commit()
    return market


def _payout_in_thread(app, ids: dict, amount: int, barrier: threading.Barrier):
    with app.app_context():
        try:
            barrier.wait(timeout=30)
            return ledger.record_payout(
                actor=database.session.get(User, ids["manager"]),
                cooperative_id=ids["coop"],
                member_id=ids["member"],
                amount=amount,
                bank_reference="RACE",
                paid_on=date.today(),
            ).id
        except ValidationFailed as error:
            return error
        finally:
            database.session.remove()


def test_concurrent_payouts_never_exceed_the_balance(app, funded):
    market = funded
    ids = {"manager": market.manager.id, "coop": market.coop.id, "member": market.seller_a.id}
    start = ledger.balance(market.coop.id, market.seller_a.id)
    amount = start * 40 // 100
    barrier = threading.Barrier(REQUESTS)
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        futures = [pool.submit(_payout_in_thread, app, ids, amount, barrier) for _ in range(REQUESTS)]
        results = [future.result(timeout=120) for future in futures]

    recorded = [result for result in results if isinstance(result, int)]
    assert len(recorded) == 2
    assert all("amount" in result.fields for result in results if isinstance(result, ValidationFailed))
    database.session.expire_all()
    assert database.session.scalar(select(func.count(Payout.id))) == 2
    assert ledger.balance(market.coop.id, market.seller_a.id) == start - 2 * amount
