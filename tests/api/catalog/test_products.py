"""Products through the API: create, show, change (a new revision when live), submit and withdraw."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.catalog.models import CatalogEntry, Product
from marketplace.catalog.services import create_listing, reject_revision, request_changes
from marketplace.core.audit import AuditEvent
from tests.api.catalog.conftest import body
from tests.api.conftest import error_of
from tests.factories import CooperativeFactory, listing_data, seller, user_with_role


def products_of(db, user) -> list[Product]:
    return list(db.session.scalars(select(Product).where(Product.seller_id == user.id)))


# Create ---------------------------------------------------------------------------------------------------------


def test_seller_creates_a_draft(api, db, maker, reference) -> None:
    response = api.post("/products", body(reference), user=maker)
    assert response.status_code == 201, response.json
    data = response.json
    assert (data["sku"], data["status"], data["live"], data["url"]) == ("BRS-001", "draft", None, None)
    assert data["seller"]["id"] == maker.id
    assert data["seller"]["business_name"] == maker.seller_profile.business_name
    assert data["cooperative"]["id"] == maker.membership.cooperative_id
    revision = data["latest_revision"]
    assert (revision["number"], revision["status"], revision["name"]) == (1, "draft", "Beras Premium Majapahit 5 kg")
    assert (revision["price"], revision["tkdn"], revision["bmp"], revision["tkdn_bmp"]) == (72500, 45.5, 5.0, 50.5)
    assert revision["unit"] == "Karung" and revision["kbki"] == reference["kbki"]
    assert revision["category_path"] == "Bahan Pokok › Beras dan Serealia › Beras"
    assert revision["specifications"] == [{"label": "Berat", "value": "5 kg"}]
    assert revision["description"] == "Beras premium.\nDikemas 5 kg."
    assert data["allowed_actions"] == ["edit", "submit"]
    [product] = products_of(db, maker)
    assert product.id == data["id"] and product.status == "draft"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "product.create")).actor_id == maker.id


def test_create_and_submit_at_once(api, maker, reference) -> None:
    data = api.post("/products", body(reference, submit=True), user=maker).json
    assert data["latest_revision"]["status"] == "submitted"
    assert data["latest_revision"]["submitted_at"] is not None
    assert data["allowed_actions"] == []


def test_json_numbers_and_strings_are_both_accepted(api, maker, reference) -> None:
    data = body(reference, tkdn=40.25, bmp="2.5", weight_kg=0.25, price="72500", regional_prices=[
        {"region_code": "35.76", "price": 70000, "shipping_cost": 5000},
        {"region_code": "35", "price": 74000},
    ])  # fmt: skip
    revision = api.post("/products", data, user=maker).json["latest_revision"]
    assert (revision["tkdn"], revision["bmp"], revision["weight_kg"], revision["price"]) == (40.25, 2.5, 0.25, 72500)
    assert revision["regional_prices"] == [
        {"region_code": "35", "region_name": "Jawa Timur", "price": 74000, "price_with_ppn": 74000, "shipping_cost": 0},
        {
            "region_code": "35.76",
            "region_name": "Kota Mojokerto, Jawa Timur",
            "price": 70000,
            "price_with_ppn": 70000,
            "shipping_cost": 5000,
        },
    ]


def test_every_invalid_value_is_named_by_its_dotted_path(api, db, maker, reference) -> None:
    bad = body(
        reference,
        price=0,
        kbki="123",
        unit="Truk",
        tkdn="101",
        ppn_percent=11,
        valid_until="2001-01-01",
        regional_prices=[{"region_code": "99.99", "price": 1}, {"region_code": "35", "price": 0}],
        specifications=[{"label": "", "value": "5 kg"}],
    )
    response = api.post("/products", bad, user=maker)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {
        "price", "kbki", "unit", "tkdn", "ppn_percent", "valid_until",
        "regional_prices.0.region_code", "regional_prices.1.price", "specifications.0.label",
    }  # fmt: skip
    assert products_of(db, maker) == []


def test_wrong_types_and_missing_fields_are_422_before_the_rules(api, db, maker, reference) -> None:
    data = body(reference, price="banyak", regional_prices=[{"region_code": "35", "price": "x"}], colour="red")
    del data["sku"], data["valid_until"]
    response = api.post("/products", data, user=maker)
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert set(fields) == {"sku", "valid_until", "price", "regional_prices.0.price", "colour"}
    assert fields["regional_prices.0.price"] == "Masukkan bilangan bulat."
    assert fields["colour"] == "Kolom tidak dikenal."
    assert products_of(db, maker) == []


def test_absurd_percentages_are_refused_without_crashing(api, maker, reference) -> None:
    response = api.post("/products", body(reference, tkdn="1E+30", weight_kg=1e30), user=maker)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"tkdn", "weight_kg"}


def test_sku_is_unique_in_the_cooperative(api, maker, reference) -> None:
    assert api.post("/products", body(reference), user=maker).status_code == 201
    colleague = seller(maker.membership.cooperative)
    response = api.post("/products", body(reference), user=colleague)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"sku"}
    assert api.post("/products", body(reference), user=seller()).status_code == 201  # another cooperative


def test_manager_lists_for_a_member(api, db, maker, manager, reference) -> None:
    response = api.post("/products", body(reference, seller_id=maker.id), user=manager)
    assert response.status_code == 201
    assert response.json["seller"]["id"] == maker.id
    assert response.json["allowed_actions"] == ["edit", "submit"]
    assert len(products_of(db, maker)) == 1


def test_manager_must_name_a_member_of_their_cooperative(api, manager, reference) -> None:
    missing = api.post("/products", body(reference), user=manager)
    assert missing.status_code == 422 and set(error_of(missing)["fields"]) == {"seller_id"}
    stranger = seller()
    other = api.post("/products", body(reference, seller_id=stranger.id), user=manager)
    assert other.status_code == 422 and set(error_of(other)["fields"]) == {"seller_id"}
    pending = seller(manager.managed_cooperative, status="pending")
    inactive = api.post("/products", body(reference, seller_id=pending.id), user=manager)
    assert inactive.status_code == 422 and set(error_of(inactive)["fields"]) == {"seller_id"}


@pytest.mark.parametrize("role", [Role.PP, Role.PPK, Role.BENDAHARA, Role.OPERATOR])
def test_other_roles_cannot_create(api, reference, role) -> None:
    response = api.post("/products", body(reference), user=user_with_role(role))
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_pending_member_cannot_create(api, reference) -> None:
    response = api.post("/products", body(reference), user=seller(status="pending"))
    assert response.status_code == 403


def test_create_needs_a_token(api, reference) -> None:
    response = api.post("/products", body(reference))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


# Show -----------------------------------------------------------------------------------------------------------


def test_public_sees_a_product_on_sale_with_live_data_only(api, live_product) -> None:
    response = api.get(f"/products/{live_product.id}")
    assert response.status_code == 200
    data = response.json
    assert data["status"] == "active" and data["latest_revision"] is None and data["allowed_actions"] == []
    assert data["live"]["name"] == "Beras Premium Majapahit 5 kg"
    assert data["live"]["stock"] == 40
    assert data["published_at"] is not None


def test_public_never_sees_drafts_or_open_revisions(api, maker, live_product, draft_product, reference) -> None:
    assert api.get(f"/products/{draft_product.id}").status_code == 404
    assert api.patch(f"/products/{live_product.id}", {"name": "Nama Rahasia"}, user=maker).status_code == 200
    public = api.get(f"/products/{live_product.id}").json
    assert public["latest_revision"] is None and public["live"]["name"] == "Beras Premium Majapahit 5 kg"
    assert "Nama Rahasia" not in str(public)
    for stranger in (seller(maker.membership.cooperative), user_with_role(Role.PP), seller()):
        assert api.get(f"/products/{draft_product.id}", user=stranger).status_code == 404
        seen = api.get(f"/products/{live_product.id}", user=stranger).json
        assert seen["latest_revision"] is None and seen["allowed_actions"] == []
    assert api.get("/products/999999").status_code == 404


def test_owners_see_drafts_and_the_newest_revision(api, maker, manager, draft_product) -> None:
    operator = user_with_role(Role.OPERATOR)
    for viewer in (maker, manager, operator):
        data = api.get(f"/products/{draft_product.id}", user=viewer).json
        assert data["status"] == "draft" and data["latest_revision"]["status"] == "draft"
    assert api.get(f"/products/{draft_product.id}", user=maker).json["allowed_actions"] == ["edit", "submit"]
    assert api.get(f"/products/{draft_product.id}", user=operator).json["allowed_actions"] == []
    other_manager = user_with_role(Role.COOP_MANAGER, cooperative=CooperativeFactory())
    assert api.get(f"/products/{draft_product.id}", user=other_manager).status_code == 404


def test_an_invalid_token_on_the_public_route_is_401(api, live_product) -> None:
    response = api.get(f"/products/{live_product.id}", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_seller_sees_the_managers_notes_and_reason(api, maker, manager, reference) -> None:
    sent_back = create_listing(actor=maker, data=listing_data(reference, sku="A-1"), submit=True).product
    request_changes(actor=manager, revision_id=sent_back.revisions[0].id, notes="Foto kemasan belum ada.")
    data = api.get(f"/products/{sent_back.id}", user=maker).json
    assert data["latest_revision"]["status"] == "changes_requested"
    assert data["latest_revision"]["decision_note"] == "Foto kemasan belum ada."
    assert data["allowed_actions"] == ["edit", "submit"]
    refused = create_listing(actor=maker, data=listing_data(reference, sku="A-2"), submit=True).product
    reject_revision(actor=manager, revision_id=refused.revisions[0].id, reason="Produk ini bukan buatan anggota.")
    data = api.get(f"/products/{refused.id}", user=maker).json
    assert data["latest_revision"]["status"] == "rejected"
    assert data["latest_revision"]["decision_note"] == "Produk ini bukan buatan anggota."
    assert data["allowed_actions"] == []


# Change ---------------------------------------------------------------------------------------------------------


def test_patching_a_live_product_starts_a_revision_and_keeps_the_live_version(api, db, maker, live_product) -> None:
    live_product.stock = 33  # orders took some since the approval
    db.session.flush()
    response = api.patch(f"/products/{live_product.id}", {"price": 80000, "brand": None}, user=maker)
    assert response.status_code == 200, response.json
    data = response.json
    assert data["live"]["price"] == 72500 and data["live"]["brand"] == "Majapahit"
    proposed = data["latest_revision"]
    assert (proposed["number"], proposed["status"], proposed["price"], proposed["brand"]) == (2, "draft", 80000, None)
    assert proposed["name"] == data["live"]["name"] and proposed["stock"] == 33
    assert proposed["specifications"] == data["live"]["specifications"]
    assert db.session.get(CatalogEntry, live_product.id).price == 72500
    again = api.patch(f"/products/{live_product.id}", {"name": "Beras Wangi 5 kg"}, user=maker).json
    assert again["latest_revision"]["number"] == 2
    assert (again["latest_revision"]["name"], again["latest_revision"]["price"]) == ("Beras Wangi 5 kg", 80000)


def test_patching_a_draft_changes_it_in_place(api, maker, draft_product) -> None:
    data = api.patch(f"/products/{draft_product.id}", {"sku": "BRS-009", "stock": 5}, user=maker).json
    assert data["sku"] == "BRS-009" and data["stock"] == 5
    assert (data["latest_revision"]["number"], data["latest_revision"]["stock"]) == (1, 5)


def test_patch_and_submit_then_a_waiting_revision_cannot_change(api, maker, live_product) -> None:
    data = api.patch(f"/products/{live_product.id}", {"price": 81000, "submit": True}, user=maker).json
    assert data["latest_revision"]["status"] == "submitted" and data["allowed_actions"] == ["withdraw"]
    response = api.patch(f"/products/{live_product.id}", {"price": 82000}, user=maker)
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"


def test_patch_reports_bad_fields_by_path(api, maker, live_product) -> None:
    response = api.patch(
        f"/products/{live_product.id}",
        {"national_price": False, "regional_prices": [{"region_code": "35.76", "price": -5}], "min_order": 0},
        user=maker,
    )
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"regional_prices", "regional_prices.0.price", "min_order"}
    published_sku = api.patch(f"/products/{live_product.id}", {"sku": "LAIN-1"}, user=maker)
    assert published_sku.status_code == 422 and set(error_of(published_sku)["fields"]) == {"sku"}
    nulls = api.patch(f"/products/{live_product.id}", {"price": None, "tkdn": None}, user=maker)
    assert nulls.status_code == 422
    assert error_of(nulls)["fields"] == {"price": "Kolom ini tidak boleh null.", "tkdn": "Kolom ini tidak boleh null."}
    assert len(live_product.revisions) == 1  # nothing was saved


def test_patch_of_another_sellers_product_is_404(api, maker, live_product) -> None:
    neighbour = seller(maker.membership.cooperative)
    assert api.patch(f"/products/{live_product.id}", {"price": 1000}, user=neighbour).status_code == 404
    other_manager = user_with_role(Role.COOP_MANAGER)
    assert api.patch(f"/products/{live_product.id}", {"price": 1000}, user=other_manager).status_code == 404
    assert api.patch(f"/products/{live_product.id}", {"price": 1000}, user=user_with_role(Role.PPK)).status_code == 403
    assert api.patch(f"/products/{live_product.id}", {"price": 1000}).status_code == 401
    assert len(live_product.revisions) == 1


def test_manager_patches_a_members_product(api, manager, live_product) -> None:
    data = api.patch(f"/products/{live_product.id}", {"stock": 12}, user=manager).json
    assert data["latest_revision"]["stock"] == 12


def test_a_suspended_maker_sees_but_cannot_change(api, db, maker, live_product) -> None:
    maker.membership.status = "suspended"
    db.session.flush()
    assert api.get(f"/products/{live_product.id}", user=maker).json["allowed_actions"] == []
    assert api.patch(f"/products/{live_product.id}", {"stock": 1}, user=maker).status_code == 403


# Submit and withdraw --------------------------------------------------------------------------------------------


def test_submit_a_draft_then_again_is_409(api, maker, draft_product) -> None:
    response = api.post(f"/products/{draft_product.id}/submit", user=maker)
    assert response.status_code == 200
    assert response.json["latest_revision"]["status"] == "submitted"
    again = api.post(f"/products/{draft_product.id}/submit", user=maker)
    assert again.status_code == 409
    error = error_of(again)
    assert error["code"] == "illegal_transition" and "submitted" in error["message"]


def test_submit_without_a_draft_is_409(api, maker, live_product) -> None:
    response = api.post(f"/products/{live_product.id}/submit", user=maker)
    assert response.status_code == 409


def test_submit_is_for_the_maker_and_managers_only(api, maker, draft_product) -> None:
    assert api.post(f"/products/{draft_product.id}/submit", user=seller()).status_code == 404
    assert api.post(f"/products/{draft_product.id}/submit", user=user_with_role(Role.OPERATOR)).status_code == 403
    assert api.post(f"/products/{draft_product.id}/submit").status_code == 401
    assert draft_product.revisions[0].status == "draft"


def test_withdraw_takes_the_product_off_sale(api, db, maker, live_product) -> None:
    response = api.post(f"/products/{live_product.id}/withdraw", {"reason": "Gagal panen"}, user=maker)
    assert response.status_code == 200
    assert response.json["status"] == "withdrawn" and response.json["url"] is None
    assert db.session.get(CatalogEntry, live_product.id) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "product.withdraw"))
    assert (event.actor_id, event.reason) == (maker.id, "Gagal panen")
    assert api.get(f"/products/{live_product.id}").status_code == 404
    assert api.get(f"/products/{live_product.id}", user=maker).json["allowed_actions"] == ["edit"]
    again = api.post(f"/products/{live_product.id}/withdraw", {}, user=maker)
    assert again.status_code == 409 and "withdrawn" in error_of(again)["message"]


def test_withdraw_a_draft_is_409_and_needs_a_json_body(api, maker, draft_product, live_product) -> None:
    assert api.post(f"/products/{draft_product.id}/withdraw", {}, user=maker).status_code == 409
    assert api.post(f"/products/{live_product.id}/withdraw", user=maker).status_code == 415
    assert api.post(f"/products/{live_product.id}/withdraw", {}, user=seller()).status_code == 404
    assert live_product.status == "active"


def test_a_withdrawn_product_comes_back_through_review(api, db, maker, manager, live_product) -> None:
    api.post(f"/products/{live_product.id}/withdraw", {}, user=maker)
    data = api.patch(f"/products/{live_product.id}", {"stock": 60, "submit": True}, user=maker).json
    assert (data["status"], data["latest_revision"]["status"]) == ("withdrawn", "submitted")
    assert api.get(f"/products/{live_product.id}").status_code == 404  # not on sale until approved
    revision_id = data["latest_revision"]["id"]
    assert api.post(f"/reviews/{revision_id}/approve", user=manager).status_code == 200
    public = api.get(f"/products/{live_product.id}").json
    assert (public["status"], public["stock"], public["live"]["stock"]) == ("active", 60, 60)
    assert db.session.get(CatalogEntry, live_product.id) is not None
