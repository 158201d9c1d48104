"""A product leaves sale with its seller or cooperative: a suspended member, a disabled account, a closed
cooperative. It is withdrawn (out of search, refused by the cart, `produk_aktif 0` in the next delta feed) and
stays so when they come back: the seller lists it again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.admin.services import set_user_enabled
from marketplace.catalog.models import CatalogEntry, Product, SearchTerm
from marketplace.catalog.search.query import search_catalog
from marketplace.catalog.services import approve_revision, update_listing, withdraw_product
from marketplace.catalog.states import ProductStatus
from marketplace.cooperatives.models import Membership
from marketplace.cooperatives.services import reactivate_member, set_cooperative_active, suspend_member
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict
from marketplace.extensions import db
from tests.factories import listing, listing_data, seller
from tests.support.statements import recorded_statements


def off_sale(product) -> bool:
    db.session.refresh(product)
    in_search = db.session.get(CatalogEntry, product.id) is not None
    return product.status == ProductStatus.WITHDRAWN and not in_search and product.feed_changed_at is not None


@pytest.fixture
def other(cooperative, reference):
    """Another member's product in the same cooperative, which stays on sale when only `maker` leaves."""
    return listing(seller(cooperative, full_name="Bu Lain"), reference, sku="OTHER-1")


def test_suspending_a_member_takes_their_products_off_sale_until_relisted(manager, maker, live, other) -> None:
    assert db.session.get(CatalogEntry, live.id) is not None
    membership = db.session.scalars(select(Membership).where(Membership.user_id == maker.id)).one()
    suspend_member(actor=manager, membership_id=membership.id, reason="Tidak hadir rapat anggota tahunan")
    assert off_sale(live) and not off_sale(other)
    reactivate_member(actor=manager, membership_id=membership.id)
    assert off_sale(live)  # the seller lists it again themselves


def test_disabling_an_account_takes_its_products_off_sale(operator, maker, live, other) -> None:
    set_user_enabled(actor=operator, user_id=maker.id, enabled=False, reason="Akun diambil alih")
    assert off_sale(live) and not off_sale(other)


def test_closing_a_cooperative_takes_all_its_products_off_sale(operator, cooperative, live, other) -> None:
    set_cooperative_active(actor=operator, cooperative=cooperative, active=False, reason="Dibubarkan RAT")
    assert off_sale(live) and off_sale(other)


def test_closing_a_cooperative_withdraws_its_many_products_each_audited_and_forgotten_by_search(
    operator, cooperative, maker, reference
) -> None:
    products = [listing(maker, reference, sku=f"PADI-{index}", name=f"Gabah Padi {index}") for index in range(30)]
    withdraw_product(actor=maker, product=products[0], reason="Sudah tidak diproduksi")  # not withdrawn twice
    assert search_catalog(text="gabah").total == 29
    with recorded_statements() as statements:
        set_cooperative_active(actor=operator, cooperative=cooperative, active=False, reason="Dibubarkan RAT")
    assert len(statements) < 29  # set-based: not a statement (or three) per product
    db.session.expire_all()
    assert {product.status for product in db.session.scalars(select(Product))} == {ProductStatus.WITHDRAWN}
    assert search_catalog(text="gabah").total == 0
    assert db.session.get(SearchTerm, "gabah") is None
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "product.withdraw", AuditEvent.actor_id == operator.id)
    ).all()
    assert sorted(event.subject_id for event in events) == sorted(product.id for product in products[1:])
    assert {(event.actor_id, event.reason, event.before["status"]) for event in events} == {
        (operator.id, "Dibubarkan RAT", ProductStatus.ACTIVE)
    }


def test_a_change_waiting_for_review_cannot_put_a_suspended_members_product_back_on_sale(
    manager, maker, live, reference
) -> None:
    waiting = update_listing(
        actor=maker, product=live, data=listing_data(reference, sku=live.sku, name="Beras Baru"), submit=True
    )
    membership = db.session.scalars(select(Membership).where(Membership.user_id == maker.id)).one()
    suspend_member(actor=manager, membership_id=membership.id, reason="Tidak hadir rapat anggota tahunan")
    with pytest.raises(Conflict):
        approve_revision(actor=manager, revision_id=waiting.id)
    assert off_sale(live)
