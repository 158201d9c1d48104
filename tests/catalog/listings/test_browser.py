"""The listing form in Chromium: rows of specifications and regional prices added and removed by
static/listing-form.js, then saved as a draft; the product page shows them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from marketplace.catalog.models import Product
from marketplace.catalog.services import open_revision
from tests.factories import PASSWORD, catalog_reference, seller

pytestmark = pytest.mark.browser


@pytest.fixture
def committed_reference(committed_db) -> dict:
    """The catalog reference and a seller `bu.siti@contoh.test`, committed so the live server sees them."""
    seller(email="bu.siti@contoh.test", full_name="Bu Siti")
    reference = catalog_reference()
    committed_db.session.commit()
    return reference


def sign_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server("/masuk"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form[action='/keluar']")).to_be_visible()


def test_rows_are_added_and_removed_and_saved(page: Page, live_server, committed_reference, committed_db) -> None:
    reference = committed_reference
    sign_in(page, live_server, "bu.siti@contoh.test")
    page.goto(live_server("/produk-saya/baru"))

    page.fill("input[name=sku]", "BRS-JS-1")
    page.fill("input[name=name]", "Beras Pandan Wangi 5 kg")
    page.select_option("select[name=category_id]", str(reference["category_id"]))
    page.select_option("select[name=unit]", "Karung")
    page.fill("input[name=kbki]", reference["kbki"])
    page.fill("input[name=price]", "81000")
    page.fill("input[name=stock]", "25")

    specifications = page.locator("fieldset[data-rows]").nth(1)
    specifications.locator("[data-add-row]").click()
    specifications.locator("[data-add-row]").click()
    rows = specifications.locator("[data-rows-body] [data-row]")
    expect(rows).to_have_count(3)
    rows.nth(0).locator("input").nth(0).fill("Berat")
    rows.nth(0).locator("input").nth(1).fill("5 kg")
    rows.nth(1).locator("input").nth(0).fill("Hapus saya")
    rows.nth(2).locator("input").nth(0).fill("Varietas")
    rows.nth(2).locator("input").nth(1).fill("Pandan Wangi")
    rows.nth(1).locator("[data-remove-row]").click()
    expect(rows).to_have_count(2)

    prices = page.locator("fieldset[data-rows]").nth(0)
    prices.locator("[data-rows-body] [data-row] input").nth(0).fill("35.76")
    prices.locator("[data-rows-body] [data-row] input").nth(1).fill("79000")
    prices.locator("[data-add-row]").click()
    prices.locator("[data-rows-body] [data-row]").nth(1).locator("input").nth(0).fill("35")
    prices.locator("[data-rows-body] [data-row]").nth(1).locator("input").nth(1).fill("80000")

    page.locator("button[data-action=save-draft]").click()
    expect(page.locator("h1")).to_have_text("Beras Pandan Wangi 5 kg")

    committed_db.session.expire_all()
    product = committed_db.session.scalar(select(Product).where(Product.sku == "BRS-JS-1"))
    revision = open_revision(product)
    assert revision.specifications == [
        {"label": "Berat", "value": "5 kg"},
        {"label": "Varietas", "value": "Pandan Wangi"},
    ]
    assert [(rp.region_code, rp.price) for rp in revision.regional_prices] == [("35", 80000), ("35.76", 79000)]


def test_a_bad_row_is_marked_and_the_rows_survive(page: Page, live_server, committed_reference) -> None:
    sign_in(page, live_server, "bu.siti@contoh.test")
    page.goto(live_server("/produk-saya/baru"))
    page.fill("input[name=sku]", "BRS-JS-2")
    prices = page.locator("fieldset[data-rows]").nth(0)
    prices.locator("[data-add-row]").click()
    second = prices.locator("[data-rows-body] [data-row]").nth(1)
    second.locator("input").nth(0).fill("35.76")
    second.locator("input").nth(1).fill("mahal")
    page.locator("button[data-action=save-draft]").click()

    expect(page.locator("#regional_prices-1-price-error")).to_be_visible()
    expect(page.locator("input[name=regional_prices-1-price]")).to_have_value("mahal")
    expect(page.locator("#name-error")).to_be_visible()
