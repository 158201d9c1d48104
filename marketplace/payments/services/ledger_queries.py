"""Reading the members' ledger: balances (with debts), a member's history with its running balance, CSV exports.
How entries are written and why they always add up: `ledger`."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Select, case, cast, func, select, union
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Membership
from marketplace.cooperatives.states import MembershipStatus
from marketplace.core.timeutil import format_wib
from marketplace.extensions import db
from marketplace.feeds.writers.values import safe_text
from marketplace.payments.models import LedgerEntry, Payout
from marketplace.payments.states import LedgerKind

KIND_LABELS = {
    LedgerKind.EARNED: _l("Earned"),
    LedgerKind.FEE: _l("Cooperative fee"),
    LedgerKind.PAYOUT: _l("Paid out"),
    LedgerKind.REVERSED: _l("Reversed (refund)"),
}
FEE_RETURNED_LABEL = _l("Fee given back")
#: The entries cancelling a refund's reversal when Stripe failed the refund after it was done.
REVERSAL_CANCELLED_LABEL = _l("Reversal cancelled (the refund failed)")
FEE_RETURN_CANCELLED_LABEL = _l("Fee given back cancelled (the refund failed)")


def entry_label(entry: LedgerEntry) -> str:
    """What an entry is, in the user's language: a FEE entry of a refund is a fee given back (or, negative, that
    give-back cancelled), a positive REVERSED entry cancels a reversal."""
    if entry.kind == LedgerKind.FEE and entry.refund_id is not None:
        return str(FEE_RETURNED_LABEL if entry.amount > 0 else FEE_RETURN_CANCELLED_LABEL)
    if entry.kind == LedgerKind.REVERSED and entry.amount > 0:
        return str(REVERSAL_CANCELLED_LABEL)
    return str(KIND_LABELS.get(entry.kind, entry.kind))


# Reading ----------------------------------------------------------------------------------------------------------


@dataclass
class MemberBalance:
    """A member's totals in one cooperative (all positive but `balance`, which is negative for a debt)."""

    member: User
    earned: int
    fees: int
    paid: int
    reversed: int
    balance: int

    @property
    def is_debt(self) -> bool:
        return self.balance < 0


def balance(cooperative_id: int, member_id: int) -> int:
    """The member's balance: the sum of their signed entries in the cooperative."""
    return db.session.scalar(
        select(_total(LedgerEntry.amount)).where(
            LedgerEntry.cooperative_id == cooperative_id, LedgerEntry.member_id == member_id
        )
    )


def _kind_sum(kind: LedgerKind):
    return _total(case((LedgerEntry.kind == kind, LedgerEntry.amount), else_=0))


def _total(amounts):
    """SUM as a whole number of rupiah, 0 when there are no rows (PostgreSQL sums BIGINT as NUMERIC)."""
    return cast(func.coalesce(func.sum(amounts), 0), BigInteger)


def _totals_subquery(cooperative_id: int):
    return (
        select(
            LedgerEntry.member_id.label("member_id"),
            _kind_sum(LedgerKind.EARNED).label("earned"),
            _kind_sum(LedgerKind.FEE).label("fees"),
            _kind_sum(LedgerKind.PAYOUT).label("paid"),
            _kind_sum(LedgerKind.REVERSED).label("reversed"),
            _total(LedgerEntry.amount).label("balance"),
        )
        .where(LedgerEntry.cooperative_id == cooperative_id)
        .group_by(LedgerEntry.member_id)
        .subquery()
    )


def balances_query(cooperative_id: int, *, debts_only: bool = False) -> Select:
    """Rows (User, earned, fees, paid, reversed, balance) of the cooperative's members (active or suspended) and
    of anyone with entries in it, debts first, then by name. Fees, paid and reversed are negative sums here."""
    totals = _totals_subquery(cooperative_id)
    members = _member_ids_subquery(cooperative_id)
    statement = (
        select(
            User,
            func.coalesce(totals.c.earned, 0),
            func.coalesce(totals.c.fees, 0),
            func.coalesce(totals.c.paid, 0),
            func.coalesce(totals.c.reversed, 0),
            func.coalesce(totals.c.balance, 0).label("balance"),
        )
        .join(members, members.c.member_id == User.id)
        .outerjoin(totals, totals.c.member_id == User.id)
        .order_by(case((func.coalesce(totals.c.balance, 0) < 0, 0), else_=1), User.full_name, User.id)
    )
    if debts_only:
        statement = statement.where(totals.c.balance < 0)
    return statement


