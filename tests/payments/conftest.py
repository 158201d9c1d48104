"""Payments fixtures: the procurement market, and an order whose invoice is issued (WAITING_PAYMENT)."""

from __future__ import annotations

from datetime import datetime

import pytest

from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace.payments.states import PaymentMethod, PaymentStatus
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


def make_payment(
    order: Order,
    *,
    method: PaymentMethod = PaymentMethod.TRANSFER,
    status: PaymentStatus = PaymentStatus.SUCCEEDED,
    created_at: datetime | None = None,
    created_by_id: int | None = None,
    **values,
) -> Payment:
    """A payment of the whole order (made by whoever placed it unless said), flushed."""
    payment = Payment(
        order_id=order.id,
        method=method,
        status=status,
        amount=order.total,
        created_by_id=created_by_id or order.placed_by_id,
        created_at=created_at or utcnow(),
        **values,
    )
    db.session.add(payment)
    db.session.flush()
    return payment
