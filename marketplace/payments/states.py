"""The payment and refund lifecycles, payment methods and ledger entry kinds.

Payment: `pending → processing → succeeded | failed`; `pending → succeeded | failed` (a webhook may say so first);
`pending → failed` also by `abandon` (a card payment left waiting: the bendahara gave it up, or the reconciliation
found it stale); `succeeded → partially_refunded → refunded`, `succeeded → refunded`. Stripe's events are applied
so that a late one never moves a payment back (see `RANK`).
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from marketplace.core.lifecycle import Lifecycle


class PaymentMethod(enum.StrEnum):
    #: KKP (government corporate card) through Stripe.
    CARD = "card"
    #: Bank transfer (LS / SP2D) recorded by the bendahara, confirmed by the cooperative.
    TRANSFER = "transfer"


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


P = PaymentStatus
PAYMENT = Lifecycle(
    "payment",
    {
        "process": ({P.PENDING}, P.PROCESSING),
        "succeed": ({P.PENDING, P.PROCESSING}, P.SUCCEEDED),
        "fail": ({P.PENDING, P.PROCESSING}, P.FAILED),
        #: A card payment never completed (3-D Secure left open, or no PaymentIntent was made) is given up.
        "abandon": ({P.PENDING}, P.FAILED),
        "refund_part": ({P.SUCCEEDED, P.PARTIALLY_REFUNDED}, P.PARTIALLY_REFUNDED),
        "refund_all": ({P.SUCCEEDED, P.PARTIALLY_REFUNDED}, P.REFUNDED),
        #: Stripe failed a refund it had reported done: the payment holds that amount again (some other refund
        #: still done, or none).
        "refund_undone_part": ({P.PARTIALLY_REFUNDED, P.REFUNDED}, P.PARTIALLY_REFUNDED),
        "refund_undone": ({P.PARTIALLY_REFUNDED, P.REFUNDED}, P.SUCCEEDED),
    },
)
#: How far a payment has gone: an event that would move it to a lower rank (a late `processing` after
#: `succeeded`) changes nothing.
RANK = {P.PENDING: 0, P.PROCESSING: 1, P.FAILED: 2, P.SUCCEEDED: 3, P.PARTIALLY_REFUNDED: 4, P.REFUNDED: 5}
#: A payment in one of these holds the invoice: no second payment may start.
ACTIVE = frozenset({P.PENDING, P.PROCESSING, P.SUCCEEDED, P.PARTIALLY_REFUNDED, P.REFUNDED})

PAYMENT_STATUS_LABELS = {
    P.PENDING: _l("Waiting"),
    P.PROCESSING: _l("Processing"),
    P.SUCCEEDED: _l("Paid"),
    P.FAILED: _l("Failed"),
    P.PARTIALLY_REFUNDED: _l("Partly refunded"),
    P.REFUNDED: _l("Refunded"),
}
METHOD_LABELS = {PaymentMethod.CARD: _l("KKP card"), PaymentMethod.TRANSFER: _l("Bank transfer")}


class RefundStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class LedgerKind(enum.StrEnum):
    """A member's ledger entries; the balance is the sum of their signed amounts."""

    #: + the member's lines' total when an order is paid.
    EARNED = "earned"
    #: − the cooperative's fee on those lines.
    FEE = "fee"
    #: − money the cooperative paid out to the member.
    PAYOUT = "payout"
    #: − the member's share of a refund (the fee on it comes back as a + FEE entry).
    REVERSED = "reversed"


class EventOutcome(enum.StrEnum):
    """What became of a Stripe webhook event."""

    APPLIED = "applied"
    #: Verified, but no payment of ours matches it.
    UNMATCHED = "unmatched"
    #: Verified and matched, but applying it failed (kept for the operator; Stripe retries).
    FAILED = "failed"
    #: Verified, not a type we act on.
    IGNORED = "ignored"
