"""Switching the interface language from a page, in a real browser."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def sign_in_heading(app, locale: str) -> str:
    """The sign-in page's heading in `locale`, from the message catalog."""
    with app.test_request_context(), force_locale(locale):
        return gettext("Sign in")


def test_switch_language_id_to_en_and_back_from_a_page(app, live_server, page) -> None:
    page.goto(live_server("/masuk?next=/profil"))
    html, heading, current = page.locator("html"), page.locator("main h1"), page.locator(".langs strong")
    expect(html).to_have_attribute("lang", "id")  # Bahasa Indonesia by default
    expect(current).to_have_text("ID")
    expect(heading).to_have_text(sign_in_heading(app, "id"))

    page.locator("button[data-lang=en]").click()
    expect(html).to_have_attribute("lang", "en")
    expect(current).to_have_text("EN")
    expect(heading).to_have_text("Sign in")
    assert page.url == live_server("/masuk?next=/profil")  # back on the page where the switch was clicked

    page.reload()
    expect(html).to_have_attribute("lang", "en")  # the choice is kept for the session

    page.locator("button[data-lang=id]").click()
    expect(html).to_have_attribute("lang", "id")
    expect(current).to_have_text("ID")
    expect(heading).to_have_text(sign_in_heading(app, "id"))