def _member_ids_subquery(cooperative_id: int):
    """Ids of the cooperative's members (active or suspended) and of anyone with entries in it, each once: chosen
    from the cooperative's own memberships and entries before users are read."""
    return union(
        select(Membership.user_id.label("member_id")).where(
            Membership.cooperative_id == cooperative_id,
            Membership.status.in_([MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED]),
        ),
        select(LedgerEntry.member_id).where(LedgerEntry.cooperative_id == cooperative_id),
    ).subquery()


def member_balance_from_row(row) -> MemberBalance:
    """A `balances_query` row as a MemberBalance."""
    member, earned, fees, paid, reversed_, total = row
    return MemberBalance(member, earned, -fees, -paid, -reversed_, total)


def member_balance(cooperative_id: int, member_id: int) -> MemberBalance | None:
    """One member's totals; None when the user is neither a member nor has entries in the cooperative."""
    row = db.session.execute(balances_query(cooperative_id).where(User.id == member_id)).first()
    return None if row is None else member_balance_from_row(row)


def cooperative_totals(cooperative_id: int) -> tuple[int, int]:
    """(what the cooperative owes its members, what members in debt owe it), both positive."""
    totals = _totals_subquery(cooperative_id)
    owed, debts = db.session.execute(
        select(
            _total(case((totals.c.balance > 0, totals.c.balance), else_=0)),
            _total(case((totals.c.balance < 0, -totals.c.balance), else_=0)),
        )
    ).one()
    return owed, debts


def history_query(cooperative_id: int, member_id: int) -> Select:
    """Rows (entry, its payout or None) of the member's entries in the cooperative, newest first."""
    return (
        select(LedgerEntry, Payout)
        .outerjoin(Payout, Payout.id == LedgerEntry.payout_id)
        .where(LedgerEntry.cooperative_id == cooperative_id, LedgerEntry.member_id == member_id)
        .options(joinedload(LedgerEntry.order))
        .order_by(LedgerEntry.id.desc())
    )


def entries_with_running_balance(
    cooperative_id: int, member_id: int | None = None
) -> list[tuple[LedgerEntry, Payout | None, int]]:
    """Every entry of the cooperative (or of one member) oldest first, with its payout and its member's balance
    after it."""
    statement = (
        select(LedgerEntry, Payout)
        .outerjoin(Payout, Payout.id == LedgerEntry.payout_id)
        .where(LedgerEntry.cooperative_id == cooperative_id)
        .options(joinedload(LedgerEntry.order), joinedload(LedgerEntry.member))
        .order_by(LedgerEntry.id)
    )
    if member_id is not None:
        statement = statement.where(LedgerEntry.member_id == member_id)
    running: dict[int, int] = defaultdict(int)
    result = []
    for entry, payout in db.session.execute(statement):
        running[entry.member_id] += entry.amount
        result.append((entry, payout, running[entry.member_id]))
    return result


def ledger_csv(cooperative_id: int, member_id: int | None = None) -> str:
    """The cooperative's (or one member's) ledger as CSV text: date, member, kind, order, reference, amount, balance;
    text cells never start a spreadsheet formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [_("Date (WIB)"), _("Member"), _("Entry"), _("Order"), _("Bank reference"), _("Amount"), _("Balance")]
    )
    for entry, payout, running in entries_with_running_balance(cooperative_id, member_id):
        text = [
            format_wib(entry.created_at),
            entry.member.full_name,
            entry_label(entry),
            entry.order.number if entry.order is not None else "",
            payout.bank_reference if payout is not None else "",
        ]
        writer.writerow([safe_text(value) for value in text] + [entry.amount, running])
    return "\ufeff" + buffer.getvalue()
