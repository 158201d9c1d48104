"""No oversell under real concurrency (PostgreSQL only): 50 buyers racing for the last 10 units, each in its own
thread, session and connection, on committed data; and one checkout key sent twice at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, update

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import CatalogEntry, Product
from marketplace.extensions import db as database
from marketplace.procurement.models import CartItem, Order, OrderLine
from marketplace.procurement.services.checkout import checkout
from marketplace.procurement.services.stock import OutOfStock
from tests.factories import order_form, user_with_role
from tests.procurement.conftest import build_market

BUYERS = 50
UNITS = 10


@pytest.fixture
def race(app, committed_db):
    if committed_db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (row locks and real concurrent transactions): set DATABASE_URL")
    market = build_market()
    buyers = [user_with_role(Role.PPK, work_unit=market.work_unit) for _ in range(BUYERS)]
    for buyer in buyers:
        committed_db.session.add(CartItem(user_id=buyer.id, product_id=market.rice.id, quantity=1))
    committed_db.session.execute(update(Product).where(Product.id == market.rice.id).values(stock=UNITS))
    committed_db.session.execute(
        update(CatalogEntry).where(CatalogEntry.product_id == market.rice.id).values(stock=UNITS)
    )
    committed_db.session.commit()
    return market, [buyer.id for buyer in buyers]


def _checkout_in_thread(app, market_ids: dict, user_id: int, key: str, barrier: threading.Barrier):
    """One buyer's checkout in its own app context (own session and connection)."""
    with app.app_context():
        try:
            barrier.wait(timeout=30)  # all start at once (then they queue for the pool's connections and row locks)
            user = database.session.get(User, user_id)
            orders = checkout(actor=user, key=key, work_unit_id=market_ids["work_unit"], **order_form())
            return [order.id for order in orders]
        except OutOfStock as error:
            return error
        finally:
            database.session.remove()


def test_fifty_buyers_race_for_ten_units(app, race):
    market, buyer_ids = race
    ids = {"work_unit": market.work_unit.id}
    barrier = threading.Barrier(BUYERS)
    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        futures = [
            pool.submit(_checkout_in_thread, app, ids, user_id, f"race-{user_id}", barrier) for user_id in buyer_ids
        ]
        results = [future.result(timeout=120) for future in futures]
    placed = [result for result in results if isinstance(result, list)]
    refused = [result for result in results if isinstance(result, OutOfStock)]
    assert len(placed) == UNITS and all(len(ids) == 1 for ids in placed)
    assert len(refused) == BUYERS - UNITS
    assert all(error.available == 0 and "Beras Premium Majapahit 5 kg" in error.message for error in refused)
    session = database.session
    session.expire_all()
    assert session.get(Product, market.rice.id).stock == 0
    assert session.get(CatalogEntry, market.rice.id).stock == 0
    assert session.scalar(select(func.count(Order.id))) == UNITS
    assert session.scalar(select(func.sum(OrderLine.quantity))) == UNITS
    numbers = session.scalars(select(Order.number)).all()
    assert len(set(numbers)) == UNITS


def test_the_same_key_from_two_threads_creates_the_orders_once(app, race):
    market, buyer_ids = race
    ids = {"work_unit": market.work_unit.id}
    barrier = threading.Barrier(2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(_checkout_in_thread, app, ids, buyer_ids[0], "same-key-123", barrier) for _ in range(2)]
        first, second = (future.result(timeout=60) for future in futures)
    assert isinstance(first, list) and first == second and len(first) == 1
    database.session.expire_all()
    assert database.session.scalar(select(func.count(Order.id))) == 1
    assert database.session.get(Product, market.rice.id).stock == UNITS - 1
