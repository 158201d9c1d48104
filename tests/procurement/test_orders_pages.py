"""The order list page (filters in the URL, pagination), its CSV export and the order page."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from marketplace.extensions import db
from marketplace.procurement.services import deadlines
from marketplace.procurement.states import ORDER, OrderStatus
from marketplace.procurement.views.orders import WAITING_LABELS
from tests.procurement.conftest import make_order


@pytest.fixture
def orders(market):
    """An order of the market's work unit (rice and oil), one of the other cooperative (batik) and one of another
    work unit."""
    mine = make_order(market)
    batik = make_order(market, items=[(market.batik, 1)])
    elsewhere = make_order(market, items=[(market.rice, 1)])
    elsewhere.work_unit_id = market.other_work_unit.id
    elsewhere.ppk_id = market.other_ppk.id
    db.session.flush()
    return {"mine": mine, "batik": batik, "elsewhere": elsewhere}


def in_english(client, user) -> None:
    """Sign `user` in with the interface in English."""
    client.login(user)
    with client.session_transaction() as session:
        session["lang"] = "en"


def listed(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_list_shows_the_users_orders_only(client, market, orders) -> None:
    in_english(client, market.pp)
    page = listed(client.get("/pesanan"))
    assert f'data-order-id="{orders["mine"].id}"' in page
    assert f'data-order-id="{orders["batik"].id}"' in page
    assert f'data-order-id="{orders["elsewhere"].id}"' not in page
    assert orders["mine"].number in page


def test_seller_list_has_only_orders_with_their_lines(client, market, orders) -> None:
    client.login(market.seller_b)
    page = listed(client.get("/pesanan"))
    assert f'data-order-id="{orders["mine"].id}"' in page
    assert f'data-order-id="{orders["batik"].id}"' not in page
    assert f'data-order-id="{orders["elsewhere"].id}"' not in page


def test_filters_are_kept_in_the_url_and_in_the_export_link(client, market, orders) -> None:
    orders["batik"].status = OrderStatus.ON_PROCESS
    db.session.flush()
    client.login(market.ppk)
    page = listed(client.get("/pesanan?status=ON_PROCESS&number=SP-&date_from=2020-01-01"))
    assert f'data-order-id="{orders["batik"].id}"' in page
    assert f'data-order-id="{orders["mine"].id}"' not in page
    assert '<option selected value="ON_PROCESS">' in page
    assert 'value="SP-"' in page
    assert "/pesanan/ekspor.csv?status=ON_PROCESS&amp;number=SP-&amp;date_from=2020-01-01" in page


def test_waiting_for_me_lists_only_the_orders_the_user_must_act_on(client, market, orders) -> None:
    deadlines.wait_for(orders["mine"], deadlines.PROVIDER)
    deadlines.wait_for(orders["elsewhere"], deadlines.PPK)
    db.session.flush()
    in_english(client, market.manager)
    page = listed(client.get("/pesanan?awaiting=y"))
    assert f'data-order-id="{orders["mine"].id}"' in page
    assert f'data-order-id="{orders["elsewhere"].id}"' not in page  # the cooperative's, but the PPK is due
    assert re.search(r'<input checked[^>]* name="awaiting"', page)  # the box stays ticked
    assert "Only those waiting for me" in page


def test_an_invalid_filter_is_ignored(client, market, orders) -> None:
    client.login(market.pp)
    page = listed(client.get("/pesanan?date_from=not-a-date&status=NOPE"))
    assert f'data-order-id="{orders["mine"].id}"' in page


def test_list_pages_keep_the_filters(client, market) -> None:
    for _ in range(3):
        make_order(market)
    client.login(market.pp)
    page = listed(client.get("/pesanan?per_page=2&status=WAITING_SELLER_CONFIRMATION"))
    assert page.count("data-order-id=") == 2
    assert "page=2" in page and "status=WAITING_SELLER_CONFIRMATION" in page
    second = listed(client.get("/pesanan?per_page=2&status=WAITING_SELLER_CONFIRMATION&page=2"))
    assert second.count("data-order-id=") == 1


def test_list_needs_sign_in(client) -> None:
    response = client.get("/pesanan")
    assert response.status_code in (302, 401)


def export_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_has_the_filtered_orders_with_their_columns(client, market, orders) -> None:
    order = orders["mine"]
    order.created_at = datetime(2026, 11, 2, 17, 30, tzinfo=UTC)  # 00:30 WIB on the 3rd
    db.session.flush()
    in_english(client, market.pp)
    rows = export_rows(client.get(f"/pesanan/ekspor.csv?number={order.number}"))
    header, *body = rows
    assert header[:4] == ["Number", "Date (WIB)", "Status", "Status code"]
    assert len(body) == 1
    assert body[0] == [
        order.number,
        "2026-11-03 00:30 WIB",
        "Waiting for the cooperative's confirmation",
        "WAITING_SELLER_CONFIRMATION",
        "Dinas Sosial",
        "KKMP Gununggedangan",
        "RUP-2026-0001",
        "Bantuan sembako warga rentan",
        "APBD",
        "5.1.02.01.01.0024",
        str(order.subtotal),
        str(order.ppn_total),
        str(order.shipping_total),
        str(order.total),
    ]
    # 10 × 70.000 + 5 × 18.000 = 790.000; PPN 77.000 + 9.900; shipping 10 × 1.000.
    assert (order.subtotal, order.ppn_total, order.shipping_total, order.total) == (815000, 89650, 20000, 924650)


def test_export_is_scoped_like_the_list(client, market, orders) -> None:
    client.login(market.other_manager)
    rows = export_rows(client.get("/pesanan/ekspor.csv"))
    assert [row[0] for row in rows[1:]] == [orders["batik"].number]


def test_export_neutralises_formulas(client, market, orders) -> None:
    orders["mine"].rup_name = '=HYPERLINK("http://evil")'
    orders["mine"].kode_rup = "+62-1"
    orders["mine"].budget_account = "@SUM(A1)"
    db.session.flush()
    client.login(market.pp)
    rows = export_rows(client.get(f"/pesanan/ekspor.csv?number={orders['mine'].number}"))
    assert rows[1][6:10] == ["'+62-1", '\'=HYPERLINK("http://evil")', "APBD", "'@SUM(A1)"]


def test_order_page_shows_header_lines_totals_and_timeline(client, market) -> None:
    order = make_order(market, OrderStatus.WAITING_PPK_REVIEW)
    ORDER.move(order, "approve", actor_id=market.ppk.id)
    order.waiting_for = "provider"
    order.action_due_at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    db.session.flush()
    in_english(client, market.manager)
    page = listed(client.get(f"/pesanan/{order.id}"))
    assert order.number in page
    assert "Waiting for the cooperative's confirmation" in page
    assert "the cooperative" in page and "2026-12-01 17:00 WIB" in page
    assert "Dinas Sosial" in page and "KKMP Gununggedangan" in page and "PPK Dinsos" in page
    assert "RUP-2026-0001" in page and "5.1.02.01.01.0024" in page
    assert "Jl. Pahlawan No. 1, Mojokerto" in page
    assert "Beras Premium Majapahit 5 kg" in page and "Minyak Goreng Sawit 2 L" in page
    assert 'data-total="total"><strong>Rp924.650</strong>' in page
    assert 'data-action="order.approve"' in page and "Approved by the PPK" in page
    assert 'id="timeline"' in page


def test_every_party_an_order_can_wait_for_has_a_label(client, market) -> None:
    parties = {value for name, value in vars(deadlines).items() if name.isupper() and isinstance(value, str)}
    assert set(WAITING_LABELS) == parties
    order = make_order(market, OrderStatus.WAITING_PAYMENT)
    order.waiting_for = deadlines.BENDAHARA
    db.session.flush()
    in_english(client, market.bendahara)
    assert "the bendahara (payment)" in listed(client.get(f"/pesanan/{order.id}"))


def test_order_page_shows_prices_as_ordered_not_as_now(client, market) -> None:
    order = make_order(market, items=[(market.rice, 2)])
    market.rice.live_revision.price = 99000
    db.session.flush()
    client.login(market.pp)
    page = listed(client.get(f"/pesanan/{order.id}"))
    assert "Rp72.500" in page and "Rp99.000" not in page


def test_order_page_escapes_user_text(client, market) -> None:
    order = make_order(market)
    order.delivery_address = "<script>alert(1)</script>"
    db.session.flush()
    client.login(market.pp)
    page = listed(client.get(f"/pesanan/{order.id}"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("who", ["other_ppk", "other_manager", "other_seller"])
def test_another_partys_order_is_not_found(client, market, who) -> None:
    order = make_order(market)
    client.login(getattr(market, who))
    assert client.get(f"/pesanan/{order.id}").status_code == 404
    assert client.get("/pesanan/999999").status_code == 404


@pytest.mark.parametrize("who", ["pp", "ppk", "bendahara", "manager", "seller_a", "seller_b", "operator"])
def test_every_party_opens_the_order(client, market, who) -> None:
    order = make_order(market)
    client.login(getattr(market, who))
    assert client.get(f"/pesanan/{order.id}").status_code == 200


def test_the_page_offers_the_forms_of_the_available_actions(client, market) -> None:
    order = make_order(market, OrderStatus.WAITING_PPK_REVIEW)
    client.login(market.ppk)
    page = listed(client.get(f"/pesanan/{order.id}"))
    assert 'id="approve-form"' in page and 'id="reject-form"' in page
    for who in (market.bendahara, market.manager, market.seller_a):
        client.login(who)
        page = listed(client.get(f"/pesanan/{order.id}"))
        assert 'id="approve-form"' not in page and 'id="reject-form"' not in page


@pytest.mark.parametrize(
    ("who", "cart"),
    [("pp", True), ("ppk", True), ("bendahara", False), ("manager", False), ("seller_a", False), ("operator", False)],
)
def test_nav_links_to_orders_and_for_officers_to_the_cart(client, market, who, cart) -> None:
    client.login(getattr(market, who))
    page = listed(client.get("/pesanan"))
    assert 'href="/pesanan"' in page
    assert ('href="/keranjang"' in page) is cart


def test_nav_has_no_order_link_for_visitors(client) -> None:
    assert 'href="/pesanan"' not in listed(client.get("/"))
