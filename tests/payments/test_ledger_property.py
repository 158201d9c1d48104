"""The ledger's money invariants under any sequence of payments, refunds, payouts and fee changes (issue 6).

Hypothesis drives the real ledger services (`record_earnings`, `reverse_for_refund`, `record_payout`, `set_fee`) on
orders of the procurement market with random quantities, paid by Payment rows made directly. After every step:
- each member's balance is the sum of their entries and equals earned − fees − paid out − reversed;
- a refund's shares sum exactly to the refund, and no member is reversed more than they earned on that payment;
- the net fee on a payment is between 0 and the member's un-refunded earnings, the fee given back is the fee ×
  reversed ÷ earned rounded half up (so 0 net once fully refunded);
- money is conserved: payments = refunds + net fees + payouts + balances;
- a balance is negative only for a member who was paid out before a later refund, and never by more than the
  payouts; a payout above the balance is refused and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from marketplace.accounts.models import User
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.payments.models import LedgerEntry, Payment, Payout, Refund
from marketplace.payments.services import ledger, ledger_queries
from marketplace.payments.states import LedgerKind
from marketplace.procurement.states import OrderStatus
from tests.payments.test_ledger import paid, refunded
from tests.procurement.conftest import Market, make_order


class Step(NamedTuple):
    """`pay` (value: rice and oil quantities), `refund` (slot: which payment, value: share of what is left, in
    thousandths), `payout` (slot: which member, value: share of the balance in thousandths; above 1000 is too much),
    `fee` (value: fee_bps)."""

    action: str
    slot: int = 0
    value: object = None


STEPS = st.one_of(
    st.builds(Step, st.just("pay"), st.just(0), st.tuples(st.integers(0, 7), st.integers(0, 9))),
    st.builds(Step, st.just("refund"), st.integers(0, 5), st.integers(1, 1000)),
    st.builds(Step, st.just("payout"), st.integers(0, 1), st.integers(1, 1100)),
    st.builds(Step, st.just("fee"), st.just(0), st.sampled_from([0, 1, 250, 333, 5000, 9999, 10_000])),
)


def _reset(market: Market) -> None:
    """Start an example from an empty ledger and no fee (all inside the test's rolled-back transaction)."""
    market.coop.fee_bps = 0
    for model in (LedgerEntry, Payout, Refund, Payment):
        db.session.execute(delete(model))
    db.session.flush()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(steps=st.lists(STEPS, min_size=1, max_size=12))
def test_ledger_always_balances(market: Market, steps: list[Step]):
    _reset(market)
    members = [market.seller_a, market.seller_b]
    payments: list[Payment] = []
    paid_out: dict[int, int] = defaultdict(int)
    #: Members who were paid out before a refund came: only they may be in debt.
    may_owe: set[int] = set()

    for step in steps:
        if step.action == "pay":
            rice, oil = step.value
            items = [(product, qty) for product, qty in ((market.rice, rice), (market.oil, oil)) if qty]
            if not items:
                continue
            payment = paid(market, make_order(market, OrderStatus.COMPLETED, items=items))
            ledger.record_earnings(payment)
            payments.append(payment)
            _check_earnings(market, payment)
        elif step.action == "refund" and payments:
            payment = payments[step.slot % len(payments)]
            left = payment.amount - payment.refunded_amount
            if left == 0:
                continue
            refund = refunded(market, payment, max(1, left * step.value // 1000))
            entries = ledger.reverse_for_refund(refund)
            assert -sum(e.amount for e in entries if e.kind == LedgerKind.REVERSED) == refund.amount
            may_owe |= {member for member, amount in paid_out.items() if amount}
        elif step.action == "payout":
            member = members[step.slot]
            before = ledger.balance(market.coop.id, member.id)
            if step.value > 1000:
                too_much = max(before, 0) + max(1, max(before, 0) * (step.value - 1000) // 1000)
                with pytest.raises(ValidationFailed):
                    _payout(market, member, too_much)
                assert ledger.balance(market.coop.id, member.id) == before
                continue
            amount = max(before, 0) * step.value // 1000
            if amount <= 0:
                continue
            _payout(market, member, amount)
            paid_out[member.id] += amount
        elif step.action == "fee":
            ledger.set_fee(actor=market.manager, cooperative=market.coop, fee_bps=step.value)
        _check_invariants(market, payments, paid_out, may_owe)


def _payout(market: Market, member: User, amount: int) -> None:
    ledger.record_payout(
        actor=market.manager,
        cooperative_id=market.coop.id,
        member_id=member.id,
        amount=amount,
        bank_reference="TRF",
        paid_on=date.today(),
    )


def _check_earnings(market: Market, payment: Payment) -> None:
    """A member earns exactly their lines' totals, less their fee rounded half up."""
    expected: dict[int, int] = defaultdict(int)
    for line in payment.order.lines:
        expected[line.seller_id] += line.total
    rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.payment_id == payment.id))
    got: dict[tuple[int, str], int] = defaultdict(int)
    for entry in rows:
        got[entry.member_id, entry.kind] += entry.amount
    for member_id, total in expected.items():
        assert got[member_id, LedgerKind.EARNED] == total
        assert got[member_id, LedgerKind.FEE] == -ledger.fee_amount(total, market.coop.fee_bps)


def _check_invariants(market: Market, payments: list[Payment], paid_out: dict[int, int], may_owe: set[int]) -> None:
    per_payment: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry in db.session.scalars(select(LedgerEntry).where(LedgerEntry.payment_id.is_not(None))):
        per_payment[entry.payment_id, entry.member_id][entry.kind] += entry.amount
        if entry.kind == LedgerKind.FEE and entry.amount < 0:
            per_payment[entry.payment_id, entry.member_id]["charged"] -= entry.amount
    by_id = {payment.id: payment for payment in payments}
    for (payment_id, _member), kinds in per_payment.items():
        earned, reversed_, fee = kinds[LedgerKind.EARNED], -kinds[LedgerKind.REVERSED], -kinds[LedgerKind.FEE]
        assert 0 <= reversed_ <= earned
        assert 0 <= fee <= earned - reversed_
        charged = kinds["charged"]
        assert fee == charged - (charged * reversed_ * 2 + earned) // (2 * earned)  # given back: rounded half up
        payment = by_id[payment_id]
        if payment.refunded_amount == payment.amount:
            assert (reversed_, fee) == (earned, 0)

    net_fees = refunds = balances = 0
    for row in db.session.execute(ledger_queries.balances_query(market.coop.id)):
        totals = ledger_queries.member_balance_from_row(row)
        member_id = totals.member.id
        entries_sum = sum(db.session.scalars(select(LedgerEntry.amount).where(LedgerEntry.member_id == member_id)))
        assert totals.balance == entries_sum == ledger.balance(market.coop.id, member_id)
        assert totals.balance == totals.earned - totals.fees - totals.paid - totals.reversed
        assert totals.paid == paid_out[member_id]
        if totals.balance < 0:
            assert member_id in may_owe and totals.is_debt
            event("a member in debt")
            assert -totals.balance <= totals.paid
        net_fees += totals.fees
        refunds += totals.reversed
        balances += totals.balance
    assert sum(p.amount for p in payments) == refunds + net_fees + sum(paid_out.values()) + balances
    assert refunds == sum(p.refunded_amount for p in payments)
