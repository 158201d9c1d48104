"""The balances list is the cooperative's own: its active and suspended members and anyone with entries in it,
each once, never another cooperative's members or entries."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.payments.models import LedgerEntry
from marketplace.payments.services import ledger_queries
from marketplace.payments.states import LedgerKind
from tests.factories import CooperativeFactory, seller
from tests.procurement.conftest import Market


def entry(cooperative_id: int, member_id: int, amount: int, kind: str = LedgerKind.EARNED) -> LedgerEntry:
    row = LedgerEntry(cooperative_id=cooperative_id, member_id=member_id, kind=kind, amount=amount)
    db.session.add(row)
    db.session.flush()
    return row


def balances(cooperative_id: int, **kwargs) -> list[tuple[int, int]]:
    rows = db.session.execute(ledger_queries.balances_query(cooperative_id, **kwargs)).all()
    return [(row[0].id, row[-1]) for row in rows]


def test_balances_are_scoped_to_the_cooperative(market: Market) -> None:
    coop, other = market.coop, CooperativeFactory()
    suspended = seller(coop, status="suspended", full_name="Zaenal")
    pending = seller(coop, status="pending")
    left = seller(other, full_name="Maya")  # a member elsewhere now, with entries from before
    stranger = seller(other)
    entry(coop.id, left.id, 5_000)
    entry(coop.id, market.seller_a.id, 7_000)
    entry(coop.id, market.seller_a.id, -2_000, LedgerKind.PAYOUT)
    entry(coop.id, market.seller_b.id, -3_000, LedgerKind.PAYOUT)
    entry(other.id, stranger.id, 11_000)
    entry(other.id, market.seller_a.id, 13_000)  # not counted in market.coop
    db.session.flush()

    found = balances(coop.id)

    assert sorted(found) == sorted(
        [(market.seller_a.id, 5_000), (market.seller_b.id, -3_000), (suspended.id, 0), (left.id, 5_000)]
    )
    assert found[0] == (market.seller_b.id, -3_000)  # debts first
    assert pending.id not in dict(found)
    assert balances(coop.id, debts_only=True) == [(market.seller_b.id, -3_000)]
    assert sorted(balances(other.id)) == sorted([(left.id, 0), (stranger.id, 11_000), (market.seller_a.id, 13_000)])
    assert ledger_queries.member_balance(coop.id, stranger.id) is None
    assert ledger_queries.member_balance(coop.id, left.id).balance == 5_000
