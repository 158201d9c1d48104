"""The home page: a welcome for visitors; signed in, what waits for the user (each count links to the list behind
it) and the sales of their cooperative, their own, their work unit's purchases or the whole platform's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from marketplace.accounts.models import Role, UserRole
from marketplace.catalog.services import update_listing
from marketplace.cooperatives.models import Membership
from marketplace.core.timeutil import utcnow
from marketplace.dashboard.services import dashboard_for
from marketplace.extensions import db
from marketplace.feeds.models import Feed
from marketplace.procurement.models import CartItem
from marketplace.procurement.services import deadlines
from marketplace.procurement.states import OrderStatus
from tests.factories import catalog_reference, listing_data, seller
from tests.procurement.conftest import make_order


def completed_now(market, items=None):
    order = make_order(market, OrderStatus.COMPLETED, items=items)
    for line in order.lines:
        line.quantity_received = line.quantity
    order.completed_at = utcnow()
    db.session.flush()
    return order


def tile(page: str, href: str) -> str:
    """The count shown by the tile linking to `href`."""
    found = re.search(rf'<a class="tile[^"]*" href="{re.escape(href)}">\s*<strong>([^<]*)</strong>', page)
    assert found, f"no tile links to {href}"
    return found.group(1)


def section(page: str, name: str) -> str:
    found = re.search(rf'<section class="card" data-section="{name}">(.*?)</section>', page, re.S)
    return found.group(1) if found else ""


def test_visitors_get_the_welcome_page(client) -> None:
    page = client.get("/").text
    assert 'href="/daftar"' in page and 'data-section="todo"' not in page


def test_a_manager_sees_what_waits_and_the_cooperatives_sales(client, market) -> None:
    waiting = make_order(market)
    deadlines.wait_for(waiting, deadlines.PROVIDER)
    update_listing(
        actor=market.seller_a,
        product=market.rice,
        data=listing_data(catalog_reference(), sku=market.rice.sku, name="Beras Baru"),
        submit=True,
    )
    seller(market.coop, full_name="Calon Anggota", status="pending")
    sold = completed_now(market)
    completed_now(market, items=[(market.batik, 1)])  # the other cooperative's: not in these figures
    client.login(market.manager)
    page = client.get("/").text
    assert tile(page, "/pesanan?awaiting=y") == "1"
    assert tile(page, "/koperasi/tinjauan") == "1"
    assert tile(page, "/koperasi/anggota?status=pending") == "1"
    sales = section(page, "manager")
    month = f"{utcnow() + timedelta(hours=7):%Y-%m}"
    total = f"Rp{sold.total:,}".replace(",", ".")
    assert re.search(
        rf'data-month="{month}">.*?<td class="num">1</td>\s*<td class="num nowrap">{total}</td>', sales, re.S
    )
    assert "Beras Premium Majapahit 5 kg" in sales and "Batik" not in sales
    assert "Siti Aminah" in sales and "Budi Santoso" in sales  # members who sold most
    assert section(page, "officer") == "" and section(page, "operator") == ""


def test_a_seller_sees_their_products_balance_and_own_sales_only(client, market) -> None:
    completed_now(market)
    client.login(market.seller_b)
    page = client.get("/").text
    assert tile(page, "/produk-saya?status=active") == "1"
    assert tile(page, "/produk-saya?status=changes_requested") == "0"
    mine = section(page, "seller")
    assert "Minyak Goreng" in mine and "Beras" not in mine  # only their lines
    assert section(page, "manager") == ""


def test_an_officer_sees_their_cart_and_work_unit_purchases(client, market) -> None:
    db.session.add(CartItem(user_id=market.pp.id, product_id=market.oil.id, quantity=5))
    completed_now(market)
    elsewhere = completed_now(market, items=[(market.batik, 1)])
    elsewhere.work_unit_id = market.other_work_unit.id
    db.session.flush()
    client.login(market.pp)
    page = client.get("/").text
    assert tile(page, "/keranjang") == "1"
    purchases = section(page, "officer")
    assert "Dinas Sosial" in page and "Beras" in purchases and "Batik" not in purchases


def test_an_operator_sees_the_platform_and_recent_failures(client, market) -> None:
    db.session.add(Feed(shape="csv", mode="full", status="failed", finished_at=utcnow()))
    db.session.add(Feed(shape="csv", mode="full", status="failed", finished_at=utcnow() - timedelta(days=8)))
    completed_now(market)
    completed_now(market, items=[(market.batik, 1)])
    client.login(market.operator)
    page = client.get("/").text
    assert tile(page, "/operator/feed") == "1"  # the one of the last 7 days
    assert tile(page, "/operator/koperasi") == "2"
    platform = section(page, "operator")
    assert "Beras" in platform and "Batik" in platform


@pytest.mark.parametrize("who", ["manager", "seller_a", "pp", "ppk", "bendahara", "operator"])
def test_every_role_gets_its_dashboard_in_english_too(client, market, who) -> None:
    client.login(getattr(market, who))
    with client.session_transaction() as session:
        session["lang"] = "en"
    response = client.get("/")
    assert response.status_code == 200
    assert "Waiting for you" in response.text


def test_a_user_with_several_roles_gets_a_section_for_each(market) -> None:
    membership = Membership(user_id=market.manager.id, cooperative_id=market.coop.id, status="active")
    db.session.add(membership)
    db.session.add(UserRole(user_id=market.manager.id, role=Role.SELLER))
    db.session.flush()
    db.session.expire(market.manager)
    board = dashboard_for(market.manager)
    assert board.manager is not None and board.seller is not None and board.officer is None


def test_a_bendahara_has_no_cart_tile_and_english_counts_agree_in_number(client, market) -> None:
    waiting = make_order(market, OrderStatus.WAITING_PAYMENT)
    deadlines.wait_for(waiting, deadlines.BENDAHARA)
    db.session.flush()
    client.login(market.bendahara)
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = client.get("/").text
    assert 'href="/keranjang"' not in page  # a bendahara has no cart
    assert re.search(r"<strong>1</strong>\s*<span>order waiting for your action</span>", page)


def test_the_platforms_best_sellers_name_their_cooperative(client, market) -> None:
    completed_now(market)
    client.login(market.operator)
    platform = section(client.get("/").text, "operator")
    assert re.search(r"Beras Premium Majapahit 5 kg <small class=\"muted\">· KKMP Gununggedangan</small>", platform)


def test_an_operator_sees_one_cooperatives_sales_and_one_work_units_purchases(client, market) -> None:
    completed_now(market)
    completed_now(market, items=[(market.batik, 1)])
    client.login(market.operator)
    assert (
        f'href="/operator/koperasi/{market.coop.id}/penjualan"'
        in client.get(f"/operator/koperasi/{market.coop.id}").text
    )
    sales = client.get(f"/operator/koperasi/{market.coop.id}/penjualan").text
    assert "Beras Premium" in sales and "Batik" not in sales and "Siti Aminah" in sales
    unit = market.work_unit.id
    assert f'href="/operator/satker/{unit}/pembelian"' in client.get(f"/operator/satker/{unit}").text
    purchases = client.get(f"/operator/satker/{unit}/pembelian").text
    assert "Beras Premium" in purchases and "Batik" in purchases
    assert client.get("/operator/koperasi/999999/penjualan").status_code == 404


@pytest.mark.parametrize("who", ["manager", "ppk", "seller_a"])
def test_only_operators_see_other_cooperatives_sales(client, market, who) -> None:
    client.login(getattr(market, who))
    assert client.get(f"/operator/koperasi/{market.coop.id}/penjualan").status_code == 403
    assert client.get(f"/operator/satker/{market.work_unit.id}/pembelian").status_code == 403
