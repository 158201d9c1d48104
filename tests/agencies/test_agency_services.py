"""Agencies: create, update, search, visibility; every rule and its audit event."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.agencies import services
from marketplace.agencies.models import Agency
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from tests.factories import AgencyFactory, user_with_role


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def agency_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Agency))


def test_create_agency_cleans_saves_and_audits(operator) -> None:
    agency = services.create_agency(
        actor=operator, name="  Pemerintah   Kota Mojokerto ", kind="pemda_kota", region_code="35.76"
    )

    assert agency.id is not None
    assert agency.name == "Pemerintah Kota Mojokerto"
    [event] = events("agency.create")
    assert (event.actor_id, event.subject_type, event.subject_id) == (operator.id, "agency", agency.id)
    assert event.after == {"name": "Pemerintah Kota Mojokerto", "kind": "pemda_kota", "region_code": "35.76"}


@pytest.mark.parametrize(
    ("kind", "region_code"),
    [
        ("pemda_provinsi", "35"),
        ("pemda_kabupaten", "35.16"),
        ("pemda_kota", "35.76"),
        ("kementerian", "31"),
        ("lembaga", "35.78"),
    ],
)
def test_each_kind_with_a_matching_region_is_accepted(operator, kind: str, region_code: str) -> None:
    agency = services.create_agency(actor=operator, name=f"Instansi {kind}", kind=kind, region_code=region_code)

    assert (agency.kind, agency.region_code) == (kind, region_code)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "pemerintah kota uji"}, "name"),  # taken, whatever the case
        ({"kind": "desa"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"region_code": "99.99"}, "region_code"),
        ({"region_code": ""}, "region_code"),
        ({"region_code": "35.76.02"}, "region_code"),  # a kecamatan: too deep
        ({"kind": "pemda_kota", "region_code": "35.16"}, "region_code"),  # a kabupaten for a city
        ({"kind": "pemda_kabupaten", "region_code": "35.76"}, "region_code"),
        ({"kind": "pemda_provinsi", "region_code": "35.76"}, "region_code"),
        ({"kind": "pemda_kota", "region_code": "35"}, "region_code"),
    ],
)
def test_create_agency_rejects_bad_input_and_saves_nothing(operator, values: dict, field: str) -> None:
    AgencyFactory(name="Pemerintah Kota Uji")
    before = agency_count()
    data = {"name": "Pemerintah Kota Baru", "kind": "pemda_kota", "region_code": "35.76", **values}

    with pytest.raises(ValidationFailed) as caught:
        services.create_agency(actor=operator, **data)

    assert field in caught.value.fields
    assert agency_count() == before
    assert events("agency.create") == []


def test_create_agency_reports_every_bad_field_at_once(operator) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.create_agency(actor=operator, name="", kind="desa", region_code="nowhere")

    assert set(caught.value.fields) == {"name", "kind", "region_code"}


@pytest.mark.parametrize("role", ["pp", "ppk", "bendahara", "seller", "coop_manager"])
def test_only_operators_create_agencies(db, role: str) -> None:
    with pytest.raises(Forbidden):
        services.create_agency(actor=user_with_role(role), name="Pemkot X", kind="pemda_kota", region_code="35.76")


def test_update_agency_audits_only_changed_fields(operator, agency) -> None:
    services.update_agency(
        actor=operator, agency=agency, data={"name": "Pemkot Mojokerto", "kind": "pemda_kota", "region_code": "35.76"}
    )

    assert agency.name == "Pemkot Mojokerto"
    [event] = events("agency.update")
    assert event.before == {"name": "Pemerintah Kota Mojokerto"}
    assert event.after == {"name": "Pemkot Mojokerto"}
    assert event.actor_id == operator.id


def test_update_agency_without_changes_records_nothing(operator, agency) -> None:
    services.update_agency(actor=operator, agency=agency, data={"name": agency.name})

    assert events("agency.update") == []


def test_update_agency_may_keep_its_own_name_in_another_case(operator, agency) -> None:
    services.update_agency(actor=operator, agency=agency, data={"name": "PEMERINTAH KOTA MOJOKERTO"})

    assert agency.name == "PEMERINTAH KOTA MOJOKERTO"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "Pemerintah Kabupaten Mojokerto"}, "name"),
        ({"region_code": "35.16"}, "region_code"),
        ({"kind": "kabupaten"}, "kind"),
        ({"id": 5}, "id"),
    ],
)
def test_update_agency_rejects_bad_input_and_changes_nothing(
    operator, agency, other_agency, data: dict, field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.update_agency(actor=operator, agency=agency, data=data)

    assert field in caught.value.fields
    db.session.refresh(agency)
    assert (agency.name, agency.kind, agency.region_code) == ("Pemerintah Kota Mojokerto", "pemda_kota", "35.76")
    assert events("agency.update") == []


def test_a_pemda_cannot_move_away_from_its_work_units(operator, agency, work_unit) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.update_agency(actor=operator, agency=agency, data={"kind": "pemda_kabupaten", "region_code": "35.16"})

    assert "region_code" in caught.value.fields
    assert agency.region_code == "35.76"


def test_a_city_may_become_its_province_around_its_units(operator, agency, work_unit) -> None:
    services.update_agency(actor=operator, agency=agency, data={"kind": "pemda_provinsi", "region_code": "35"})

    assert agency.region_code == "35"


def test_update_agency_kind_and_region_together(operator, agency) -> None:
    services.update_agency(actor=operator, agency=agency, data={"kind": "pemda_provinsi", "region_code": "35"})

    assert (agency.kind, agency.region_code) == ("pemda_provinsi", "35")


def test_agencies_query_searches_names_and_escapes_wildcards(agency, other_agency) -> None:
    AgencyFactory(name="Badan 100% Uji")

    def names(search: str | None) -> list[str]:
        return [a.name for a in db.session.scalars(services.agencies_query(search=search))]

    assert names("kota mojo") == ["Pemerintah Kota Mojokerto"]
    assert names("MOJOKERTO") == ["Pemerintah Kabupaten Mojokerto", "Pemerintah Kota Mojokerto"]
    assert names("100%") == ["Badan 100% Uji"]
    assert names("%") == ["Badan 100% Uji"]
    assert len(names(None)) == 3


def test_visible_agency_for_operator_and_own_buyer(operator, agency, other_agency, pp) -> None:
    assert services.visible_agency(actor=operator, agency_id=other_agency.id) is other_agency
    assert services.visible_agency(actor=pp, agency_id=agency.id) is agency
    with pytest.raises(NotFound):
        services.visible_agency(actor=pp, agency_id=other_agency.id)
    with pytest.raises(NotFound):
        services.visible_agency(actor=operator, agency_id=999_999)


@pytest.mark.parametrize("role", ["seller", "coop_manager"])
def test_visible_agency_hides_agencies_from_non_buyers(agency, role: str) -> None:
    with pytest.raises(NotFound):
        services.visible_agency(actor=user_with_role(role), agency_id=agency.id)
