"""Payments fixtures: the procurement market, and an order whose invoice is issued (WAITING_PAYMENT)."""

from __future__ import annotations

import pytest

from marketplace.procurement.models import Order
from marketplace.procurement.services import documents
from marketplace.procurement.states import OrderStatus
from tests.procurement.conftest import Market, build_market, make_order


@pytest.fixture
def market(db) -> Market:
    return build_market()


@pytest.fixture
def invoiced_order(market: Market) -> Order:
    """An order of market.work_unit from market.coop (rice 10 + oil 5: Rp1.099.850), invoiced, waiting for payment."""
    order = make_order(market, OrderStatus.WAITING_PAYMENT)
    documents.issue_invoice(order, market.manager)
    return order
