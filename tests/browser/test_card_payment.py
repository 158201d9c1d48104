"""In headless Chromium: the bendahara pays an invoice with the test card 4242 4242 4242 4242 on the page
(localstripe serves its Stripe.js replacement); a real signed webhook pays the order, and the order page shows it
COMPLETED with its kuitansi."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.procurement.services import documents
from marketplace.procurement.states import OrderStatus
from tests.browser.test_order_journey import sign_in
from tests.procurement.conftest import build_market, make_order
from tests.support.localstripe import (  # noqa: F401  fixtures
    localstripe_fixture,
    stripe_enabled_fixture,
    stripe_webhooks_fixture,
)

pytestmark = pytest.mark.browser


def _invoice(app) -> tuple[int, str]:
    """An invoiced order waiting for payment, committed; its id and the bendahara's email."""
    with app.app_context():
        market = build_market()
        order = make_order(market, OrderStatus.WAITING_PAYMENT)
        documents.issue_invoice(order, market.manager)
        db.session.commit()
        return order.id, market.bendahara.email


def _pay_with_card(page: Page, live, order_id: int, bendahara: str, number: str) -> None:
    """Sign in as the bendahara, open the payment page from the order page and submit the card."""
    sign_in(page, live, bendahara)
    page.goto(live(f"/pesanan/{order_id}"))
    page.locator("a[data-action=pay]").click()
    expect(page.locator("#test-mode")).to_be_visible()
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill(number)
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("61311")
    page.locator("[data-action=pay-card]").click()


def _shows_paid(page: Page, live, order_id: int) -> None:
    # The page waits for the webhook, then opens the order page.
    page.wait_for_url(live(f"/pesanan/{order_id}"), timeout=30_000)
    expect(page.locator("#order-status")).to_have_attribute("data-status", str(OrderStatus.COMPLETED))
    expect(page.locator("[data-document=kuitansi]")).to_be_visible()
    expect(page.locator("#payments [data-payment-status=succeeded]")).to_have_count(1)


def test_the_bendahara_pays_by_card_and_the_webhook_completes_the_order(app, stripe_webhooks, page: Page) -> None:
    order_id, bendahara = _invoice(app)
    _pay_with_card(page, stripe_webhooks, order_id, bendahara, "4242424242424242")
    _shows_paid(page, stripe_webhooks, order_id)


def test_a_card_that_needs_3d_secure_is_confirmed_with_confirm_card_payment(app, stripe_webhooks, page: Page) -> None:
    """The server's intent needs authentication: the page calls `confirmCardPayment` (localstripe shows its 3-D
    Secure dialog), and the webhook completes the order once the bank confirmed."""
    order_id, bendahara = _invoice(app)
    _pay_with_card(page, stripe_webhooks, order_id, bendahara, "4000002760003184")
    page.get_by_role("button", name="Complete authentication").click()
    _shows_paid(page, stripe_webhooks, order_id)
