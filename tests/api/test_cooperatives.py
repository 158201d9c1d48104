"""Cooperatives through the API: list, create, view, edit and rotate the datafeed key, with their access rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import AuditEvent
from tests.api.conftest import error_of
from tests.factories import CooperativeFactory, user_with_role
from tests.support.identifiers import make_npwp


def test_any_signed_in_user_lists_active_cooperatives(api) -> None:
    open_one = CooperativeFactory(name="KKMP Balongsari")
    CooperativeFactory(name="KKMP Tutup", is_active=False)
    response = api.get("/cooperatives?search=kkmp", user=user_with_role("pp"))
    assert response.status_code == 200
    names = [item["name"] for item in response.json["items"]]
    assert names == ["KKMP Balongsari"]
    item = response.json["items"][0]
    assert item["id"] == open_one.id and item["region_name"]
    assert "bank" not in item and "datafeed_key" not in item and "npwp" not in item


def test_operator_may_include_inactive_cooperatives(api) -> None:
    CooperativeFactory(name="KKMP Tutup", is_active=False)
    operator = user_with_role("operator")
    listed = api.get("/cooperatives?include_inactive=true&search=Tutup", user=operator).json
    assert [item["is_active"] for item in listed["items"]] == [False]
    response = api.get("/cooperatives?include_inactive=true", user=user_with_role("coop_manager"))
    assert response.status_code == 403


def create_body(**overrides) -> dict:
    body = {
        "name": "KKMP Wates Baru",
        "region_code": "35.76.02.1004",
        "npwp": make_npwp(777),
        "is_pkp": True,
        "bank": {"name": "Bank Jatim", "account_number": "0012345678", "account_name": "KKMP Wates Baru"},
        "manager": {"email": "pengurus.wates@example.test", "full_name": "Ibu Wates"},
    }
    body.update(overrides)
    return body


def test_operator_creates_a_cooperative_and_invites_its_manager(api, db, mailbox) -> None:
    operator = user_with_role("operator")
    response = api.post("/cooperatives", create_body(), user=operator)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["code"] == "kkmp-wates-baru"
    assert body["is_pkp"] is True
    assert body["bank"]["account_number"] == "0012345678"
    assert "datafeed_key" not in body
    cooperative = db.session.get(Cooperative, body["id"])
    assert cooperative.datafeed_key
    manager = db.session.scalar(select(User).where(User.email == "pengurus.wates@example.test"))
    assert manager.cooperative_id == cooperative.id and manager.has_role(Role.COOP_MANAGER)
    [message] = mailbox.to("pengurus.wates@example.test")
    assert "/atur-sandi/" in mailbox.body(message)


def test_create_cooperative_maps_service_errors_to_api_fields(api, db) -> None:
    operator = user_with_role("operator")
    taken = user_with_role("pp")
    body = create_body(manager={"email": taken.email, "full_name": "Someone"}, bank=None)
    response = api.post("/cooperatives", body, user=operator)
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["manager.email"]
    assert db.session.scalar(select(Cooperative).where(Cooperative.name == "KKMP Wates Baru")) is None


def test_create_cooperative_validates_the_body(api) -> None:
    response = api.post("/cooperatives", {"name": "", "region_code": "35.76"}, user=user_with_role("operator"))
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"name", "region_code", "manager"}


def test_only_operators_create_cooperatives(api) -> None:
    response = api.post("/cooperatives", create_body(), user=user_with_role("coop_manager"))
    assert response.status_code == 403


def test_manager_sees_own_cooperative_but_not_another(api) -> None:
    mine = CooperativeFactory()
    other = CooperativeFactory()
    manager = user_with_role("coop_manager", cooperative=mine)
    own = api.get(f"/cooperatives/{mine.id}", user=manager)
    assert own.status_code == 200
    assert own.json["npwp"] == mine.npwp and "datafeed_key" not in own.json
    for url in (f"/cooperatives/{other.id}", "/cooperatives/999999"):
        response = api.get(url, user=manager)
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("role", ["seller", "pp", "ppk", "bendahara"])
def test_other_roles_cannot_open_a_cooperative(api, role: str) -> None:
    cooperative = CooperativeFactory()
    user = user_with_role(role, **({"cooperative": cooperative} if role == "seller" else {}))
    assert api.get(f"/cooperatives/{cooperative.id}", user=user).status_code == 403


def test_operator_sees_any_cooperative(api) -> None:
    cooperative = CooperativeFactory()
    assert api.get(f"/cooperatives/{cooperative.id}", user=user_with_role("operator")).status_code == 200


def test_manager_edits_own_cooperative(api, db) -> None:
    cooperative = CooperativeFactory()
    manager = user_with_role("coop_manager", cooperative=cooperative)
    body = {
        "phone": "0321 321321",
        "is_pkp": True,
        "bank": {"name": "BRI", "account_number": "1234 5678", "account_name": "KKMP"},
    }
    response = api.patch(f"/cooperatives/{cooperative.id}", body, user=manager)
    assert response.status_code == 200, response.json
    assert response.json["is_pkp"] is True
    assert response.json["bank"] == {"name": "BRI", "account_number": "12345678", "account_name": "KKMP"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cooperative.update"))
    assert event.actor_id == manager.id
    assert set(event.after) == {"phone", "is_pkp", "bank_name", "bank_account_number", "bank_account_name"}


def test_manager_cannot_rename_or_edit_another_cooperative(api, db) -> None:
    cooperative = CooperativeFactory(name="KKMP Lama")
    manager = user_with_role("coop_manager", cooperative=cooperative)
    assert api.patch(f"/cooperatives/{cooperative.id}", {"name": "KKMP Baru"}, user=manager).status_code == 403
    other = CooperativeFactory()
    assert api.patch(f"/cooperatives/{other.id}", {"phone": "0321 321321"}, user=manager).status_code == 404
    db.session.refresh(cooperative)
    assert cooperative.name == "KKMP Lama"


def test_operator_renames_a_cooperative(api) -> None:
    cooperative = CooperativeFactory(name="KKMP Lama")
    response = api.patch(f"/cooperatives/{cooperative.id}", {"name": "KKMP Baru"}, user=user_with_role("operator"))
    assert response.json["name"] == "KKMP Baru"


def test_bad_identifiers_are_422_and_nothing_changes(api, db) -> None:
    cooperative = CooperativeFactory()
    manager = user_with_role("coop_manager", cooperative=cooperative)
    before = (cooperative.nib, cooperative.npwp, cooperative.region_code)
    body = {"nib": "12", "npwp": "0010010008613000", "region_code": "35.76", "email": "nope", "is_pkp": True}
    response = api.patch(f"/cooperatives/{cooperative.id}", body, user=manager)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"nib", "npwp", "region_code", "email"}
    db.session.refresh(cooperative)
    assert (cooperative.nib, cooperative.npwp, cooperative.region_code) == before
    assert cooperative.is_pkp is False


def test_rotate_datafeed_key(api, db) -> None:
    cooperative = CooperativeFactory()
    old_key = cooperative.datafeed_key
    manager = user_with_role("coop_manager", cooperative=cooperative)
    response = api.post(f"/cooperatives/{cooperative.id}/datafeed-key", user=manager)
    assert response.status_code == 200
    new_key = response.json["datafeed_key"]
    assert new_key != old_key and len(new_key) >= 40
    assert response.json["datafeed_key_rotated_at"]
    db.session.refresh(cooperative)
    assert cooperative.datafeed_key == new_key
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cooperative.datafeed_key_rotate"))
    assert new_key not in str(event.before) + str(event.after)


def test_rotating_another_cooperatives_key_is_404(api, db) -> None:
    other = CooperativeFactory()
    key = other.datafeed_key
    manager = user_with_role("coop_manager")
    assert api.post(f"/cooperatives/{other.id}/datafeed-key", user=manager).status_code == 404
    db.session.refresh(other)
    assert other.datafeed_key == key
