"""How values are spelled in the feed files: plain numbers, scaled decimals, text that never becomes a formula."""

from __future__ import annotations

from functools import lru_cache

#: A text cell starting with one of these would be read as a formula by a spreadsheet (CSV injection).
FORMULA_STARTS = frozenset("=+-@\t\r")


@lru_cache(maxsize=65536)
def format_scaled(value: int | None, scale: int) -> str:
    """A scaled integer as a plain decimal with a dot: (4025, 100) → "40.25", (4000, 100) → "40", (250, 1000) →
    "0.25"; "" for None. Cached: feeds repeat the same few percentages."""
    if value is None:
        return ""
    whole, fraction = divmod(abs(value), scale)
    sign = "-" if value < 0 else ""
    if not fraction:
        return f"{sign}{whole}"
    digits = len(str(scale)) - 1
    return f"{sign}{whole}.{fraction:0{digits}d}".rstrip("0")


def scaled_number(value: int | None, scale: int) -> int | float | None:
    """A scaled integer as a JSON or spreadsheet number: whole numbers stay integers (4000 → 40, 4025 → 40.25)."""
    if value is None:
        return None
    whole, fraction = divmod(value, scale)
    return whole if not fraction else value / scale


def safe_text(value: str) -> str:
    """Text for a CSV cell: a leading `'` when it would start a formula."""
    return "'" + value if value and value[0] in FORMULA_STARTS else value
