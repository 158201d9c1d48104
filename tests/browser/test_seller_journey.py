"""The issue's journey in a real browser: register a seller, approve them as the cooperative manager, sign in as
the seller. Runs on the Kota Mojokerto demo data, so the demo logins are exercised too."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.demo import DEMO_PASSWORD, seed_demo
from tests.support.identifiers import make_nik, make_npwp

pytestmark = pytest.mark.browser

SELLER_EMAIL = "sulastri.batik@contoh.test"
SELLER_PASSWORD = "canting-malam-2026"
MANAGER_EMAIL = "pengurus.gununggedangan@demo.test"


@pytest.fixture
def demo(committed_db):
    seed_demo()
    return committed_db


def sign_in(page: Page, live_server, email: str, password: str) -> None:
    page.goto(live_server("/masuk"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form[action='/keluar']")).to_be_visible()  # signed in: the sign-out button shows


def sign_out(page: Page) -> None:
    page.locator("form[action='/keluar'] button").click()
    expect(page.locator("a[href^='/masuk']").first).to_be_visible()


def choose_region(page: Page, code: str) -> None:
    """Pick province → kab/kota → kecamatan → kelurahan in the cascading selects (filled by static/app.js)."""
    picker = page.locator("[data-region-picker]")
    parts = code.split(".")
    for level in range(1, len(parts) + 1):
        picker.locator(f"select[data-level='{level}']").select_option(".".join(parts[:level]))
    expect(page.locator("input[name=region_code]")).to_have_value(code)


def register_seller(page: Page, live_server, cooperative_id: int) -> None:
    page.goto(live_server("/daftar"))
    page.fill("input[name=full_name]", "Sulastri Handayani")
    page.fill("input[name=email]", SELLER_EMAIL)
    page.fill("input[name=phone]", "0812 3456 7001")
    page.fill("input[name=password]", SELLER_PASSWORD)
    page.fill("input[name=password_confirm]", SELLER_PASSWORD)
    page.select_option("select[name=cooperative_id]", str(cooperative_id))
    page.fill("input[name=business_name]", "Batik Tulis Majapahit Sulastri")
    page.select_option("select[name=skala_usaha]", "mikro")
    page.fill("input[name=nib]", "9120012345678")
    page.fill("input[name=npwp]", make_npwp(4242))
    page.fill("input[name=nik]", make_nik(17))
    page.fill("input[name=kbli_codes]", "13134")
    page.fill("textarea[name=address]", "Jl. Majapahit No. 10, RT 002/RW 001")
    choose_region(page, "35.76.02.1001")
    page.locator("form[action='/daftar'] button[type=submit]").click()


def test_register_approve_and_sign_in_as_seller(demo, live_server, page: Page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    cooperative = demo.session.scalars(select(Cooperative).where(Cooperative.code == "kkmp-gununggedangan")).one()

    # 1. An UMKM owner registers with the cooperative of her kelurahan and waits for approval.
    register_seller(page, live_server, cooperative.id)
    expect(page.locator("#membership .badge-pending")).to_be_visible()
    expect(page.locator("#membership")).to_contain_text(cooperative.name)
    sign_out(page)

    # 2. The cooperative's pengurus approves her in the members list (pending applications first).
    sign_in(page, live_server, MANAGER_EMAIL, DEMO_PASSWORD)
    page.goto(live_server("/koperasi/anggota"))
    row = page.locator(f"tr[data-member-email='{SELLER_EMAIL}']")
    expect(row).to_be_visible()
    row.locator("[data-action=approve]").click()
    expect(page.locator(f"tr[data-member-email='{SELLER_EMAIL}'] [data-action=approve]")).to_have_count(0)
    sign_out(page)

    # 3. She signs in and sees her active membership.
    sign_in(page, live_server, SELLER_EMAIL, SELLER_PASSWORD)
    page.goto(live_server("/profil"))
    expect(page.locator("#membership .badge-active")).to_be_visible()
    expect(page.locator("#membership")).to_contain_text(cooperative.name)

    demo.session.rollback()  # end the read transaction begun above, to see what the server committed
    seller = demo.session.scalars(select(User).where(User.email == SELLER_EMAIL)).one()
    assert seller.membership.status == "active"
    assert seller.membership.decided_by.email == MANAGER_EMAIL
    assert seller.seller_profile.region_code == "35.76.02.1001"
