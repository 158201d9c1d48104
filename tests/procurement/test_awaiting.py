""" "Waiting for me": at each step of an order's life exactly the people who can act now find it in their list
filtered by `awaiting` (the dashboard's counts and the order list's checkbox)."""

from __future__ import annotations

from datetime import date

import pytest

from marketplace.dashboard.services import dashboard_for
from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace.payments.states import PaymentMethod, PaymentStatus
from marketplace.procurement.services import deadlines, documents, fulfilment, moves, queries
from marketplace.procurement.states import OrderStatus
from tests.procurement.conftest import make_order

PEOPLE = ("pp", "ppk", "bendahara", "manager", "seller_a", "seller_b", "operator", "other_manager", "other_ppk")


def awaiting(market, order) -> set[str]:
    """Who finds `order` among the orders waiting for them."""
    return {
        name
        for name in PEOPLE
        if order.id in {o.id for o in queries.list_orders(getattr(market, name), awaiting=True).items}
    }


@pytest.fixture
def placed(market):
    """A PP's order waiting for the PPK's review: 10 rice of seller_a, 5 oil of seller_b."""
    order = make_order(market, OrderStatus.WAITING_PPK_REVIEW)
    deadlines.wait_for(order, deadlines.PPK)
    return order


def test_each_step_waits_for_the_people_who_can_act(market, placed) -> None:
    order = placed
    assert awaiting(market, order) == {"ppk"}
    moves.approve(actor=market.ppk, order=order)
    assert awaiting(market, order) == {"manager"}
    moves.accept(actor=market.manager, order=order)
    assert awaiting(market, order) == {"ppk", "manager"}  # both sides sign
    documents.sign(actor=market.ppk, order=order)
    assert awaiting(market, order) == {"manager"}  # the PPK signed: only the cooperative's signature is missing
    documents.sign(actor=market.manager, order=order)
    assert order.status == OrderStatus.ON_PROCESS
    assert awaiting(market, order) == {"manager", "seller_a", "seller_b"}  # managers ship any line, sellers theirs
    rice, oil = order.lines
    fulfilment.ship(actor=market.seller_a, order=order, lines={rice.id: 10}, courier="JNE", tracking_number="T1")
    assert awaiting(market, order) == {"manager", "seller_a", "seller_b"}  # oil to ship; rice to mark delivered
    fulfilment.deliver(actor=market.seller_a, order=order, shipment_id=order.shipments[0].id)
    # Oil is still to ship; the PPK may already record a receipt (what never came as 0, with a note).
    assert awaiting(market, order) == {"manager", "ppk", "seller_b"}
    fulfilment.ship(actor=market.seller_b, order=order, lines={oil.id: 5}, courier="JNE", tracking_number="T2")
    assert awaiting(market, order) == {"manager", "seller_b"}  # on the way: no receipt before it arrives
    fulfilment.deliver(actor=market.manager, order=order, shipment_id=order.shipments[1].id)
    assert awaiting(market, order) == {"ppk"}  # receipt
    fulfilment.receive(actor=market.ppk, order=order, received={rice.id: 10, oil.id: 5}, note=None)
    assert awaiting(market, order) == {"manager"}  # invoice
    fulfilment.invoice(actor=market.manager, order=order)
    assert awaiting(market, order) == {"bendahara"}
    fulfilment.pay_outside(actor=market.bendahara, order=order, reference="SP2D-0001", paid_on=date.today())
    assert awaiting(market, order) == {"manager"}  # confirm the payment
    fulfilment.confirm_payment(actor=market.manager, order=order)
    assert awaiting(market, order) == set()


def test_a_payment_under_way_leaves_the_bendahara_nothing_to_do(market) -> None:
    order = make_order(market, OrderStatus.WAITING_PAYMENT)
    deadlines.wait_for(order, deadlines.BENDAHARA)
    assert awaiting(market, order) == {"bendahara"}
    db.session.add(
        Payment(
            order_id=order.id,
            method=PaymentMethod.CARD,
            status=PaymentStatus.PROCESSING,
            amount=order.total,
            created_by_id=market.bendahara.id,
        )
    )
    db.session.flush()
    assert awaiting(market, order) == set()


def test_an_order_the_user_may_no_longer_see_does_not_wait_for_them(market, placed) -> None:
    market.ppk.work_unit_id = market.other_work_unit.id  # moved: still the order's PPK, but not of its unit
    db.session.flush()
    assert queries.list_orders(market.ppk, awaiting=True).total == 0
    assert dashboard_for(market.ppk).orders_awaiting == 0


def test_cancelled_orders_wait_for_nobody(market, placed) -> None:
    moves.cancel(actor=market.ppk, order=placed, reason="Anggaran dialihkan ke kegiatan lain")
    assert awaiting(market, placed) == set()


def test_the_awaiting_filter_keeps_the_other_filters(market, placed) -> None:
    other = make_order(market, OrderStatus.WAITING_PPK_REVIEW, items=[(market.oil, 1)])
    deadlines.wait_for(other, deadlines.PPK)
    number = placed.number
    found = queries.list_orders(market.ppk, awaiting=True, number=number)
    assert [order.id for order in found.items] == [placed.id]
    assert queries.list_orders(market.ppk, awaiting=True, status=OrderStatus.ON_PROCESS).total == 0
