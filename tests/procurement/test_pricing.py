"""Prices on orders: the regional price for the delivery region, else the national one; PPN half up per line."""

from __future__ import annotations

import pytest

from marketplace.procurement.services.pricing import line_amounts, recompute_totals, unit_price_for
from tests.procurement.conftest import make_order


def test_regional_price_of_the_kab_kota_applies_to_its_villages(market):
    revision = market.rice.live_revision
    assert unit_price_for(revision, "35.76") == (70000, 1000)
    assert unit_price_for(revision, "35.76.02.1001") == (70000, 1000)


def test_other_regions_pay_the_national_price(market):
    assert unit_price_for(market.rice.live_revision, "35.15") == (72500, 2000)
    assert unit_price_for(market.rice.live_revision, "35") == (72500, 2000)


def test_a_product_without_national_price_is_not_sold_outside_its_regions(market, db):
    revision = market.rice.live_revision
    revision.national_price = False
    assert unit_price_for(revision, "35.15") is None
    assert unit_price_for(revision, "35.76.02.1001") == (70000, 1000)


@pytest.mark.parametrize(
    ("unit_price", "ppn", "shipping", "quantity", "expected"),
    [
        # 3 × Rp72.500 = 217.500; 11 % = 23.925; shipping 3 × 2.000
        (72500, 11, 2000, 3, (217500, 23925, 6000, 247425)),
        # the regional price: 3 × 70.000 = 210.000; 11 % = 23.100; shipping 3 × 1.000
        (70000, 11, 1000, 3, (210000, 23100, 3000, 236100)),
        # 4.550 × 11 % = 500,5 → 501 (half up)
        (4550, 11, 0, 1, (4550, 501, 0, 5051)),
        # 45 × 11 % = 4,95 → 5; 7 × 18.000 at 12 % = 15.120
        (45, 11, 0, 1, (45, 5, 0, 50)),
        (18000, 12, 0, 7, (126000, 15120, 0, 141120)),
        # 1.234 × 11 % = 135,74 → 136 (up, above the half); 1.231 × 11 % = 135,41 → 135
        (1234, 11, 0, 1, (1234, 136, 0, 1370)),
        (1231, 11, 0, 1, (1231, 135, 0, 1366)),
        # no PPN (a cooperative that is not PKP)
        (350000, 0, 0, 2, (700000, 0, 0, 700000)),
    ],
)
def test_line_amounts_by_hand(unit_price, ppn, shipping, quantity, expected):
    assert line_amounts(unit_price, ppn, shipping, quantity) == expected


def test_ppn_is_rounded_once_per_line_not_per_unit():
    # per unit 4.550 × 11 % = 500,5 → 501 would give 3 × 501 = 1.503; on the line 13.650 × 11 % = 1.501,5 → 1.502
    assert line_amounts(4550, 11, 0, 3)[1] == 1502


def test_recompute_totals_after_a_price_change(market):
    order = make_order(market, items=[(market.rice, 3), (market.oil, 5)])
    order.lines[0].unit_price = 70000
    order.lines[0].unit_shipping = 0
    recompute_totals(order)
    rice, oil = order.lines
    assert (rice.subtotal, rice.ppn_amount, rice.shipping, rice.total) == (210000, 23100, 0, 233100)
    assert (oil.subtotal, oil.ppn_amount, oil.shipping, oil.total) == (90000, 9900, 0, 99900)
    assert (order.subtotal, order.ppn_total, order.shipping_total, order.total) == (300000, 33000, 0, 333000)
