"""In a real browser, the whole life of an order: a PP adds a product to the cart from its page and checks out; the
PPK approves; the cooperative's manager accepts; both sign the Surat Pesanan; the seller ships and marks the
shipment delivered; the PPK records the receipt; the manager invoices; the bendahara records a payment outside the
system; the manager confirms it, and the order page says it is completed. Each person signs in with the form."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.procurement.models import Order
from marketplace.procurement.states import ORDER_STATUS_LABELS, OrderStatus
from tests.browser.conftest import browser_context, live_server, page, playwright  # noqa: F401
from tests.factories import PASSWORD
from tests.procurement.conftest import build_market

pytestmark = pytest.mark.browser


def sign_in(tab: Page, live_server, email: str) -> None:  # noqa: F811
    """Sign out whoever was signed in, then sign `email` in through the form."""
    tab.context.clear_cookies()
    tab.goto(live_server("/masuk"))
    tab.fill("input[name=email]", email)
    tab.fill("input[name=password]", PASSWORD)
    tab.locator("main form button[type=submit]").click()
    expect(tab.locator("form[action='/keluar']")).to_be_visible()


def expect_status(tab: Page, status: OrderStatus) -> None:
    expect(tab.locator("#order-status")).to_have_attribute("data-status", str(status))


def test_an_order_from_the_cart_to_completed(app, live_server, page: Page) -> None:  # noqa: F811
    with app.app_context():
        market = build_market()
        db.session.commit()
        emails = {name: getattr(market, name).email for name in ("pp", "ppk", "manager", "seller_a", "bendahara")}
        rice_id = market.rice.id
        with force_locale("id"):
            completed = str(ORDER_STATUS_LABELS[OrderStatus.COMPLETED])

    # The PP puts 5 sacks of rice in the cart from the product page, then checks out.
    sign_in(page, live_server, emails["pp"])
    page.goto(live_server(f"/katalog/produk/{rice_id}"))
    page.fill("[data-add-to-cart] input[name=quantity]", "5")
    page.locator("[data-add-to-cart] button[type=submit]").click()
    page.goto(live_server("/keranjang"))
    page.locator("a.button[href*='/keranjang/checkout']").click()
    page.fill("input[name=kode_rup]", "RUP-2026-0099")
    page.fill("input[name=rup_name]", "Paket sembako kelurahan")
    page.select_option("select[name=funding_source]", "APBD")
    page.fill("input[name=budget_account]", "5.1.02.01.01.0024")
    page.fill("textarea[name=delivery_address]", "Jl. Pahlawan No. 1, Mojokerto")
    for level, code in enumerate(("35", "35.76", "35.76.02", "35.76.02.1001"), start=1):
        page.select_option(f"[data-region-picker] select[data-level='{level}']", code)
    expect(page.locator("input[name=delivery_region_code]")).to_have_value("35.76.02.1001")
    page.fill("input[name=requested_arrival]", (date.today() + timedelta(days=14)).isoformat())
    page.select_option("select[name=ppk_id]", label="PPK Dinsos")
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/pesanan/\d+$"))
    order_url = page.url
    expect_status(page, OrderStatus.WAITING_PPK_REVIEW)
    expect(page.locator("#lines")).to_contain_text("Beras Premium Majapahit 5 kg")
    expect(page.locator("#timeline li")).to_have_count(1)

    def as_user(name: str) -> None:
        sign_in(page, live_server, emails[name])
        page.goto(order_url)

    as_user("ppk")
    page.locator("#approve-form button[type=submit]").click()
    expect_status(page, OrderStatus.WAITING_SELLER_CONFIRMATION)

    as_user("manager")
    page.locator("#accept-form button[type=submit]").click()
    expect_status(page, OrderStatus.ESIGN_IN_PROGRESS)
    page.check("#sign-form input[name=confirm]")
    page.locator("#sign-form button[type=submit]").click()
    expect(page.locator("#documents [data-signature=provider]")).to_be_visible()

    as_user("ppk")
    page.check("#sign-form input[name=confirm]")
    page.locator("#sign-form button[type=submit]").click()
    expect_status(page, OrderStatus.ON_PROCESS)

    as_user("seller_a")
    page.fill("#ship-form input[name=courier]", "JNE")
    page.fill("#ship-form input[name=tracking_number]", "JNE-MJK-0001")
    page.locator("#ship-form button[data-action=ship]").click()
    page.locator("button[data-action=deliver]").click()
    expect(page.locator("button[data-action=deliver]")).to_have_count(0)

    as_user("ppk")
    page.locator("#receive-form button[data-action=receive]").click()
    expect_status(page, OrderStatus.WAITING_INVOICE)

    as_user("manager")
    page.locator("button[data-action=invoice]").click()
    expect_status(page, OrderStatus.WAITING_PAYMENT)

    as_user("bendahara")
    page.fill("#pay-outside-form input[name=reference]", "SP2D-2026-0042")
    page.locator("#pay-outside-form button[data-action=pay-outside]").click()
    expect_status(page, OrderStatus.PAYMENT_OUTSIDE_SYSTEM)

    as_user("manager")
    page.once("dialog", lambda dialog: dialog.accept())  # "Confirm that the cooperative received the payment?"
    page.locator("button[data-action=confirm-payment]").click()
    expect_status(page, OrderStatus.COMPLETED)
    expect(page.locator("#order-status")).to_have_text(completed)
    expect(page.locator("#timeline li[data-action='order.confirm_payment']")).to_be_visible()

    with app.app_context():
        order = db.session.query(Order).one()
        assert (order.status, order.lines[0].quantity_received, order.paid_outside_reference) == (
            OrderStatus.COMPLETED,
            5,
            "SP2D-2026-0042",
        )
