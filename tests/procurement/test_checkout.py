"""Checkout: one order per cooperative in one transaction, prices frozen, stock reserved, the PP limit, the
idempotency key, and every refusal leaving nothing behind."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.catalog.models import CatalogEntry, Product
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Forbidden, ValidationFailed
from marketplace.procurement.models import CartItem, Checkout, Order
from marketplace.procurement.services import cart as carts
from marketplace.procurement.services import stock
from marketplace.procurement.services.checkout import OverLimit, checkout, place_orders
from marketplace.procurement.services.stock import OutOfStock, release
from marketplace.procurement.states import OrderStatus
from tests.factories import order_form


@pytest.fixture
def shop(market, db):
    """The market, committed (a refused checkout rolls back its own work only)."""
    db.session.commit()
    return market


def fields(market, user, **overrides) -> dict:
    """A valid checkout by `user` (a PP chooses the market's PPK)."""
    values = {"actor": user, "key": "key-0001-abcdef", "work_unit_id": market.work_unit.id, "ppk_id": market.ppk.id}
    return {**values, **order_form(requested_arrival=date.today() + timedelta(days=10)), **overrides}


def fill(market, user, items) -> None:
    for product, quantity in items:
        carts.add_item(actor=user, product_id=product.id, quantity=quantity)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_pp_checkout_makes_one_order_per_cooperative(shop, db):
    fill(shop, shop.pp, [(shop.rice, 3), (shop.oil, 5), (shop.batik, 2)])
    orders = checkout(**fields(shop, shop.pp))
    assert [order.cooperative_id for order in orders] == sorted([shop.coop.id, shop.other_coop.id])
    ours = next(order for order in orders if order.cooperative_id == shop.coop.id)
    assert ours.status == OrderStatus.WAITING_PPK_REVIEW and ours.waiting_for == "ppk"
    assert ours.action_due_at is not None
    assert ours.ppk_id == shop.ppk.id and ours.placed_by_id == shop.pp.id
    assert ours.number.startswith(f"SP-{date.today().year}-") and ours.number.endswith("00001")
    rice, oil = sorted(ours.lines, key=lambda line: line.product_id)
    # regional price of Kota Mojokerto: 3 × 70.000 + PPN 23.100 + shipping 3 × 1.000
    assert (rice.unit_price, rice.subtotal, rice.ppn_amount, rice.shipping, rice.total) == (
        70000,
        210000,
        23100,
        3000,
        236100,
    )
    assert (rice.sku, rice.name, rice.unit_name, rice.kbki_code) == (
        "BRS-001",
        "Beras Premium Majapahit 5 kg",
        shop.rice.live_revision.unit.name,
        shop.rice.live_revision.kbki_code,
    )
    assert oil.total == 99900
    assert (ours.subtotal, ours.ppn_total, ours.shipping_total, ours.total) == (300000, 33000, 3000, 336000)
    theirs = next(order for order in orders if order.cooperative_id == shop.other_coop.id)
    assert theirs.total == 700000 and theirs.ppn_total == 0
    db.session.expire_all()
    assert db.session.get(Product, shop.rice.id).stock == 37
    assert db.session.get(Product, shop.oil.id).stock == 95
    assert db.session.get(CatalogEntry, shop.rice.id).stock == 37
    assert db.session.get(Product, shop.rice.id).feed_changed_at is not None
    assert count(db, CartItem) == 0
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "order.submit")).all()
    assert sorted(event.subject_id for event in events) == sorted(order.id for order in orders)
    assert all(event.subject_type == "order" and event.actor_id == shop.pp.id for event in events)


def test_ppk_checkout_goes_to_the_cooperative(shop, db):
    fill(shop, shop.ppk, [(shop.rice, 1)])
    (order,) = checkout(**fields(shop, shop.ppk, ppk_id=None))
    assert order.status == OrderStatus.WAITING_SELLER_CONFIRMATION and order.waiting_for == "provider"
    assert order.ppk_id == shop.ppk.id


def test_the_cart_of_another_user_is_untouched(shop, db):
    fill(shop, shop.pp, [(shop.rice, 1)])
    fill(shop, shop.ppk, [(shop.rice, 2)])
    checkout(**fields(shop, shop.pp))
    assert db.session.scalars(select(CartItem.quantity).where(CartItem.user_id == shop.ppk.id)).all() == [2]


def test_prices_are_snapshots(shop, db):
    fill(shop, shop.pp, [(shop.rice, 3)])
    (order,) = checkout(**fields(shop, shop.pp, delivery_region_code="35.15"))
    revision = shop.rice.live_revision
    revision.price, revision.ppn_percent, revision.shipping_cost, revision.name = 99000, 12, 5000, "Beras Baru"
    db.session.commit()
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    line = order.lines[0]
    assert (line.unit_price, line.ppn_percent, line.unit_shipping, line.name) == (
        72500,
        11,
        2000,
        "Beras Premium Majapahit 5 kg",
    )
    assert (line.ppn_amount, order.total) == (23925, 247425)


def test_out_of_stock_creates_nothing(shop, db):
    fill(shop, shop.pp, [(shop.rice, 3), (shop.batik, 11)])
    with pytest.raises(OutOfStock) as caught:
        checkout(**fields(shop, shop.pp))
    assert "Batik Tulis Surya Majapahit" in caught.value.message and "10" in caught.value.message
    assert caught.value.available == 10 and caught.value.status == 409
    db.session.expire_all()
    assert count(db, Order) == 0 and count(db, Checkout) == 0
    assert db.session.get(Product, shop.rice.id).stock == 40
    assert count(db, CartItem) == 2


