"""In headless Chromium: the bendahara pays an invoice with the test card 4242 4242 4242 4242 on the page
(localstripe serves its Stripe.js replacement); a real signed webhook pays the order, and the order page shows it
COMPLETED with its kuitansi."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.procurement.services import documents
from marketplace.procurement.states import OrderStatus
from tests.browser.conftest import browser_context, page, playwright  # noqa: F401
from tests.browser.test_order_journey import sign_in
from tests.procurement.conftest import build_market, make_order
from tests.support.localstripe import (  # noqa: F401  fixtures
    localstripe_fixture,
    stripe_enabled_fixture,
    stripe_webhooks_fixture,
)

pytestmark = pytest.mark.browser


def test_the_bendahara_pays_by_card_and_the_webhook_completes_the_order(app, stripe_webhooks, page: Page) -> None:  # noqa: F811
    with app.app_context():
        market = build_market()
        order = make_order(market, OrderStatus.WAITING_PAYMENT)
        documents.issue_invoice(order, market.manager)
        db.session.commit()
        order_id, bendahara = order.id, market.bendahara.email

    sign_in(page, stripe_webhooks, bendahara)
    page.goto(stripe_webhooks(f"/pesanan/{order_id}"))
    page.locator("a[data-action=pay]").click()
    expect(page.locator("#test-mode")).to_be_visible()
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("61311")
    page.locator("[data-action=pay-card]").click()

    # The page waits for the webhook, then opens the order page.
    page.wait_for_url(stripe_webhooks(f"/pesanan/{order_id}"), timeout=30_000)
    expect(page.locator("#order-status")).to_have_attribute("data-status", str(OrderStatus.COMPLETED))
    expect(page.locator("[data-document=kuitansi]")).to_be_visible()
    expect(page.locator("#payments [data-payment-status=succeeded]")).to_have_count(1)
