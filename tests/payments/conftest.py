"""Payments fixtures: the procurement market, and an order whose invoice is issued (WAITING_PAYMENT)."""

from __future__ import annotations

import pytest

from marketplace.procurement.models import Order
from marketplace.procurement.services import documents
from marketplace.procurement.states import OrderStatus
from tests.procurement import conftest as procurement
from tests.procurement.conftest import Market, make_order

#: The procurement tests' market (see tests/procurement/conftest.py).
market = procurement.market


@pytest.fixture
def invoiced_order(market: Market) -> Order:
    """An order of market.work_unit from market.coop (rice 10 + oil 5: Rp924.650), invoiced, waiting for payment."""
    order = make_order(market, OrderStatus.WAITING_PAYMENT)
    documents.issue_invoice(order, market.manager)
    return order
