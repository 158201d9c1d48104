"""The members' ledger: what each member earned from paid orders, the cooperative's fee, refunds and payouts.

A member's **line total** is the total of their order lines as invoiced: price plus PPN plus shipping
(`OrderLine.total`). The cooperative is the seller of record and collects all of it; the member supplied the goods
and (through the cooperative) owes the PPN on them, so the whole invoiced amount is theirs less the fee.
The earnings of a payment are the payment's amount split over its members in proportion to their line totals
(exactly the line totals when the payment is the whole invoice, as it always is now).

Rounding keeps every sum exact, in whole rupiah:
- the fee is `fee_bps` (hundredths of a percent) of the member's earnings, rounded half up, once per member and
  payment;
- a refund is split over the members in proportion to what each still has un-refunded of that payment, by largest
  remainder (ties to the lower member id), so the shares sum to the refund and never exceed what is left; after a
  full refund every member is reversed exactly what they earned;
- the fee given back is the member's fee × (their total reversed ÷ their earnings) rounded half up, less what was
  already given back: a full refund gives back exactly the fee, never more.

The balance is the sum of the signed entries (earned − fee − paid out − reversed + fee given back). A payout may
not exceed the balance, so a balance is negative only when a refund came after a payout: a debt of the member.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative, Membership
from marketplace.cooperatives.permissions import is_manager_of
from marketplace.core.audit import record_event
from marketplace.core.dates import past_day_error
from marketplace.core.errors import Forbidden, NotFound, ValidationFailed
from marketplace.core.templating import rupiah
from marketplace.core.timeutil import to_jakarta
from marketplace.extensions import db
from marketplace.payments.models import LedgerEntry, Payment, Payout, Refund
from marketplace.payments.services.form_keys import KEY_ERROR, clean_form_key
from marketplace.payments.services.ledger_queries import balance
from marketplace.payments.states import LedgerKind

FEE_BPS_MAX = 10_000
BANK_REFERENCE_MAX = 120

# Arithmetic -----------------------------------------------------------------------------------------------------


def fee_amount(amount: int, fee_bps: int) -> int:
    """`fee_bps` hundredths of a percent of `amount`, rounded half up to whole rupiah."""
    return (amount * fee_bps * 2 + FEE_BPS_MAX) // (2 * FEE_BPS_MAX)


def split_by_largest_remainder(total: int, weights: dict[int, int]) -> dict[int, int]:
    """`total` split in proportion to the non-negative `weights` (summing to at least `total`): floors first, then
    one rupiah each to the largest remainders (ties to the lower key). The parts sum exactly to `total`."""
    weight_sum = sum(weights.values())
    if total == 0 or weight_sum == 0:
        return dict.fromkeys(weights, 0)
    parts = {key: total * weight // weight_sum for key, weight in weights.items()}
    left = total - sum(parts.values())
    by_remainder = sorted(weights, key=lambda key: (-(total * weights[key] % weight_sum), key))
    for key in by_remainder[:left]:
        parts[key] += 1
    return parts


# Called by the payment services (flush only, inside their transaction) ------------------------------------------


def record_earnings(payment: Payment) -> list[LedgerEntry]:
    """EARNED and FEE entries for each member whose lines are in the paid order (nothing if already recorded)."""
    db.session.flush()  # the payment (and a new refund) need their ids
    if _has_entries(LedgerEntry.payment_id == payment.id, LedgerEntry.kind == LedgerKind.EARNED):
        return []
    order = payment.order
    cooperative = db.session.get(Cooperative, order.cooperative_id)
    line_totals: dict[int, int] = defaultdict(int)
    for line in order.lines:
        line_totals[line.seller_id] += line.total
    earned = split_by_largest_remainder(payment.amount, dict(line_totals))
    entries = []
    for member_id in sorted(earned):
        if earned[member_id] <= 0:
            continue
        entries.append(_entry(payment, member_id, LedgerKind.EARNED, earned[member_id]))
        fee = fee_amount(earned[member_id], cooperative.fee_bps)
        if fee:
            entries.append(_entry(payment, member_id, LedgerKind.FEE, -fee))
    db.session.flush()
    return entries


def reverse_for_refund(refund: Refund) -> list[LedgerEntry]:
    """REVERSED entries (the members' shares of the refund) and FEE entries giving back the fee on those shares
    (nothing if this refund is already reversed, or the payment has no earnings)."""
    db.session.flush()
    if _has_entries(LedgerEntry.refund_id == refund.id):
        return []
    payment = refund.payment
    totals = _payment_totals(payment.id)
    remaining = {member: t.earned - t.reversed for member, t in totals.items() if t.earned > t.reversed}
    if not remaining:
        return []
    shares = split_by_largest_remainder(min(refund.amount, sum(remaining.values())), remaining)
    entries = []
    for member_id in sorted(shares):
        share, t = shares[member_id], totals[member_id]
        if share <= 0:
            continue
        entries.append(_entry(payment, member_id, LedgerKind.REVERSED, -share, refund=refund))
        given_back = (t.fee_charged * (t.reversed + share) * 2 + t.earned) // (2 * t.earned) - t.fee_returned
        if given_back > 0:
            entries.append(_entry(payment, member_id, LedgerKind.FEE, given_back, refund=refund))
    db.session.flush()
    return entries


def cancel_reversal(refund: Refund) -> list[LedgerEntry]:
    """Entries cancelling the refund's REVERSED and FEE entries (a refund Stripe failed after it was done): each
    member gets back their share and pays again the fee given back. Nothing when there is nothing to cancel (no
    entries, or cancelled already: the refund's entries sum to zero)."""
    db.session.flush()
    entries = list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.refund_id == refund.id)))
    if not entries or sum(entry.amount for entry in entries) == 0:
        return []
    payment = refund.payment
    cancelling = [
        _entry(payment, entry.member_id, LedgerKind(entry.kind), -entry.amount, refund=refund) for entry in entries
    ]
    db.session.flush()
    return cancelling


