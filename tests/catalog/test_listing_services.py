"""Creating, revising, approving and withdrawing listings through the services."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.catalog.models import CatalogEntry, SearchTerm
from marketplace.catalog.services import (
    approve_revision,
    create_listing,
    reject_revision,
    request_changes,
    submit_listing,
    update_listing,
    withdraw_product,
)
from marketplace.core.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from tests.factories import catalog_reference, listing, listing_data, seller, user_with_role


@pytest.fixture
def reference(db) -> dict:
    return catalog_reference()


def test_a_new_listing_is_a_draft_until_approved_then_searchable(db, reference) -> None:
    maker = seller()
    revision = create_listing(actor=maker, data=listing_data(reference), submit=True)
    product = revision.product
    assert (product.status, revision.status, product.live_revision_id) == ("draft", "submitted", None)
    assert db.session.get(CatalogEntry, product.id) is None

    manager = user_with_role(Role.COOP_MANAGER, cooperative=maker.membership.cooperative)
    approve_revision(actor=manager, revision_id=revision.id)

    assert (product.status, revision.status, product.live_revision_id) == ("active", "approved", revision.id)
    entry = db.session.get(CatalogEntry, product.id)
    assert (entry.price, entry.tkdn_bmp_x100, entry.stock) == (72500, 5050, 40)
    assert "beras premium majapahit" in entry.search_text
    assert db.session.get(SearchTerm, "beras").entries == 1


def test_editing_a_live_product_keeps_the_approved_version_on_sale(db, reference) -> None:
    maker = seller()
    product = listing(maker, reference)
    first = product.live_revision
    revision = update_listing(actor=maker, product=product, data=listing_data(reference, price=80000), submit=True)
    assert revision.id != first.id and revision.number == 2
    assert product.live_revision_id == first.id
    assert db.session.get(CatalogEntry, product.id).price == 72500

    manager = user_with_role(Role.COOP_MANAGER, cooperative=maker.membership.cooperative)
    approve_revision(actor=manager, revision_id=revision.id)
    assert product.live_revision_id == revision.id and first.status == "superseded"
    assert db.session.get(CatalogEntry, product.id).price == 80000


def test_reject_and_request_changes_need_a_written_reason(db, reference) -> None:
    maker = seller()
    revision = create_listing(actor=maker, data=listing_data(reference), submit=True)
    manager = user_with_role(Role.COOP_MANAGER, cooperative=maker.membership.cooperative)
    with pytest.raises(ValidationFailed) as error:
        reject_revision(actor=manager, revision_id=revision.id, reason="no")
    assert "reason" in error.value.fields
    request_changes(actor=manager, revision_id=revision.id, notes="Tambahkan foto kemasan, mohon.")
    assert revision.status == "changes_requested"
    update_listing(actor=maker, product=revision.product, data=listing_data(reference, name="Beras Wangi 5 kg"))
    submit_listing(actor=maker, product=revision.product)
    assert revision.status == "submitted" and revision.name == "Beras Wangi 5 kg"
    with pytest.raises(Conflict):
        update_listing(actor=maker, product=revision.product, data=listing_data(reference))


def test_another_cooperatives_manager_cannot_see_the_revision(db, reference) -> None:
    maker = seller()
    revision = create_listing(actor=maker, data=listing_data(reference), submit=True)
    stranger = user_with_role(Role.COOP_MANAGER)
    with pytest.raises(NotFound):
        approve_revision(actor=stranger, revision_id=revision.id)
    with pytest.raises(IllegalTransition):
        approve_revision(
            actor=user_with_role(Role.COOP_MANAGER, cooperative=maker.membership.cooperative),
            revision_id=create_listing(actor=maker, data=listing_data(reference, sku="X-2")).id,
        )


def test_pending_members_cannot_list_and_skus_are_unique_per_cooperative(db, reference) -> None:
    with pytest.raises(Forbidden):
        create_listing(actor=seller(status="pending"), data=listing_data(reference))
    maker = seller()
    create_listing(actor=maker, data=listing_data(reference))
    with pytest.raises(ValidationFailed) as error:
        create_listing(actor=maker, data=listing_data(reference))
    assert "sku" in error.value.fields


def test_every_bad_field_is_reported_with_its_path(db, reference) -> None:
    bad = listing_data(
        reference,
        price="0",
        kbki="123",
        unit="Truk",
        tkdn="101",
        bmp="15.555",
        ppn_percent=11,
        valid_until="2001-01-01",
        regional_prices=[{"region_code": "99.99", "price": 1}, {"region_code": "35", "price": "x"}],
        specifications=[{"label": "", "value": "5 kg"}],
    )
    with pytest.raises(ValidationFailed) as error:
        create_listing(actor=seller(), data=bad)
    assert set(error.value.fields) == {
        "price", "kbki", "unit", "tkdn", "bmp", "ppn_percent", "valid_until",
        "regional_prices.0.region_code", "regional_prices.1.price", "specifications.0.label",
    }  # fmt: skip


def test_withdrawing_removes_the_product_from_search_and_marks_the_feed(db, reference) -> None:
    maker = seller()
    product = listing(maker, reference)
    withdraw_product(actor=maker, product=product, reason="Stok habis musim ini")
    assert product.status == "withdrawn" and product.feed_changed_at is not None
    assert db.session.get(CatalogEntry, product.id) is None
    assert db.session.scalar(select(SearchTerm).where(SearchTerm.term == "beras")) is None


@pytest.mark.parametrize("value", ["Infinity", "sNaN", "NaN", "1E+26", "-0.5", "abc"])
def test_odd_numbers_in_percent_and_weight_fields_are_field_errors(db, reference, value: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        create_listing(actor=seller(), data=listing_data(reference, tkdn=value, bmp=value, weight_kg=value))
    assert {"tkdn", "bmp", "weight_kg"} <= set(error.value.fields)


def test_approving_a_change_adds_the_proposed_stock_difference_not_a_stale_total(db, reference) -> None:
    maker = seller()
    product = listing(maker, reference, stock=40)
    revision = update_listing(actor=maker, product=product, data=listing_data(reference, stock=50), submit=True)
    product.stock -= 15  # units reserved by orders while the change waits for review
    db.session.flush()
    manager = user_with_role(Role.COOP_MANAGER, cooperative=maker.membership.cooperative)
    approve_revision(actor=manager, revision_id=revision.id)
    assert product.stock == 35  # 25 left + the 10 the seller added


def test_a_product_whose_first_version_was_rejected_can_be_revised(db, reference) -> None:
    maker = seller()
    first = create_listing(actor=maker, data=listing_data(reference), submit=True)
    manager = user_with_role(Role.COOP_MANAGER, cooperative=maker.membership.cooperative)
    reject_revision(actor=manager, revision_id=first.id, reason="Foto dan deskripsi belum sesuai.")
    second = update_listing(
        actor=maker, product=first.product, data=listing_data(reference, sku="BRS-002"), submit=True
    )
    assert (second.number, second.status, first.product.sku) == (2, "submitted", "BRS-002")
    approve_revision(actor=manager, revision_id=second.id)
    assert first.product.status == "active" and first.product.stock == 40
