"""The cooperative's review through the API: the queue, a revision beside the live version, and decisions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.catalog.services import create_listing, update_listing
from tests.api.conftest import error_of
from tests.factories import CooperativeFactory, listing_data, seller, user_with_role

REASON = "Harga tidak wajar untuk beras medium."
NOTES = "Tambahkan foto kemasan dan nomor SNI."


@pytest.fixture
def submitted(maker, reference):
    """A new product waiting for review."""
    return create_listing(actor=maker, data=listing_data(reference, sku="NEW-1"), submit=True)


@pytest.fixture
def change(maker, reference, live_product):
    """A price change of a product on sale, waiting for review."""
    data = listing_data(reference, price=80000)
    return update_listing(actor=maker, product=live_product, data=data, submit=True)


def test_queue_lists_the_cooperatives_waiting_revisions_oldest_first(
    api, maker, manager, reference, submitted, change
) -> None:
    create_listing(actor=maker, data=listing_data(reference, sku="DRAFT-1"))  # a draft: not waiting
    stranger = seller()
    create_listing(actor=stranger, data=listing_data(reference), submit=True)  # another cooperative's
    response = api.get("/reviews?status=submitted", user=manager)
    assert response.status_code == 200
    page = response.json
    assert (page["total"], page["page"]) == (2, 1)
    assert [item["id"] for item in page["items"]] == [submitted.id, change.id]
    first, second = page["items"]
    assert (first["kind"], second["kind"]) == ("new", "change")
    assert first["product"]["sku"] == "NEW-1" and first["product"]["seller"]["id"] == maker.id
    assert (second["price"], second["number"], second["status"]) == (80000, 2, "submitted")
    issues = {issue["code"]: issue for issue in first["issues"]}
    assert set(issues) == {"no_large_image", "tkdn_without_certificate"}
    assert (issues["no_large_image"]["level"], issues["no_large_image"]["column"]) == ("warning", "gambar_utama")
    assert api.get("/reviews?per_page=1&page=2", user=manager).json["items"][0]["id"] == change.id


def test_queue_filters_by_member_and_category(api, maker, manager, reference, submitted) -> None:
    colleague = seller(maker.membership.cooperative)
    other = create_listing(actor=colleague, data=listing_data(reference, sku="OTHER-1"), submit=True)
    by_member = api.get(f"/reviews?seller_id={colleague.id}", user=manager).json
    assert [item["id"] for item in by_member["items"]] == [other.id]
    by_category = api.get(f"/reviews?category_id={reference['category_id']}", user=manager).json
    assert by_category["total"] == 2
    assert api.get(f"/reviews?category_id={reference['category_ids'][0]}", user=manager).json["total"] == 0


def test_queue_only_knows_the_submitted_status(api, manager) -> None:
    response = api.get("/reviews?status=approved", user=manager)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"status"}


@pytest.mark.parametrize("role", [Role.SELLER, Role.PP, Role.OPERATOR])
def test_queue_is_for_managers(api, role) -> None:
    assert api.get("/reviews", user=user_with_role(role)).status_code == 403


def test_queue_needs_a_token(api) -> None:
    assert api.get("/reviews").status_code == 401


def test_detail_shows_the_proposal_beside_the_live_version(api, manager, change) -> None:
    response = api.get(f"/reviews/{change.id}", user=manager)
    assert response.status_code == 200
    data = response.json
    assert data["live"]["price"] == 72500 and data["price"] == 80000
    changes = {item["field"]: item for item in data["changes"]}
    assert changes["price"]["changed"] is True
    assert (changes["price"]["live"], changes["price"]["proposed"]) == ("Rp72.500", "Rp80.000")
    assert changes["name"]["changed"] is False
    assert [item["field"] for item in data["changes"] if item["changed"]] == ["price"]


def test_detail_of_a_new_product_has_no_live_version(api, manager, submitted) -> None:
    data = api.get(f"/reviews/{submitted.id}", user=manager).json
    assert data["live"] is None and data["kind"] == "new"
    assert all(item["live"] == "" for item in data["changes"])


def test_another_cooperatives_revision_is_404(api, submitted) -> None:
    other_manager = user_with_role(Role.COOP_MANAGER, cooperative=CooperativeFactory())
    assert api.get(f"/reviews/{submitted.id}", user=other_manager).status_code == 404
    assert api.post(f"/reviews/{submitted.id}/approve", user=other_manager).status_code == 404
    assert api.post(f"/reviews/{submitted.id}/reject", {"reason": REASON}, user=other_manager).status_code == 404
    notes = {"notes": NOTES}
    assert api.post(f"/reviews/{submitted.id}/request-changes", notes, user=other_manager).status_code == 404
    assert submitted.status == "submitted"


def test_sellers_cannot_decide(api, maker, submitted) -> None:
    assert api.post(f"/reviews/{submitted.id}/approve", user=maker).status_code == 403
    assert api.get(f"/reviews/{submitted.id}", user=maker).status_code == 403
    assert api.post(f"/reviews/{submitted.id}/approve").status_code == 401
    assert submitted.status == "submitted"


def test_approve_puts_the_product_on_sale_and_twice_is_409(api, maker, manager, submitted, mailbox) -> None:
    response = api.post(f"/reviews/{submitted.id}/approve", user=manager)
    assert response.status_code == 200
    assert response.json["status"] == "approved" and response.json["product"]["status"] == "active"
    assert response.json["kind"] == "new"
    assert response.json["product"]["live_revision_id"] == submitted.id
    assert api.get(f"/products/{submitted.product_id}").json["live"]["name"] == submitted.name
    assert [message["To"] for message in mailbox.messages] == [maker.email]
    again = api.post(f"/reviews/{submitted.id}/approve", user=manager)
    assert again.status_code == 409
    error = error_of(again)
    assert error["code"] == "illegal_transition" and "approved" in error["message"]


def test_approve_is_refused_while_the_data_has_feed_errors(api, db, manager, submitted) -> None:
    submitted.valid_until = date.today() - timedelta(days=1)  # the validity passed while it waited
    db.session.flush()
    response = api.post(f"/reviews/{submitted.id}/approve", user=manager)
    assert response.status_code == 422
    error = error_of(response)
    assert set(error["fields"]) == {"valid_until"}
    assert "(1)" in error["message"]
    assert submitted.status == "submitted"


def test_reject_needs_a_reason(api, maker, manager, change) -> None:
    short = api.post(f"/reviews/{change.id}/reject", {"reason": "tidak"}, user=manager)
    assert short.status_code == 422 and set(error_of(short)["fields"]) == {"reason"}
    missing = api.post(f"/reviews/{change.id}/reject", {}, user=manager)
    assert missing.status_code == 422 and set(error_of(missing)["fields"]) == {"reason"}
    response = api.post(f"/reviews/{change.id}/reject", {"reason": REASON}, user=manager)
    assert response.status_code == 200
    assert (response.json["status"], response.json["decision_note"]) == ("rejected", REASON)
    product = api.get(f"/products/{change.product_id}", user=maker).json
    assert product["live"]["price"] == 72500  # the live version stays on sale
    assert product["latest_revision"]["decision_note"] == REASON
    again = api.post(f"/reviews/{change.id}/reject", {"reason": REASON}, user=manager)
    assert again.status_code == 409


def test_request_changes_sends_it_back_with_notes(api, maker, manager, submitted) -> None:
    short = api.post(f"/reviews/{submitted.id}/request-changes", {"notes": "foto"}, user=manager)
    assert short.status_code == 422 and set(error_of(short)["fields"]) == {"notes"}
    response = api.post(f"/reviews/{submitted.id}/request-changes", {"notes": NOTES}, user=manager)
    assert response.status_code == 200 and response.json["status"] == "changes_requested"
    product_id = submitted.product_id
    seen = api.get(f"/products/{product_id}", user=maker).json
    assert seen["latest_revision"]["decision_note"] == NOTES and seen["allowed_actions"] == ["edit", "submit"]
    resubmitted = api.patch(f"/products/{product_id}", {"sni_number": "SNI 6128:2020", "submit": True}, user=maker)
    assert resubmitted.json["latest_revision"]["status"] == "submitted"
    assert api.get("/reviews", user=manager).json["items"][0]["sni_number"] == "SNI 6128:2020"
