"""Money: integer rupiah everywhere; PPN rounded half up to whole rupiah once per line."""

from __future__ import annotations


def ppn_amount(amount: int, ppn_percent: int) -> int:
    """PPN on an amount excluding PPN, rounded half up to whole rupiah."""
    return (amount * ppn_percent * 2 + 100) // 200


def with_ppn(amount: int, ppn_percent: int) -> int:
    """The amount including PPN."""
    return amount + ppn_amount(amount, ppn_percent)


def stripe_amount(rupiah: int) -> int:
    """Stripe's IDR amount (rupiah × 100: IDR has two decimals in Stripe's API)."""
    return rupiah * 100
