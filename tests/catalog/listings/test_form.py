"""The listing form: every e-Katalog field, drafts and submissions, errors next to their fields (rows included),
nothing saved on error, a manager listing for a member, and editing a live product."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.catalog.models import Category, KbkiCode, Product, Unit
from marketplace.catalog.rules import LISTING_FIELDS
from marketplace.catalog.services import approve_revision, open_revision, submit_listing
from marketplace.extensions import db
from tests.catalog.listings.helpers import error_for, form_data, input_value
from tests.factories import CooperativeFactory, seller, user_with_role


def product_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Product))


class TestNewForm:
    def test_shows_every_field_under_its_api_name(self, client, login_as, maker, reference) -> None:
        login_as(maker)
        db.session.add(KbkiCode(code="2316110002", title="Beras merah", level=10))
        html = client.get("/produk-saya/baru").get_data(as_text=True)

        for name in LISTING_FIELDS:
            if name in ("specifications", "regional_prices"):
                assert f'name="{name}-0-' in html, name
            else:
                assert re.search(rf'name="{name}"', html), name
        assert '<optgroup label="Bahan Pokok › Beras dan Serealia">' in html
        assert f'<option value="{reference["category_id"]}">Beras</option>' in html
        assert '<option value="Karung">Karung</option>' in html
        assert '<datalist id="kbki-codes">' in html and 'value="2316110002"' in html
        assert 'name="seller_id"' not in html  # a seller lists their own products
        assert 'value="submit"' in html and 'value="draft"' in html
        assert "listing-form.js" in html

    def test_inactive_categories_and_units_are_not_offered(self, client, login_as, maker, reference) -> None:
        login_as(maker)
        db.session.get(Category, reference["category_ids"][1]).is_active = False
        db.session.scalar(select(Unit).where(Unit.name == "Karung")).is_active = False
        html = client.get("/produk-saya/baru").get_data(as_text=True)
        assert "Beras dan Serealia" not in html
        assert '<option value="Karung">' not in html

    def test_ppn_is_only_zero_for_a_cooperative_that_is_not_pkp(self, client, login_as, maker, reference) -> None:
        login_as(maker)
        html = client.get("/produk-saya/baru").get_data(as_text=True)
        assert '<option value="11">' not in html
        maker.membership.cooperative.is_pkp = True
        html = client.get("/produk-saya/baru").get_data(as_text=True)
        assert '<option value="11">11%</option>' in html

    def test_saving_a_draft(self, client, login_as, maker, reference) -> None:
        login_as(maker)
        data = form_data(
            reference,
            regional_prices=[{"region_code": "35.76", "price": "70000", "shipping_cost": "5000"}],
            specifications=[{"label": "Varietas", "value": "IR64"}, {"label": "", "value": ""}],
        )
        response = client.post_form("/produk-saya/baru", data)

        assert response.status_code == 302
        product = db.session.scalar(select(Product))
        assert response.headers["Location"].endswith(f"/produk-saya/{product.id}")
        revision = open_revision(product)
        assert (product.seller_id, product.sku, revision.status) == (maker.id, "BRS-001", "draft")
        assert (revision.price, revision.tkdn_x100, revision.bmp_x100) == (72500, 4550, 500)
        assert revision.specifications == [{"label": "Varietas", "value": "IR64"}]  # the empty row is left out
        assert [(rp.region_code, rp.price, rp.shipping_cost) for rp in revision.regional_prices] == [
            ("35.76", 70000, 5000)
        ]
        assert revision.national_price is True and revision.description == "Beras premium.\nDikemas 5 kg."

    def test_save_and_submit(self, client, login_as, maker, reference) -> None:
        login_as(maker)
        client.post_form("/produk-saya/baru", form_data(reference, action="submit"))
        product = db.session.scalar(select(Product))
        assert open_revision(product).status == "submitted"

    def test_unticked_national_price_needs_a_regional_price(self, client, login_as, maker, reference) -> None:
        login_as(maker)
        response = client.post_form("/produk-saya/baru", form_data(reference, national_price=False))
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert 'data-error-for="regional_prices"' in html
        assert product_count() == 0

    def test_errors_are_shown_next_to_their_fields_rows_included_and_nothing_is_saved(
        self, client, login_as, maker, reference
    ) -> None:
        login_as(maker)
        data = form_data(
            reference,
            price="0",
            kbki="123",
            tkdn="101",
            name="Beras <b>Wangi</b>",
            regional_prices=[
                {"region_code": "35", "price": "71000", "shipping_cost": "0"},
                {"region_code": "35.76", "price": "gratis", "shipping_cost": "0"},
            ],
            specifications=[{"label": "", "value": "5 kg"}],
        )
        response = client.post_form("/produk-saya/baru", data)

        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert product_count() == 0
        assert "Nothing was saved" in html or "Tidak ada yang disimpan" in html
        assert error_for(html, "price") and error_for(html, "kbki") and error_for(html, "tkdn")
        assert error_for(html, "regional_prices.1.price")
        assert error_for(html, "regional_prices.0.price") is None
        assert error_for(html, "specifications.0.label")
        assert error_for(html, "name") is None
        # what the user typed is still there, escaped
        assert input_value(html, "name") == "Beras &lt;b&gt;Wangi&lt;/b&gt;"
        assert input_value(html, "regional_prices-1-price") == "gratis"
        assert input_value(html, "regional_prices-0-region_code") == "35"
        assert input_value(html, "kbki") == "123"

    def test_a_blank_row_between_rows_does_not_shift_the_errors(self, client, login_as, maker, reference) -> None:
        login_as(maker)
        data = form_data(reference)
        data.update(
            {
                "regional_prices-0-region_code": "",
                "regional_prices-0-price": "",
                "regional_prices-0-shipping_cost": "",
                "regional_prices-3-region_code": "99.99",
                "regional_prices-3-price": "1000",
            }
        )
        html = client.post_form("/produk-saya/baru", data).get_data(as_text=True)
        # the posted rows are renumbered 0 (blank) and 1 (bad code); the message sits by the second one
        assert error_for(html, "regional_prices.1.region_code")
        assert error_for(html, "regional_prices.0.region_code") is None

    def test_a_duplicate_sku_is_shown_on_the_sku(self, client, login_as, maker, reference) -> None:
        login_as(maker)
        client.post_form("/produk-saya/baru", form_data(reference))
        response = client.post_form("/produk-saya/baru", form_data(reference))
        assert response.status_code == 422
        assert error_for(response.get_data(as_text=True), "sku")
        assert product_count() == 1

    def test_a_pending_member_cannot_list(self, client, login_as, reference) -> None:
        login_as(seller(status="pending"))
        assert client.get("/produk-saya/baru").status_code == 403
        assert client.post_form("/produk-saya/baru", form_data(reference)).status_code == 403
        assert product_count() == 0


class TestManagerListsForAMember:
    def test_the_member_select_offers_active_members_only(
        self, client, login_as, manager, maker, cooperative, reference
    ) -> None:
        pending = seller(cooperative, status="pending", full_name="Calon Anggota")
        outsider = seller(full_name="Anggota Lain")
        login_as(manager)
        html = client.get(f"/produk-saya/baru?seller_id={maker.id}").get_data(as_text=True)
        select_html = re.search(r'<select[^>]*name="seller_id".*?</select>', html, re.S).group(0)
        assert re.findall(r'value="(\d*)"', select_html) == ["", str(maker.id)]
        assert f'<option selected value="{maker.id}">' in select_html
        assert pending.id and outsider.id

    def test_creates_the_product_for_the_member(self, client, login_as, manager, maker, reference) -> None:
        login_as(manager)
        response = client.post_form("/produk-saya/baru", {**form_data(reference), "seller_id": str(maker.id)})
        assert response.status_code == 302
        product = db.session.scalar(select(Product))
        assert (product.seller_id, product.cooperative_id) == (maker.id, maker.membership.cooperative_id)
        assert open_revision(product).author_id == manager.id

    def test_a_member_must_be_chosen_from_the_cooperative(self, client, login_as, manager, reference) -> None:
        login_as(manager)
        missing = client.post_form("/produk-saya/baru", form_data(reference))
        assert missing.status_code == 422 and error_for(missing.get_data(as_text=True), "seller_id")
        outsider = seller(CooperativeFactory())
        foreign = client.post_form("/produk-saya/baru", {**form_data(reference), "seller_id": str(outsider.id)})
        assert foreign.status_code == 422 and error_for(foreign.get_data(as_text=True), "seller_id")
        assert product_count() == 0


class TestEdit:
    def test_the_form_is_filled_from_the_draft(self, client, login_as, maker, draft) -> None:
        login_as(maker)
        html = client.get(f"/produk-saya/{draft.id}/ubah").get_data(as_text=True)
        assert input_value(html, "sku") == "DRAFT-1"
        assert input_value(html, "tkdn") == "45.5"
        assert input_value(html, "specifications-0-label") == "Berat"
        assert input_value(html, "specifications-1-label") == ""  # and room for one more
        assert "Beras premium.\nDikemas 5 kg.</textarea>" in html

    def test_editing_a_live_product_proposes_a_new_version(self, client, login_as, maker, live, reference) -> None:
        login_as(maker)
        html = client.get(f"/produk-saya/{live.id}/ubah").get_data(as_text=True)
        assert re.search(r'<input[^>]*name="sku"[^>]*readonly', html)
        response = client.post_form(
            f"/produk-saya/{live.id}/ubah", form_data(reference, sku="LIVE-1", price="80000", action="submit")
        )
        assert response.status_code == 302
        proposed = open_revision(live)
        assert (proposed.number, proposed.status, proposed.price) == (2, "submitted", 80000)
        assert live.live_revision.price == 72500

    def test_errors_when_editing_keep_the_live_version_untouched(
        self, client, login_as, maker, live, reference
    ) -> None:
        login_as(maker)
        response = client.post_form(f"/produk-saya/{live.id}/ubah", form_data(reference, sku="LIVE-1", stock="-4"))
        assert response.status_code == 422
        assert error_for(response.get_data(as_text=True), "stock")
        assert open_revision(live) is None

    def test_a_version_waiting_for_review_cannot_be_edited(self, client, login_as, maker, draft) -> None:
        submit_listing(actor=maker, product=draft)
        login_as(maker)
        response = client.get(f"/produk-saya/{draft.id}/ubah")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/produk-saya/{draft.id}")

    def test_the_managers_notes_are_shown_above_the_form(self, client, login_as, maker, manager, draft) -> None:
        from marketplace.catalog.services import request_changes

        revision = submit_listing(actor=maker, product=draft)
        request_changes(actor=manager, revision_id=revision.id, notes="Foto kemasan belum ada <mohon>.")
        login_as(maker)
        html = client.get(f"/produk-saya/{draft.id}/ubah").get_data(as_text=True)
        assert "Foto kemasan belum ada &lt;mohon&gt;." in html

    def test_another_sellers_product_is_not_found(self, client, login_as, stranger, draft, reference) -> None:
        login_as(stranger)
        assert client.get(f"/produk-saya/{draft.id}/ubah").status_code == 404
        assert client.post_form(f"/produk-saya/{draft.id}/ubah", form_data(reference)).status_code == 404

    def test_the_cooperatives_manager_may_edit(self, client, login_as, manager, draft, reference) -> None:
        login_as(manager)
        response = client.post_form(f"/produk-saya/{draft.id}/ubah", form_data(reference, sku="DRAFT-1", name="Baru"))
        assert response.status_code == 302
        assert open_revision(draft).name == "Baru"

    def test_bringing_a_withdrawn_product_back_goes_through_review(
        self, client, login_as, maker, live, reference
    ) -> None:
        from marketplace.catalog.services import withdraw_product

        withdraw_product(actor=maker, product=live, reason="Stok habis")
        login_as(maker)
        client.post_form(f"/produk-saya/{live.id}/ubah", form_data(reference, sku="LIVE-1", action="submit"))
        assert live.status == "withdrawn"
        approve_revision(
            actor=user_with_role(Role.COOP_MANAGER, cooperative=live.cooperative), revision_id=open_revision(live).id
        )
        assert live.status == "active"


@pytest.mark.parametrize("query, expected", [("23161", ["2316110001"]), ("putih", ["2316110001"]), ("9", [])])
def test_kbki_suggestions(client, login_as, maker, reference, query, expected) -> None:
    login_as(maker)
    found = client.get(f"/produk-saya/kbki?q={query}").get_json()
    assert [item["code"] for item in found] == expected