def test_only_the_stock_check_becomes_out_of_stock(shop, db):
    wanted = [(shop.rice.id, 41, "Beras")]
    with pytest.raises(IntegrityError) as refused:
        stock.take(wanted)
    with pytest.raises(OutOfStock) as caught:
        stock.raise_out_of_stock(refused.value, wanted)
    assert caught.value.available == 40 and caught.value.requested == 41
    other = IntegrityError("INSERT …", {}, Exception("duplicate key value violates unique constraint"))
    with pytest.raises(IntegrityError) as raised:
        stock.raise_out_of_stock(other, wanted)
    assert raised.value is other


def test_pp_limit(shop, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "PP_ORDER_LIMIT", 336000)
    fill(shop, shop.pp, [(shop.rice, 3), (shop.oil, 5)])
    # exactly the limit is allowed
    assert checkout(**fields(shop, shop.pp))[0].total == 336000
    fill(shop, shop.pp, [(shop.rice, 3), (shop.oil, 6)])
    with pytest.raises(OverLimit) as caught:
        checkout(**fields(shop, shop.pp, key="key-0002-abcdef"))
    assert "Rp336.000" in caught.value.message and caught.value.status == 409
    db.session.expire_all()
    assert count(db, Order) == 1 and db.session.get(Product, shop.rice.id).stock == 37
    # a PPK may place it
    fill(shop, shop.ppk, [(shop.rice, 3), (shop.oil, 6)])
    assert checkout(**fields(shop, shop.ppk, key="key-0003-abcdef"))[0].total == 355980


def test_same_key_twice_returns_the_same_orders(shop, db):
    fill(shop, shop.pp, [(shop.rice, 1), (shop.batik, 1)])
    first, created = place_orders(**fields(shop, shop.pp))
    assert created
    fill(shop, shop.pp, [(shop.rice, 1)])
    again, created = place_orders(**fields(shop, shop.pp))
    assert not created and again == first and len(first) == 2
    assert count(db, Order) == 2
    db.session.expire_all()
    assert db.session.get(Product, shop.rice.id).stock == 39


def test_a_refused_checkout_frees_its_key(shop, db):
    fill(shop, shop.pp, [(shop.batik, 11)])
    with pytest.raises(OutOfStock):
        checkout(**fields(shop, shop.pp))
    carts.set_quantity(actor=shop.pp, item_id=db.session.scalar(select(CartItem.id)), quantity=10)
    assert len(checkout(**fields(shop, shop.pp))) == 1


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"kode_rup": " "}, "kode_rup"),
        ({"kode_rup": "1" * 31}, "kode_rup"),
        ({"rup_name": ""}, "rup_name"),
        ({"funding_source": "APBX"}, "funding_source"),
        ({"budget_account": ""}, "budget_account"),
        ({"delivery_address": ""}, "delivery_address"),
        ({"delivery_region_code": "99.99"}, "delivery_region_code"),
        ({"delivery_region_code": "35"}, "delivery_region_code"),
        ({"requested_arrival": date.today()}, "requested_arrival"),
        ({"ppk_id": None}, "ppk_id"),
        ({"key": ""}, "key"),
    ],
)
def test_invalid_fields(shop, db, override, field):
    fill(shop, shop.pp, [(shop.rice, 1)])
    with pytest.raises(ValidationFailed) as caught:
        checkout(**fields(shop, shop.pp, **override))
    assert field in caught.value.fields
    assert count(db, Order) == 0


def test_ppk_of_another_work_unit_or_a_pp_is_refused(shop, db):
    fill(shop, shop.pp, [(shop.rice, 1)])
    for wrong in (shop.other_ppk, shop.pp):
        with pytest.raises(ValidationFailed) as caught:
            checkout(**fields(shop, shop.pp, ppk_id=wrong.id))
        assert "ppk_id" in caught.value.fields


def test_only_for_ones_own_work_unit_and_buyer_roles(shop, db):
    fill(shop, shop.pp, [(shop.rice, 1)])
    with pytest.raises(Forbidden):
        checkout(**fields(shop, shop.pp, work_unit_id=shop.other_work_unit.id))
    with pytest.raises(Forbidden):
        checkout(**fields(shop, shop.bendahara))


def test_empty_cart_and_unorderable_items(shop, db):
    with pytest.raises(ValidationFailed) as caught:
        checkout(**fields(shop, shop.pp))
    assert "cart" in caught.value.fields
    fill(shop, shop.pp, [(shop.rice, 1)])
    shop.rice.live_revision.national_price = False
    db.session.commit()
    with pytest.raises(ValidationFailed) as caught:
        checkout(**fields(shop, shop.pp, delivery_region_code="35.15"))
    assert "Beras Premium Majapahit 5 kg" in caught.value.fields["cart.0"]
    assert count(db, Checkout) == 0


def test_release_gives_the_stock_back(shop, db):
    fill(shop, shop.pp, [(shop.rice, 3), (shop.oil, 5)])
    (order,) = checkout(**fields(shop, shop.pp))
    release(order)
    db.session.commit()
    assert db.session.get(Product, shop.rice.id).stock == 40
    assert db.session.get(CatalogEntry, shop.oil.id).stock == 100


def test_numbers_continue_per_cooperative(shop, db):
    fill(shop, shop.pp, [(shop.rice, 1)])
    (first,) = checkout(**fields(shop, shop.pp))
    fill(shop, shop.pp, [(shop.rice, 1)])
    (second,) = checkout(**fields(shop, shop.pp, key="another-key-123"))
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1
