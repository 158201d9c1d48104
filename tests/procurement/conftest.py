"""Procurement fixtures: a market (a PKP cooperative with a manager and two sellers, another cooperative, a work
unit with its PP, PPK and bendahara, another work unit) with approved products, and `make_order` to put an order in
any state directly (no checkout, no stock taken), so that each move can be tested from where it starts.

Products (cooperative `coop`, PKP):
- `rice`: seller `seller_a`, Rp72.500 + PPN 11 %, shipping Rp2.000 per unit, stock 40, minimum 1; regional price
  for Kota Mojokerto (`35.76`) Rp70.000 with shipping Rp1.000;
- `oil`: seller `seller_b`, Rp18.000 + PPN 11 %, no shipping, stock 100, minimum 5;
- `batik` (cooperative `other_coop`, not PKP): seller `other_seller`, Rp350.000, PPN 0, stock 10.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from marketplace.accounts.models import Role, User
from marketplace.agencies.models import WorkUnit
from marketplace.catalog.models import Product
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.procurement.models import Order, OrderLine
from marketplace.procurement.services.pricing import line_values, recompute_totals
from marketplace.procurement.states import OrderStatus
from tests.factories import (
    CooperativeFactory,
    WorkUnitFactory,
    catalog_reference,
    listing,
    order_form,
    seller,
    user_with_role,
)

_numbers = itertools.count(1)


@dataclass
class Market:
    coop: Cooperative
    manager: User
    seller_a: User
    seller_b: User
    other_coop: Cooperative
    other_manager: User
    other_seller: User
    work_unit: WorkUnit
    pp: User
    ppk: User
    bendahara: User
    other_work_unit: WorkUnit
    other_ppk: User
    operator: User
    rice: Product
    oil: Product
    batik: Product


def build_market() -> Market:
    """The market of the module doc (flushed, not committed)."""
    reference = catalog_reference()
    coop = CooperativeFactory(name="KKMP Gununggedangan", is_pkp=True)
    other_coop = CooperativeFactory(name="KKMP Kranggan")
    seller_a = seller(coop, full_name="Siti Aminah")
    seller_b = seller(coop, full_name="Budi Santoso")
    other_seller = seller(other_coop, full_name="Rini Batik")
    work_unit = WorkUnitFactory(name="Dinas Sosial", region_code="35.76")
    other_work_unit = WorkUnitFactory(name="Dinas Pendidikan", region_code="35.76")
    rice = listing(
        seller_a,
        reference,
        sku="BRS-001",
        name="Beras Premium Majapahit 5 kg",
        price=72500,
        ppn_percent=11,
        shipping_cost=2000,
        stock=40,
        regional_prices=[{"region_code": "35.76", "price": 70000, "shipping_cost": 1000}],
    )
    oil = listing(
        seller_b,
        reference,
        sku="MYK-001",
        name="Minyak Goreng Sawit 2 L",
        price=18000,
        ppn_percent=11,
        stock=100,
        min_order=5,
        unit="Botol",
    )
    batik = listing(
        other_seller,
        reference,
        sku="BTK-001",
        name="Batik Tulis Surya Majapahit",
        price=350000,
        stock=10,
        unit="Lembar",
    )
    return Market(
        coop=coop,
        manager=user_with_role(Role.COOP_MANAGER, cooperative=coop, full_name="Hadi Pengurus"),
        seller_a=seller_a,
        seller_b=seller_b,
        other_coop=other_coop,
        other_manager=user_with_role(Role.COOP_MANAGER, cooperative=other_coop),
        other_seller=other_seller,
        work_unit=work_unit,
        pp=user_with_role(Role.PP, work_unit=work_unit, full_name="Pejabat Pengadaan Dinsos"),
        ppk=user_with_role(Role.PPK, work_unit=work_unit, full_name="PPK Dinsos"),
        bendahara=user_with_role(Role.BENDAHARA, work_unit=work_unit, full_name="Bendahara Dinsos"),
        other_work_unit=other_work_unit,
        other_ppk=user_with_role(Role.PPK, work_unit=other_work_unit),
        operator=user_with_role(Role.OPERATOR),
        rice=rice,
        oil=oil,
        batik=batik,
    )


@pytest.fixture
def market(db) -> Market:
    return build_market()


def order_line(product: Product, quantity: int, *, unit_price: int | None = None, unit_shipping: int | None = None):
    """A line for `product` at its live national price (or the given one), amounts computed as checkout does."""
    revision = product.live_revision
    live = SimpleNamespace(
        product_id=product.id,
        revision_id=revision.id,
        seller_id=product.seller_id,
        sku=product.sku,
        name=revision.name,
        kbki_code=revision.kbki_code or "",
        unit_name=revision.unit.name if revision.unit else "",
        ppn_percent=revision.ppn_percent,
        tkdn_bmp=revision.tkdn_x100 + revision.bmp_x100,
        is_domestic=revision.is_domestic,
    )
    return OrderLine(
        **line_values(
            live,
            quantity=quantity,
            unit_price=revision.price if unit_price is None else unit_price,
            unit_shipping=revision.shipping_cost if unit_shipping is None else unit_shipping,
        )
    )


def make_order(
    market: Market,
    status: OrderStatus | str = OrderStatus.WAITING_SELLER_CONFIRMATION,
    *,
    items: list[tuple[Product, int]] | None = None,
    placed_by: User | None = None,
) -> Order:
    """An order of `market.work_unit` in `status`, made directly (no checkout, no stock taken, no documents)."""
    items = items or [(market.rice, 10), (market.oil, 5)]
    cooperative_id = items[0][0].cooperative_id
    lines = [order_line(product, quantity) for product, quantity in items]
    order = Order(
        number=f"SP-{date.today().year}-{next(_numbers):05d}",
        status=str(status),
        cooperative_id=cooperative_id,
        work_unit_id=market.work_unit.id,
        placed_by_id=(placed_by or market.pp).id,
        ppk_id=market.ppk.id,
        lines=lines,
        **order_form(kode_rup="RUP-2026-0001", requested_arrival=date.today() + timedelta(days=14)),
    )
    recompute_totals(order)
    db.session.add(order)
    db.session.flush()
    return order