@dataclass
class _MemberTotals:
    """A member's amounts on one payment, all positive."""

    earned: int = 0
    reversed: int = 0
    fee_charged: int = 0
    fee_returned: int = 0


def _payment_totals(payment_id: int) -> dict[int, _MemberTotals]:
    totals: dict[int, _MemberTotals] = defaultdict(_MemberTotals)
    rows = db.session.execute(
        select(LedgerEntry.member_id, LedgerEntry.kind, LedgerEntry.amount, LedgerEntry.refund_id).where(
            LedgerEntry.payment_id == payment_id
        )
    )
    for member_id, kind, amount, refund_id in rows:
        t = totals[member_id]
        if kind == LedgerKind.EARNED:
            t.earned += amount
        elif kind == LedgerKind.REVERSED:
            t.reversed -= amount
        elif kind == LedgerKind.FEE and refund_id is None:  # charged when the payment was earned
            t.fee_charged -= amount
        elif kind == LedgerKind.FEE:  # given back on a refund (negative: a give-back cancelled)
            t.fee_returned += amount
    return totals


def _has_entries(*conditions) -> bool:
    return db.session.scalar(select(LedgerEntry.id).where(*conditions).limit(1)) is not None


def _entry(
    payment: Payment, member_id: int, kind: LedgerKind, amount: int, *, refund: Refund | None = None
) -> LedgerEntry:
    entry = LedgerEntry(
        cooperative_id=payment.order.cooperative_id,
        member_id=member_id,
        kind=kind,
        amount=amount,
        order_id=payment.order_id,
        payment_id=payment.id,
        refund_id=refund.id if refund is not None else None,
    )
    db.session.add(entry)
    return entry


# The fee ----------------------------------------------------------------------------------------------------------


def can_manage_ledger(actor: User | None, cooperative_id: int) -> bool:
    """The cooperative's managers set its fee and record payouts."""
    return is_manager_of(actor, cooperative_id)


