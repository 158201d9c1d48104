"""Valid Indonesian identifiers for test data."""

from __future__ import annotations

from stdnum import luhn


def make_npwp(n: int) -> str:
    """A valid 16-digit NPWP (0 + legacy 15 digits with a Luhn check digit in 9th place)."""
    head = f"01{n % 1_000_000:06d}"
    return f"0{head}{luhn.calc_check_digit(head)}613000"


def make_nik(n: int) -> str:
    """A valid NIK from Kota Mojokerto (35.76.02), born on a real date, with serial `n`."""
    day = 1 + n % 28
    return f"357602{day:02d}0590{(n % 9999) + 1:04d}"
