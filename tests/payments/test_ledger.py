"""The members' ledger services: earnings and the fee when an order is paid, reversals on refunds, payouts, balances
and the CSV (issue 6). Payments and refunds are made directly on orders from `make_order`.

The market's order (rice 10 + oil 5): seller_a's line Rp725.000 + PPN Rp79.750 + shipping Rp20.000 = Rp824.750,
seller_b's line Rp90.000 + PPN Rp9.900 = Rp99.900; total Rp924.650.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Forbidden, NotFound, ValidationFailed
from marketplace.core.timeutil import today_wib
from marketplace.extensions import db
from marketplace.payments.models import LedgerEntry, Payment, Payout, Refund
from marketplace.payments.services import ledger, ledger_queries
from marketplace.payments.states import LedgerKind, RefundStatus
from marketplace.procurement.models import Order
from marketplace.procurement.states import OrderStatus
from tests.payments.conftest import make_payment
from tests.procurement.conftest import Market, make_order

A_TOTAL, B_TOTAL = 824_750, 99_900


def paid(market: Market, order: Order | None = None) -> Payment:
    """A succeeded transfer payment of the whole order (a new market order unless given)."""
    order = order or make_order(market, OrderStatus.COMPLETED)
    return make_payment(order, created_by_id=market.bendahara.id)


def refunded(market: Market, payment: Payment, amount: int) -> Refund:
    """A succeeded refund of `amount` on the payment."""
    refund = Refund(
        payment_id=payment.id,
        amount=amount,
        reason="Barang rusak",
        status=RefundStatus.SUCCEEDED,
        created_by_id=market.manager.id,
    )
    db.session.add(refund)
    payment.refunded_amount += amount
    db.session.flush()
    return refund


def entries(member_id: int) -> list[tuple[str, int]]:
    rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == member_id).order_by(LedgerEntry.id))
    return [(entry.kind, entry.amount) for entry in rows]


def payout(market: Market, member, amount: int, **kwargs) -> Payout:
    values = {"bank_reference": "TRF-0001", "paid_on": today_wib()} | kwargs
    return ledger.record_payout(
        actor=market.manager, cooperative_id=market.coop.id, member_id=member.id, amount=amount, **values
    )


# Arithmetic -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "bps", "fee"),
    [(824_750, 250, 20_619), (99_900, 250, 2_498), (99_899, 250, 2_497), (200, 25, 1), (199, 25, 0), (5, 10_000, 5)],
)
def test_fee_is_rounded_half_up(amount, bps, fee):
    assert ledger.fee_amount(amount, bps) == fee


def test_largest_remainder_split_sums_exactly_and_breaks_ties_by_key():
    assert ledger.split_by_largest_remainder(100_000, {1: A_TOTAL, 2: B_TOTAL}) == {1: 89_196, 2: 10_804}
    assert ledger.split_by_largest_remainder(1, {7: 5, 3: 5}) == {3: 1, 7: 0}
    assert ledger.split_by_largest_remainder(10, {1: 1, 2: 1, 3: 1}) == {1: 4, 2: 3, 3: 3}
    assert ledger.split_by_largest_remainder(0, {1: 3}) == {1: 0}


# Earnings ---------------------------------------------------------------------------------------------------------


def test_paid_order_earns_each_member_their_lines_total_including_ppn_and_shipping(market):
    payment = paid(market)

    ledger.record_earnings(payment)

    assert entries(market.seller_a.id) == [(LedgerKind.EARNED, A_TOTAL)]
    assert entries(market.seller_b.id) == [(LedgerKind.EARNED, B_TOTAL)]
    assert ledger.balance(market.coop.id, market.seller_a.id) == A_TOTAL


def test_fee_is_taken_per_member_rounded_half_up(market):
    market.coop.fee_bps = 250

    ledger.record_earnings(paid(market))

    assert entries(market.seller_a.id) == [(LedgerKind.EARNED, A_TOTAL), (LedgerKind.FEE, -20_619)]
    assert entries(market.seller_b.id) == [(LedgerKind.EARNED, B_TOTAL), (LedgerKind.FEE, -2_498)]
    assert ledger.balance(market.coop.id, market.seller_b.id) == B_TOTAL - 2_498


def test_recording_earnings_twice_changes_nothing(market):
    payment = paid(market)
    ledger.record_earnings(payment)

    assert ledger.record_earnings(payment) == []
    assert len(entries(market.seller_a.id)) == 1


def test_one_member_with_two_lines_gets_one_entry_and_one_fee(market):
    market.coop.fee_bps = 1_000
    order = make_order(market, OrderStatus.COMPLETED, items=[(market.rice, 1), (market.rice, 3)])

    ledger.record_earnings(paid(market, order))

    line_total = sum(line.total for line in order.lines)
    assert entries(market.seller_a.id) == [(LedgerKind.EARNED, line_total), (LedgerKind.FEE, -(line_total // 10))]


# Refunds ----------------------------------------------------------------------------------------------------------


def test_partial_refund_is_shared_by_largest_remainder_with_the_fee_given_back(market):
    market.coop.fee_bps = 250
    payment = paid(market)
    ledger.record_earnings(payment)

    ledger.reverse_for_refund(refunded(market, payment, 100_000))

    assert entries(market.seller_a.id)[2:] == [(LedgerKind.REVERSED, -89_196), (LedgerKind.FEE, 2_230)]
    assert entries(market.seller_b.id)[2:] == [(LedgerKind.REVERSED, -10_804), (LedgerKind.FEE, 270)]


def test_full_refund_in_steps_reverses_exactly_the_earnings_and_gives_back_exactly_the_fee(market):
    market.coop.fee_bps = 333
    payment = paid(market)
    ledger.record_earnings(payment)

    for amount in (1, 333_333, 7, payment.amount - 333_341):
        ledger.reverse_for_refund(refunded(market, payment, amount))

    for member in (market.seller_a, market.seller_b):
        assert ledger.balance(market.coop.id, member.id) == 0
        kinds = entries(member.id)
        assert sum(amount for kind, amount in kinds if kind == LedgerKind.REVERSED) == -(
            A_TOTAL if member is market.seller_a else B_TOTAL
        )


def test_reversing_the_same_refund_twice_changes_nothing(market):
    payment = paid(market)
    ledger.record_earnings(payment)
    refund = refunded(market, payment, 50_000)
    ledger.reverse_for_refund(refund)

    assert ledger.reverse_for_refund(refund) == []
    assert len(entries(market.seller_a.id)) == 2


def test_refund_after_payout_leaves_a_debt(market):
    payment = paid(market)
    ledger.record_earnings(payment)
    payout(market, market.seller_b, B_TOTAL)

    ledger.reverse_for_refund(refunded(market, payment, payment.amount))

    assert ledger.balance(market.coop.id, market.seller_b.id) == -B_TOTAL
    assert ledger_queries.member_balance(market.coop.id, market.seller_b.id).is_debt
    assert ledger.balance(market.coop.id, market.seller_a.id) == 0


# Payouts ----------------------------------------------------------------------------------------------------------


def test_payout_reduces_the_balance_and_is_audited(market):
    ledger.record_earnings(paid(market))

    made = payout(market, market.seller_a, 800_000, bank_reference="  BCA-123  ", note="Oktober")

    assert (made.bank_reference, made.note, made.created_by_id) == ("BCA-123", "Oktober", market.manager.id)
    assert entries(market.seller_a.id)[-1] == (LedgerKind.PAYOUT, -800_000)
    assert ledger.balance(market.coop.id, market.seller_a.id) == A_TOTAL - 800_000
    assert type(ledger.balance(market.coop.id, market.seller_a.id)) is int  # not PostgreSQL's NUMERIC sum
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.payout")).one()
    assert (event.subject_id, event.after["amount"]) == (made.id, 800_000)


@pytest.mark.parametrize(
    ("amount", "values", "field"),
    [
        (A_TOTAL + 1, {}, "amount"),
        (0, {}, "amount"),
        (1_000, {"bank_reference": "   "}, "bank_reference"),
        (1_000, {"bank_reference": "x" * 121}, "bank_reference"),
        (1_000, {"paid_on": date.today() + timedelta(days=2)}, "paid_on"),
        (1_000, {"paid_on": None}, "paid_on"),
        (1_000, {"paid_on": date(1900, 1, 1)}, "paid_on"),  # before the cooperative was on the platform
    ],
)
def test_payout_input_is_checked(market, amount, values, field):
    ledger.record_earnings(paid(market))

    with pytest.raises(ValidationFailed) as error:
        payout(market, market.seller_a, amount, **values)

    assert field in error.value.fields
    assert db.session.scalar(select(Payout.id)) is None


def test_whole_balance_may_be_paid_out_but_nothing_from_an_empty_one(market):
    ledger.record_earnings(paid(market))
    payout(market, market.seller_a, A_TOTAL)

    with pytest.raises(ValidationFailed):
        payout(market, market.seller_a, 1)
    assert ledger.balance(market.coop.id, market.seller_a.id) == 0


def test_only_the_cooperatives_managers_record_payouts(market):
    ledger.record_earnings(paid(market))
    for actor in (market.other_manager, market.seller_a, market.operator):
        with pytest.raises(Forbidden):
            ledger.record_payout(
                actor=actor,
                cooperative_id=market.coop.id,
                member_id=market.seller_a.id,
                amount=1,
                bank_reference="X",
                paid_on=date.today(),
            )


def test_payout_to_someone_not_a_member_is_not_found(market):
    with pytest.raises(NotFound):
        payout(market, market.other_seller, 1)


# Fee setting ------------------------------------------------------------------------------------------------------


def test_manager_sets_the_fee_and_it_is_audited(market):
    ledger.set_fee(actor=market.manager, cooperative=market.coop, fee_bps=1_250)

    assert market.coop.fee_bps == 1_250
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "cooperative.fee_set")).one()
    assert (event.before, event.after) == ({"fee_bps": 0}, {"fee_bps": 1_250})


@pytest.mark.parametrize("fee_bps", [-1, 10_001])
def test_fee_outside_0_to_100_percent_is_refused(market, fee_bps):
    with pytest.raises(ValidationFailed) as error:
        ledger.set_fee(actor=market.manager, cooperative=market.coop, fee_bps=fee_bps)
    assert "fee_bps" in error.value.fields


def test_other_cooperatives_manager_cannot_set_the_fee(market):
    with pytest.raises(Forbidden):
        ledger.set_fee(actor=market.other_manager, cooperative=market.coop, fee_bps=100)


# Reading ----------------------------------------------------------------------------------------------------------


def test_balances_list_members_with_totals_debts_first(market):
    market.coop.fee_bps = 100
    payment = paid(market)
    ledger.record_earnings(payment)
    payout(market, market.seller_b, 90_000)
    ledger.reverse_for_refund(refunded(market, payment, payment.amount))

    rows = [
        ledger_queries.member_balance_from_row(row)
        for row in db.session.execute(ledger_queries.balances_query(market.coop.id))
    ]

    assert [row.member for row in rows] == [market.seller_b, market.seller_a]
    b = rows[0]
    assert (b.earned, b.fees, b.paid, b.reversed) == (B_TOTAL, 0, 90_000, B_TOTAL)
    assert b.balance == b.earned - b.fees - b.paid - b.reversed == -90_000
    assert ledger_queries.cooperative_totals(market.coop.id) == (0, 90_000)
    debts = db.session.execute(ledger_queries.balances_query(market.coop.id, debts_only=True)).all()
    assert [row[0] for row in debts] == [market.seller_b]


def test_members_without_entries_are_listed_with_zero(market):
    rows = db.session.execute(ledger_queries.balances_query(market.coop.id)).all()
    assert {row[0] for row in rows} == {market.seller_a, market.seller_b}
    assert all(row[-1] == 0 for row in rows)


def test_csv_has_each_entry_with_the_running_balance_and_no_formulas(market):
    market.seller_b.full_name = "=HYPERLINK(1)"
    ledger.record_earnings(paid(market))
    payout(market, market.seller_b, 9_900, bank_reference="+62REF")

    rows = list(csv.reader(io.StringIO(ledger_queries.ledger_csv(market.coop.id, market.seller_b.id).lstrip("\ufeff"))))

    assert len(rows) == 3
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert rows[1][5:] == [str(B_TOTAL), str(B_TOTAL)]
    assert rows[2][4:] == ["'+62REF", "-9900", "90000"]