def set_fee(*, actor: User, cooperative: Cooperative, fee_bps: int) -> Cooperative:
    """Set the cooperative's fee on its members' earnings (hundredths of a percent, 0–10000); later payments use it."""
    if not can_manage_ledger(actor, cooperative.id):
        raise Forbidden("only the cooperative's managers set its fee")
    if not 0 <= fee_bps <= FEE_BPS_MAX:
        raise ValidationFailed(_("The fee must be between 0 and 100 %."), {"fee_bps": _("Between 0 and 100 %.")})
    before = cooperative.fee_bps
    cooperative.fee_bps = fee_bps
    record_event(
        "cooperative.fee_set",
        subject_type="cooperative",
        subject_id=cooperative.id,
        actor_id=actor.id,
        before={"fee_bps": before},
        after={"fee_bps": fee_bps},
    )
    db.session.commit()
    return cooperative


# Payouts ----------------------------------------------------------------------------------------------------------


def record_payout(
    *,
    actor: User,
    cooperative_id: int,
    member_id: int,
    amount: int,
    bank_reference: str,
    paid_on: date,
    note: str | None = None,
    key: str | None = None,
) -> Payout:
    """Record money the cooperative transferred to a member; never more than the member's balance.

    `key` is the payout form's idempotency key (`form_keys`): the same key again returns the payout it recorded
    instead of recording it twice."""
    if not can_manage_ledger(actor, cooperative_id):
        raise Forbidden("only the cooperative's managers record payouts")
    _lock_member(cooperative_id, member_id)
    errors: dict[str, str] = {}
    key = clean_form_key(key, errors)
    earlier = _payout_of_key(cooperative_id, key) if key and not errors else None
    if earlier is not None and earlier.member_id == member_id:
        db.session.rollback()
        return earlier
    if earlier is not None:
        errors["key"] = str(KEY_ERROR)
    current = balance(cooperative_id, member_id)
    bank_reference = (bank_reference or "").strip()
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter an amount above zero.")
    elif amount > current:
        errors["amount"] = _("At most the member's balance, %(balance)s.", balance=rupiah(max(current, 0)))
    if not bank_reference:
        errors["bank_reference"] = _("Enter the bank transfer reference.")
    elif len(bank_reference) > BANK_REFERENCE_MAX:
        errors["bank_reference"] = _("At most %(n)d characters.", n=BANK_REFERENCE_MAX)
    day_error = past_day_error(
        paid_on,
        earliest=to_jakarta(db.session.get(Cooperative, cooperative_id).created_at).date(),
        missing=_("Enter the transfer date."),
        future=_("The transfer date cannot be in the future."),
    )
    if day_error:
        errors["paid_on"] = day_error
    if errors:
        raise ValidationFailed(_("The payout was not recorded."), errors)
    payout = Payout(
        cooperative_id=cooperative_id,
        member_id=member_id,
        amount=amount,
        bank_reference=bank_reference,
        paid_on=paid_on,
        note=(note or "").strip() or None,
        form_key=key,
        created_by_id=actor.id,
    )
    db.session.add(payout)
    db.session.flush()
    db.session.add(
        LedgerEntry(
            cooperative_id=cooperative_id,
            member_id=member_id,
            kind=LedgerKind.PAYOUT,
            amount=-amount,
            payout_id=payout.id,
        )
    )
    record_event(
        "ledger.payout",
        subject_type="payout",
        subject_id=payout.id,
        actor_id=actor.id,
        after={"member_id": member_id, "amount": amount, "bank_reference": bank_reference, "paid_on": str(paid_on)},
    )
    db.session.commit()
    return payout


def _payout_of_key(cooperative_id: int, key: str) -> Payout | None:
    """The cooperative's payout an earlier submission of the form with this key recorded, if any."""
    return db.session.scalars(
        select(Payout).where(Payout.cooperative_id == cooperative_id, Payout.form_key == key)
    ).first()


def _lock_member(cooperative_id: int, member_id: int) -> None:
    """Lock the member's membership row (payouts of one member run one at a time); NotFound for a non-member."""
    membership = db.session.scalars(
        select(Membership)
        .where(Membership.user_id == member_id, Membership.cooperative_id == cooperative_id)
        .with_for_update()
    ).one_or_none()
    if membership is None:
        raise NotFound("member not found")
