"""Stock and price validity changed without review, as the cooperative's policy allows: audited, in the next
delta feed, in the catalog entry, and kept in step with an open revision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.catalog.models import CatalogEntry
from marketplace.catalog.services import open_revision, update_listing, update_stock, update_valid_until
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.timeutil import today_wib
from marketplace.extensions import db
from tests.factories import listing_data


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


class TestStock:
    def test_allowed_by_default_audited_and_in_the_catalog(self, db, maker, live) -> None:
        assert live.cooperative.stock_needs_review is False
        live.feed_changed_at = None

        update_stock(actor=maker, product=live, stock=12)

        assert live.stock == 12
        assert live.feed_changed_at is not None
        assert db.session.get(CatalogEntry, live.id).stock == 12
        [event] = events("product.stock_update")
        assert (event.subject_id, event.actor_id, event.before, event.after) == (
            live.id,
            maker.id,
            {"stock": 40},
            {"stock": 12},
        )
        assert live.live_revision.stock == 40  # the approved record stays as approved

    def test_the_open_revision_follows(self, db, maker, live, reference) -> None:
        update_listing(actor=maker, product=live, data=listing_data(reference, sku="LIVE-1", name="Baru"))
        update_stock(actor=maker, product=live, stock=3)
        assert open_revision(live).stock == 3

    def test_the_same_value_changes_nothing(self, db, maker, live) -> None:
        update_stock(actor=maker, product=live, stock=live.stock)
        assert events("product.stock_update") == []

    def test_refused_when_the_cooperative_reviews_stock(self, db, maker, live) -> None:
        live.cooperative.stock_needs_review = True
        with pytest.raises(Conflict) as error:
            update_stock(actor=maker, product=live, stock=5)
        assert "edit" in error.value.message.lower() or "ubah" in error.value.message.lower()
        assert live.stock == 40 and events("product.stock_update") == []

    @pytest.mark.parametrize("bad", [-1, 100_000_001, True, "5"])
    def test_bad_numbers(self, db, maker, live, bad) -> None:
        with pytest.raises(ValidationFailed) as error:
            update_stock(actor=maker, product=live, stock=bad)
        assert "stock" in error.value.fields

    def test_a_product_never_approved_is_changed_in_its_draft(self, db, maker, draft) -> None:
        with pytest.raises(Conflict):
            update_stock(actor=maker, product=draft, stock=5)

    def test_only_the_maker_and_managers(self, db, live, stranger, manager) -> None:
        with pytest.raises(NotFound):
            update_stock(actor=stranger, product=live, stock=5)
        update_stock(actor=manager, product=live, stock=5)
        assert live.stock == 5


class TestValidity:
    def test_refused_by_default(self, db, maker, live) -> None:
        assert live.cooperative.validity_needs_review is True
        with pytest.raises(Conflict):
            update_valid_until(actor=maker, product=live, valid_until=today_wib() + timedelta(days=200))

    def test_allowed_when_the_cooperative_says_so(self, db, maker, live, reference) -> None:
        live.cooperative.validity_needs_review = False
        update_listing(actor=maker, product=live, data=listing_data(reference, sku="LIVE-1", name="Baru"))
        before = live.valid_until
        new_date = today_wib() + timedelta(days=200)

        update_valid_until(actor=maker, product=live, valid_until=new_date)

        assert live.valid_until == new_date and open_revision(live).valid_until == new_date
        [event] = events("product.valid_until_update")
        assert event.before == {"valid_until": before.isoformat()}
        assert event.after == {"valid_until": new_date.isoformat()}
        assert live.feed_changed_at is not None

    def test_a_past_date_is_refused(self, db, maker, live) -> None:
        live.cooperative.validity_needs_review = False
        with pytest.raises(ValidationFailed) as error:
            update_valid_until(actor=maker, product=live, valid_until=today_wib() - timedelta(days=1))
        assert "valid_until" in error.value.fields


class TestPage:
    def test_the_forms_follow_the_policy(self, client, login_as, maker, live) -> None:
        login_as(maker)
        html = client.get(f"/produk-saya/{live.id}").get_data(as_text=True)
        assert 'data-action="update-stock"' in html and 'data-action="update-validity"' not in html
        live.cooperative.validity_needs_review = False
        live.cooperative.stock_needs_review = True
        html = client.get(f"/produk-saya/{live.id}").get_data(as_text=True)
        assert 'data-action="update-stock"' not in html and 'data-action="update-validity"' in html

    def test_update_stock_through_the_page(self, client, login_as, maker, live) -> None:
        login_as(maker)
        response = client.post_form(f"/produk-saya/{live.id}/cepat", {"stock": "15"})
        assert response.status_code == 302 and response.headers["Location"].endswith("#quick")
        assert live.stock == 15
        html = client.get(f"/produk-saya/{live.id}").get_data(as_text=True)
        assert 'data-action="product.stock_update"' in html and "40 → 15" in html

    def test_errors_next_to_the_field(self, client, login_as, maker, live) -> None:
        login_as(maker)
        response = client.post_form(f"/produk-saya/{live.id}/cepat", {"stock": "-3"})
        assert response.status_code == 422
        assert 'id="stock-error"' in response.get_data(as_text=True)
        response = client.post_form(f"/produk-saya/{live.id}/cepat", {"stock": "banyak"})
        assert response.status_code == 422
        assert live.stock == 40

    def test_refused_by_policy_is_explained(self, client, login_as, maker, live) -> None:
        login_as(maker)
        date = (today_wib() + timedelta(days=100)).isoformat()
        response = client.post_form(f"/produk-saya/{live.id}/cepat", {"valid_until": date}, follow_redirects=True)
        assert response.status_code == 200
        assert 'class="flash flash-error"' in response.get_data(as_text=True)
        assert live.valid_until != today_wib() + timedelta(days=100)
