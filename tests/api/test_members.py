"""Members of a cooperative through the API: list, show and decide, scoped to the manager's own cooperative."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from tests.api.conftest import error_of
from tests.factories import CooperativeFactory, seller, user_with_role

REASON = "Data NIB tidak sesuai dengan OSS."


@pytest.fixture
def cooperative():
    return CooperativeFactory()


@pytest.fixture
def manager(cooperative):
    return user_with_role("coop_manager", cooperative=cooperative)


def member_url(membership, action: str = "") -> str:
    base = f"/cooperatives/{membership.cooperative_id}/members/{membership.id}"
    return f"{base}/{action}" if action else base


def test_list_members_filters_and_searches(api, cooperative, manager) -> None:
    first = seller(cooperative, status="pending", full_name="Ani Pertama")
    second = seller(cooperative, status="pending", full_name="Budi Kedua")
    seller(cooperative, status="active", full_name="Citra Aktif")
    seller(CooperativeFactory(), status="pending", full_name="Dewi Lain")
    pending = api.get(f"/cooperatives/{cooperative.id}/members?status=pending", user=manager).json
    assert pending["total"] == 2
    assert [item["id"] for item in pending["items"]] == [first.membership.id, second.membership.id]
    assert pending["items"][0]["allowed_actions"] == ["approve", "reject"]
    assert pending["items"][0]["seller_profile"]["nib"] == first.seller_profile.nib
    found = api.get(f"/cooperatives/{cooperative.id}/members?search=citra", user=manager).json
    assert [item["user"]["full_name"] for item in found["items"]] == ["Citra Aktif"]
    everyone = api.get(f"/cooperatives/{cooperative.id}/members?status=&per_page=1", user=manager).json
    assert everyone["total"] == 3 and len(everyone["items"]) == 1


def test_unknown_status_is_422(api, cooperative, manager) -> None:
    response = api.get(f"/cooperatives/{cooperative.id}/members?status=banned", user=manager)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"status"}


def test_another_cooperatives_members_are_404(api, manager) -> None:
    other = CooperativeFactory()
    outsider = seller(other, status="pending")
    assert api.get(f"/cooperatives/{other.id}/members", user=manager).status_code == 404
    assert api.get(member_url(outsider.membership), user=manager).status_code == 404
    response = api.post(member_url(outsider.membership, "approve"), user=manager)
    assert response.status_code == 404
    assert outsider.membership.status == "pending"


def test_membership_must_belong_to_the_cooperative_in_the_url(api, cooperative) -> None:
    operator = user_with_role("operator")
    member = seller(CooperativeFactory(), status="pending")
    assert api.get(f"/cooperatives/{cooperative.id}/members/{member.membership.id}", user=operator).status_code == 404
    assert api.get(member_url(member.membership), user=operator).status_code == 200


def test_show_member(api, cooperative, manager) -> None:
    member = seller(cooperative, status="pending")
    body = api.get(member_url(member.membership), user=manager).json
    assert body["status"] == "pending"
    assert body["user"]["email"] == member.email
    assert body["seller_profile"]["business_name"] == member.seller_profile.business_name
    assert body["decided_by"] is None


def test_approve_member(api, db, mailbox, cooperative, manager) -> None:
    member = seller(cooperative, status="pending")
    response = api.post(member_url(member.membership, "approve"), user=manager)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "active"
    assert response.json["decided_by"]["id"] == manager.id
    assert response.json["allowed_actions"] == ["suspend"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "membership.approve"))
    assert event.actor_id == manager.id and event.after["status"] == "active"
    assert len(mailbox.to(member.email)) == 1


def test_reject_member_needs_a_reason(api, cooperative, manager) -> None:
    member = seller(cooperative, status="pending")
    missing = api.post(member_url(member.membership, "reject"), {}, user=manager)
    assert error_of(missing)["fields"] == {"reason": "Wajib diisi."}  # "This field is required."
    short = api.post(member_url(member.membership, "reject"), {"reason": "singkat"}, user=manager)
    assert short.status_code == 422 and set(error_of(short)["fields"]) == {"reason"}
    assert member.membership.status == "pending"
    done = api.post(member_url(member.membership, "reject"), {"reason": REASON}, user=manager)
    assert done.status_code == 200
    assert done.json["status"] == "rejected" and done.json["status_reason"] == REASON


def test_suspend_and_reactivate_member(api, db, cooperative, manager) -> None:
    member = seller(cooperative, status="active")
    suspended = api.post(member_url(member.membership, "suspend"), {"reason": REASON}, user=manager)
    assert suspended.json["status"] == "suspended"
    reactivated = api.post(member_url(member.membership, "reactivate"), user=manager)
    assert reactivated.json["status"] == "active"
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "membership")).all()
    assert actions == ["membership.suspend", "membership.reactivate"]


@pytest.mark.parametrize(
    ("status", "action"),
    [("active", "approve"), ("rejected", "approve"), ("pending", "suspend"), ("pending", "reactivate")],
)
def test_illegal_moves_are_409(api, cooperative, manager, status: str, action: str) -> None:
    member = seller(cooperative, status=status)
    body = {"reason": REASON} if action in {"reject", "suspend"} else None
    response = api.post(member_url(member.membership, action), body, user=manager)
    assert response.status_code == 409
    assert error_of(response)["code"] == "illegal_transition"
    assert member.membership.status == status


def test_closed_cooperative_cannot_approve(api, cooperative, manager, db) -> None:
    member = seller(cooperative, status="pending")
    cooperative.is_active = False
    db.session.flush()
    response = api.post(member_url(member.membership, "approve"), user=manager)
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"


def test_operator_decides_in_any_cooperative(api, cooperative) -> None:
    member = seller(cooperative, status="pending")
    response = api.post(member_url(member.membership, "approve"), user=user_with_role("operator"))
    assert response.json["status"] == "active"


@pytest.mark.parametrize("role", ["seller", "pp", "ppk", "bendahara"])
def test_other_roles_get_403(api, cooperative, role: str) -> None:
    member = seller(cooperative, status="pending")
    user = member if role == "seller" else user_with_role(role)
    assert api.get(f"/cooperatives/{cooperative.id}/members", user=user).status_code == 403
    assert api.post(member_url(member.membership, "approve"), user=user).status_code == 403
