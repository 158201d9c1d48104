"""Dashboard fixtures: the procurement market (see tests/procurement/conftest.py)."""

from __future__ import annotations

from tests.procurement import conftest as procurement

market = procurement.market
