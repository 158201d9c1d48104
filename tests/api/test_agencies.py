"""Agencies, work units and buyer invitations through the API, with their access rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.agencies.models import Agency, WorkUnit
from marketplace.core.audit import AuditEvent
from tests.api.conftest import error_of
from tests.factories import AgencyFactory, WorkUnitFactory, user_with_role
from tests.support.identifiers import make_npwp


@pytest.fixture
def operator():
    return user_with_role("operator")


def test_operator_lists_and_searches_agencies(api, operator) -> None:
    AgencyFactory(name="Pemerintah Kota Mojokerto")
    AgencyFactory(name="Pemerintah Kabupaten Mojokerto", kind="pemda_kabupaten", region_code="35.16")
    AgencyFactory(name="Pemerintah Kota Surabaya", region_code="35.78")
    listed = api.get("/agencies?search=mojokerto", user=operator).json
    assert listed["total"] == 2
    assert {item["name"] for item in listed["items"]} == {"Pemerintah Kota Mojokerto", "Pemerintah Kabupaten Mojokerto"}
    assert listed["items"][0]["region_name"]


@pytest.mark.parametrize("role", ["seller", "coop_manager", "pp", "ppk", "bendahara"])
def test_only_operators_list_and_create_agencies(api, role: str) -> None:
    user = user_with_role(role)
    assert api.get("/agencies", user=user).status_code == 403
    body = {"name": "Pemerintah Kota Baru", "kind": "pemda_kota", "region_code": "35.76"}
    assert api.post("/agencies", body, user=user).status_code == 403


def test_create_agency(api, db, operator) -> None:
    body = {"name": "Pemerintah Kota Mojokerto", "kind": "pemda_kota", "region_code": "35.76"}
    response = api.post("/agencies", body, user=operator)
    assert response.status_code == 201
    assert response.json["kind"] == "pemda_kota"
    assert response.json["region_name"].startswith("Kota Mojokerto")
    assert db.session.get(Agency, response.json["id"]).name == "Pemerintah Kota Mojokerto"
    duplicate = api.post("/agencies", body, user=operator)
    assert duplicate.status_code == 422
    assert set(error_of(duplicate)["fields"]) == {"name"}


def test_create_agency_validation(api, operator) -> None:
    response = api.post("/agencies", {"name": "X", "kind": "desa", "region_code": "35.76.02"}, user=operator)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"kind"}  # the schema answers first, the service checks the rest
    wrong_level = api.post("/agencies", {"name": "X", "kind": "pemda_kota", "region_code": "35.76.02"}, user=operator)
    assert set(error_of(wrong_level)["fields"]) == {"region_code"}


def test_buyer_sees_own_agency_and_work_unit_only(api) -> None:
    unit = WorkUnitFactory()
    sibling = WorkUnitFactory(agency=unit.agency)
    other = WorkUnitFactory()
    buyer = user_with_role("pp", work_unit=unit)
    assert api.get(f"/agencies/{unit.agency_id}", user=buyer).status_code == 200
    assert api.get(f"/agencies/{other.agency_id}", user=buyer).status_code == 404
    assert api.get(f"/work-units/{unit.id}", user=buyer).json["kode_satker"] == unit.kode_satker
    assert api.get(f"/work-units/{sibling.id}", user=buyer).status_code == 404
    assert api.get(f"/work-units/{other.id}", user=buyer).status_code == 404
    listed = api.get(f"/agencies/{unit.agency_id}/work-units", user=buyer).json
    assert [item["id"] for item in listed["items"]] == [unit.id]


def test_operator_lists_every_work_unit_of_an_agency(api, operator) -> None:
    agency = AgencyFactory()
    units = [WorkUnitFactory(agency=agency, name=name) for name in ("Dinas Sosial", "Dinas Pendidikan")]
    listed = api.get(f"/agencies/{agency.id}/work-units", user=operator).json
    assert listed["total"] == 2
    assert [item["name"] for item in listed["items"]] == ["Dinas Pendidikan", "Dinas Sosial"]
    assert listed["items"][0]["agency"] == {"id": agency.id, "name": agency.name}
    assert {item["id"] for item in listed["items"]} == {unit.id for unit in units}


@pytest.mark.parametrize("role", ["seller", "coop_manager"])
def test_non_buyers_cannot_view_agencies(api, role: str) -> None:
    unit = WorkUnitFactory()
    user = user_with_role(role)
    assert api.get(f"/agencies/{unit.agency_id}", user=user).status_code == 403
    assert api.get(f"/work-units/{unit.id}", user=user).status_code == 403


def test_update_agency(api, db, operator) -> None:
    agency = AgencyFactory(name="Pemkot Mojokerto")
    response = api.patch(f"/agencies/{agency.id}", {"name": "Pemerintah Kota Mojokerto"}, user=operator)
    assert response.status_code == 200
    assert response.json["name"] == "Pemerintah Kota Mojokerto"
    assert response.json["kind"] == agency.kind
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agency.update"))
    assert event.before == {"name": "Pemkot Mojokerto"}
    assert api.patch("/agencies/999999", {"name": "X"}, user=operator).status_code == 404
    buyer = user_with_role("ppk")
    assert api.patch(f"/agencies/{buyer.work_unit.agency_id}", {"name": "X"}, user=buyer).status_code == 403


def test_create_work_unit(api, db, operator) -> None:
    agency = AgencyFactory(region_code="35.76")
    body = {
        "name": "Dinas Sosial",
        "short_code": "dinsos",
        "kode_satker": "357601",
        "npwp": make_npwp(5150),
        "region_code": "35.76",
    }
    response = api.post(f"/agencies/{agency.id}/work-units", body, user=operator)
    assert response.status_code == 201, response.json
    assert response.json["agency"]["id"] == agency.id
    assert db.session.get(WorkUnit, response.json["id"]).short_code == "dinsos"
    again = api.post(f"/agencies/{agency.id}/work-units", body, user=operator)
    assert again.status_code == 422
    assert set(error_of(again)["fields"]) == {"short_code", "kode_satker"}


def test_create_work_unit_in_unknown_agency_is_404(api, operator) -> None:
    body = {"name": "Dinas", "short_code": "dinas", "kode_satker": "1", "region_code": "35.76"}
    assert api.post("/agencies/999999/work-units", body, user=operator).status_code == 404


def test_update_work_unit(api, operator) -> None:
    unit = WorkUnitFactory(name="Dinsos")
    response = api.patch(
        f"/work-units/{unit.id}", {"name": "Dinas Sosial", "address": "Jl. Bhayangkara 1"}, user=operator
    )
    assert response.status_code == 200
    assert response.json["name"] == "Dinas Sosial" and response.json["address"] == "Jl. Bhayangkara 1"
    bad = api.patch(f"/work-units/{unit.id}", {"short_code": "Dinas Sosial!"}, user=operator)
    assert bad.status_code == 422 and set(error_of(bad)["fields"]) == {"short_code"}
    buyer = user_with_role("ppk", work_unit=unit)
    assert api.patch(f"/work-units/{unit.id}", {"name": "X"}, user=buyer).status_code == 403


def test_invite_buyer(api, db, mailbox, operator) -> None:
    unit = WorkUnitFactory()
    body = {"email": "Sri.Bendahara@Example.test", "full_name": "Sri Wahyuni", "roles": ["pp", "bendahara"]}
    response = api.post(f"/work-units/{unit.id}/buyers", body, user=operator)
    assert response.status_code == 201, response.json
    assert response.json["email"] == "sri.bendahara@example.test"
    assert response.json["roles"] == ["bendahara", "pp"]
    invited = db.session.scalar(select(User).where(User.email == "sri.bendahara@example.test"))
    assert invited.work_unit_id == unit.id and invited.password_hash is None
    assert invited.roles == {Role.PP, Role.BENDAHARA}
    [message] = mailbox.to("sri.bendahara@example.test")
    assert "/atur-sandi/" in mailbox.body(message)


def test_invite_buyer_validation(api, operator) -> None:
    unit = WorkUnitFactory()
    taken = user_with_role("pp")
    response = api.post(
        f"/work-units/{unit.id}/buyers", {"email": taken.email, "full_name": "X", "roles": ["ppk"]}, user=operator
    )
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"email"}
    empty = api.post(
        f"/work-units/{unit.id}/buyers", {"email": "a@example.test", "full_name": "X", "roles": []}, user=operator
    )
    assert set(error_of(empty)["fields"]) == {"roles"}
    seller_role = api.post(
        f"/work-units/{unit.id}/buyers",
        {"email": "a@example.test", "full_name": "X", "roles": ["seller"]},
        user=operator,
    )
    assert set(error_of(seller_role)["fields"]) == {"roles.0"}


def test_only_operators_invite_buyers(api) -> None:
    buyer = user_with_role("ppk")
    body = {"email": "baru@example.test", "full_name": "Baru", "roles": ["pp"]}
    assert api.post(f"/work-units/{buyer.work_unit_id}/buyers", body, user=buyer).status_code == 403
