"""The fixtures' orders hold together: a line's amounts and the order's totals add up, PPN rounds half up."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.procurement.models import Order
from marketplace.procurement.permissions import can_view, orders_visible_to, party_of
from marketplace.procurement.states import ORDER, OrderStatus, Party
from tests.procurement.conftest import make_order


def test_order_totals_by_hand(market) -> None:
    order = make_order(market, items=[(market.rice, 3), (market.oil, 7)])
    rice, oil = order.lines
    # 3 × 72.500 = 217.500; PPN 11 % = 23.925; shipping 3 × 2.000
    assert (rice.subtotal, rice.ppn_amount, rice.shipping, rice.total) == (217_500, 23_925, 6_000, 247_425)
    # 7 × 18.000 = 126.000; PPN 11 % = 13.860
    assert (oil.subtotal, oil.ppn_amount, oil.shipping, oil.total) == (126_000, 13_860, 0, 139_860)
    assert order.total == 247_425 + 139_860 == order.subtotal + order.ppn_total + order.shipping_total


def test_who_sees_an_order(market) -> None:
    order = make_order(market)
    visible = {
        market.pp,
        market.ppk,
        market.bendahara,
        market.manager,
        market.seller_a,
        market.seller_b,
        market.operator,
    }
    hidden = {market.other_ppk, market.other_manager, market.other_seller}
    for user in visible | hidden:
        found = db.session.scalars(select(Order.id).where(orders_visible_to(user))).all()
        assert (order.id in found) is (user in visible) is can_view(user, order), user.full_name
    assert party_of(market.ppk, order) is Party.BUYER
    assert party_of(market.manager, order) is Party.PROVIDER
    assert party_of(market.pp, order) is None


def test_cancel_is_possible_only_before_on_process(market) -> None:
    order = make_order(market, OrderStatus.ON_PROCESS)
    assert not ORDER.can(order, "cancel")
    order.status = OrderStatus.ESIGN_IN_PROGRESS
    assert ORDER.can(order, "cancel")


def test_numbers_count_per_cooperative_prefix_and_year(market) -> None:
    from marketplace.procurement.services.numbers import next_number

    assert next_number(market.coop.id, "SP", 2026) == "SP-2026-00001"
    assert next_number(market.coop.id, "SP", 2026) == "SP-2026-00002"
    assert next_number(market.coop.id, "BAST", 2026) == "BAST-2026-00001"
    assert next_number(market.other_coop.id, "SP", 2026) == "SP-2026-00001"
    assert next_number(market.coop.id, "SP", 2027) == "SP-2027-00001"
