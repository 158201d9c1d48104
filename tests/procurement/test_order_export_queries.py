"""The CSV export reads orders in keyset batches: the list's rows in the list's order, none twice, none missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marketplace.extensions import db
from marketplace.procurement.services import queries
from tests.procurement.conftest import make_order
from tests.support.statements import recorded_statements


def test_export_reads_every_order_once_in_list_order_across_batches(market, monkeypatch) -> None:
    monkeypatch.setattr(queries, "EXPORT_BATCH", 3)
    orders = [make_order(market) for _ in range(10)]
    start = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    # Equal times across batch boundaries: the id orders them (newest first too).
    minutes = [0, 0, 1, 1, 1, 1, 2, 3, 3, 3]
    for order, minute in zip(orders, minutes, strict=True):
        order.created_at = start + timedelta(minutes=minute)
    db.session.flush()
    expected = db.session.scalars(queries.orders_statement(market.operator)).all()

    with recorded_statements() as statements:
        exported = [order.id for order in queries.iter_orders(market.operator)]

    assert exported == [order.id for order in expected]
    assert sorted(exported) == sorted(order.id for order in orders)
    assert len(statements) == 4  # ceil(10 / 3) batches, the last one short


def test_export_of_an_exact_multiple_of_the_batch_ends_with_an_empty_batch(market, monkeypatch) -> None:
    monkeypatch.setattr(queries, "EXPORT_BATCH", 2)
    orders = [make_order(market) for _ in range(4)]
    start = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    for index, order in enumerate(orders):
        order.created_at = start + timedelta(minutes=index // 2)
    db.session.flush()

    exported = [order.id for order in queries.iter_orders(market.operator, status=orders[0].status)]

    assert exported == [orders[3].id, orders[2].id, orders[1].id, orders[0].id]
