"""Work units: create, update, visibility, members; every rule and its audit event."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.agencies import services
from marketplace.agencies.models import WorkUnit
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from tests.factories import AgencyFactory, WorkUnitFactory, user_with_role
from tests.support.identifiers import make_npwp

NPWP = make_npwp(42)


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def unit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(WorkUnit))


def valid(**overrides) -> dict:
    return {
        "name": "Dinas Kesehatan",
        "short_code": "dinkes",
        "kode_satker": "351010",
        "npwp": NPWP,
        "address": "Jl. Gajah Mada 100",
        "region_code": "35.76",
        **overrides,
    }


def test_create_work_unit_cleans_saves_and_audits(operator, agency) -> None:
    dotted_npwp = f"{NPWP[:2]}.{NPWP[2:5]}.{NPWP[5:8]}.{NPWP[8]}-{NPWP[9:12]}.{NPWP[12:]}"
    unit = services.create_work_unit(
        actor=operator,
        agency=agency,
        **valid(name=" Dinas  Kesehatan ", short_code=" DinKes ", kode_satker="351 010", npwp=dotted_npwp),
    )

    assert (unit.agency_id, unit.name, unit.short_code, unit.kode_satker) == (
        agency.id,
        "Dinas Kesehatan",
        "dinkes",
        "351010",
    )
    assert unit.npwp == NPWP
    [event] = events("work_unit.create")
    assert (event.actor_id, event.subject_id) == (operator.id, unit.id)
    assert event.after["agency_id"] == agency.id
    assert event.after["kode_satker"] == "351010"


def test_optional_fields_may_be_empty(operator, agency) -> None:
    unit = services.create_work_unit(actor=operator, agency=agency, **valid(npwp="", address="  "))

    assert (unit.npwp, unit.address) == (None, None)


def test_legacy_15_digit_npwp_is_stored_with_16_digits(operator, agency) -> None:
    unit = services.create_work_unit(actor=operator, agency=agency, **valid(npwp=NPWP[1:]))

    assert unit.npwp == NPWP


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"short_code": ""}, "short_code"),
        ({"short_code": "dinas sosial"}, "short_code"),
        ({"short_code": "-dinkes"}, "short_code"),
        ({"short_code": "din_kes"}, "short_code"),
        ({"short_code": "a" * 31}, "short_code"),
        ({"short_code": "dinsos"}, "short_code"),  # taken in this agency
        ({"kode_satker": ""}, "kode_satker"),
        ({"kode_satker": "35A010"}, "kode_satker"),
        ({"kode_satker": "1" * 21}, "kode_satker"),
        ({"kode_satker": "351001"}, "kode_satker"),  # taken
        ({"npwp": "1234"}, "npwp"),
        ({"npwp": "1" * 17}, "npwp"),
        ({"address": "x" * 501}, "address"),
        ({"region_code": "35.99"}, "region_code"),
        ({"region_code": ""}, "region_code"),
        ({"region_code": "35.16"}, "region_code"),  # Kabupaten Mojokerto is outside Kota Mojokerto
        ({"region_code": "35"}, "region_code"),  # the province is wider than the city
    ],
)
def test_create_work_unit_rejects_bad_input_and_saves_nothing(
    operator, agency, work_unit, overrides: dict, field: str
) -> None:
    before = unit_count()

    with pytest.raises(ValidationFailed) as caught:
        services.create_work_unit(actor=operator, agency=agency, **valid(**overrides))

    assert field in caught.value.fields
    assert unit_count() == before
    assert events("work_unit.create") == []


def test_a_npwp_with_a_wrong_check_digit_is_refused(operator, agency) -> None:
    wrong = NPWP[:9] + str((int(NPWP[9]) + 1) % 10) + NPWP[10:]  # the Luhn check digit, changed

    with pytest.raises(ValidationFailed) as caught:
        services.create_work_unit(actor=operator, agency=agency, **valid(npwp=wrong))

    assert "npwp" in caught.value.fields


def test_short_code_is_unique_per_agency_only(operator, agency, work_unit, other_agency) -> None:
    unit = services.create_work_unit(
        actor=operator, agency=other_agency, **valid(short_code="dinsos", region_code="35.16.01")
    )

    assert unit.short_code == work_unit.short_code


def test_kode_satker_is_unique_across_agencies(operator, work_unit, other_agency) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.create_work_unit(
            actor=operator, agency=other_agency, **valid(kode_satker="351001", region_code="35.16")
        )

    assert set(caught.value.fields) == {"kode_satker"}


def test_pemda_units_lie_in_the_pemda_region_ministry_units_anywhere(operator, agency) -> None:
    inside = services.create_work_unit(actor=operator, agency=agency, **valid(region_code="35.76.02.1001"))
    ministry = AgencyFactory(name="Kementerian Sosial", kind="kementerian", region_code="31")
    anywhere = services.create_work_unit(
        actor=operator, agency=ministry, **valid(short_code="upt", kode_satker="027001", region_code="35.16")
    )

    assert inside.region_code == "35.76.02.1001"
    assert anywhere.region_code == "35.16"


@pytest.mark.parametrize("role", ["pp", "ppk", "bendahara", "seller", "coop_manager"])
def test_only_operators_create_and_update_work_units(agency, work_unit, role: str) -> None:
    actor = user_with_role(role, work_unit=work_unit) if role in ("pp", "ppk", "bendahara") else user_with_role(role)

    with pytest.raises(Forbidden):
        services.create_work_unit(actor=actor, agency=agency, **valid())
    with pytest.raises(Forbidden):
        services.update_work_unit(actor=actor, work_unit=work_unit, data={"name": "Dinas Baru"})


def test_update_work_unit_audits_only_changed_fields(operator, work_unit) -> None:
    services.update_work_unit(
        actor=operator,
        work_unit=work_unit,
        data={"name": "Dinas Sosial P3A", "kode_satker": "351001", "address": "Jl. Benteng Pancasila"},
    )

    assert work_unit.name == "Dinas Sosial P3A"
    [event] = events("work_unit.update")
    assert event.before == {"name": "Dinas Sosial", "address": None}
    assert event.after == {"name": "Dinas Sosial P3A", "address": "Jl. Benteng Pancasila"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kode_satker": "351002"}, "kode_satker"),
        ({"short_code": "dindik"}, "short_code"),
        ({"region_code": "35.16"}, "region_code"),
        ({"npwp": "123"}, "npwp"),
        ({"agency_id": 1}, "agency_id"),
    ],
)
def test_update_work_unit_rejects_bad_input_and_changes_nothing(
    operator, work_unit, other_work_unit, data: dict, field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.update_work_unit(actor=operator, work_unit=work_unit, data=data)

    assert field in caught.value.fields
    db.session.refresh(work_unit)
    assert (work_unit.short_code, work_unit.kode_satker, work_unit.region_code) == ("dinsos", "351001", "35.76")
    assert events("work_unit.update") == []


def test_visible_work_unit_operator_any_buyer_own_only(operator, work_unit, other_work_unit, pp) -> None:
    assert services.visible_work_unit(actor=operator, work_unit_id=other_work_unit.id) is other_work_unit
    assert services.visible_work_unit(actor=pp, work_unit_id=work_unit.id) is work_unit
    with pytest.raises(NotFound):
        services.visible_work_unit(actor=pp, work_unit_id=other_work_unit.id)
    with pytest.raises(NotFound):
        services.visible_work_unit(actor=operator, work_unit_id=999_999)


@pytest.mark.parametrize("role", ["seller", "coop_manager"])
def test_visible_work_unit_hides_units_from_non_buyers(work_unit, role: str) -> None:
    with pytest.raises(NotFound):
        services.visible_work_unit(actor=user_with_role(role), work_unit_id=work_unit.id)


def test_work_unit_members_are_the_unit_people_by_name(work_unit, other_work_unit) -> None:
    zed = user_with_role("ppk", work_unit=work_unit, full_name="Zainal PPK")
    ani = user_with_role("bendahara", work_unit=work_unit, full_name="Ani Bendahara")
    user_with_role("pp", work_unit=other_work_unit, full_name="Budi Lain")
    WorkUnitFactory(agency=work_unit.agency)

    assert services.work_unit_members(work_unit_id=work_unit.id) == [ani, zed]
