"""/me: the signed-in user, their organisation, account edits and the seller's business profile."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from tests.api.conftest import error_of
from tests.factories import CooperativeFactory, WorkUnitFactory, seller, user_with_role
from tests.support.identifiers import make_nik, make_npwp


def test_seller_sees_membership_and_business_profile(api) -> None:
    cooperative = CooperativeFactory(name="KKMP Gununggedangan")
    user = seller(cooperative, status="pending")
    body = api.get("/me", user=user).json
    assert body["roles"] == ["seller"]
    assert body["membership"]["status"] == "pending"
    assert body["membership"]["cooperative"] == {
        "id": cooperative.id,
        "code": cooperative.code,
        "name": cooperative.name,
    }
    profile = body["seller_profile"]
    assert profile["nib"] == user.seller_profile.nib
    assert profile["region_name"].startswith("Gununggedangan")
    assert profile["bank"] is None
    assert body["work_unit"] is None and body["managed_cooperative"] is None
    assert "password_hash" not in body


def test_manager_and_buyer_see_their_organisation(api) -> None:
    cooperative = CooperativeFactory()
    manager = user_with_role("coop_manager", cooperative=cooperative)
    assert api.get("/me", user=manager).json["managed_cooperative"]["id"] == cooperative.id

    unit = WorkUnitFactory(name="Dinas Sosial")
    buyer = user_with_role("ppk", work_unit=unit)
    body = api.get("/me", user=buyer).json
    assert body["work_unit"]["name"] == "Dinas Sosial"
    assert body["work_unit"]["agency"] == {"id": unit.agency.id, "name": unit.agency.name}
    assert body["membership"] is None and body["seller_profile"] is None


def test_patch_me_changes_only_the_given_fields_and_audits(api, db) -> None:
    user = user_with_role("pp", full_name="Budi Santoso")
    user.phone = "+6281234567890"
    db.session.flush()
    response = api.patch("/me", {"locale": "en"}, user=user)
    assert response.status_code == 200
    assert response.json["locale"] == "en"
    assert response.json["full_name"] == "Budi Santoso"
    assert response.json["phone"] == "+6281234567890"
    assert response.headers["Content-Language"] == "id"  # chosen before the change
    assert api.get("/me", user=user).headers["Content-Language"] == "en"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update"))
    assert event.before == {"locale": "id"} and event.after == {"locale": "en"}


def test_patch_me_normalises_phone_and_rejects_bad_values(api) -> None:
    user = user_with_role("pp")
    assert api.patch("/me", {"phone": "0812-3456-7890"}, user=user).json["phone"] == "+6281234567890"
    response = api.patch("/me", {"phone": "12", "full_name": "", "locale": "fr"}, user=user)
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert set(fields) == {"phone", "full_name", "locale"}
    assert "'id'" in fields["locale"] and "'en'" in fields["locale"]


def test_a_seller_must_keep_a_phone_number(api, db) -> None:
    user = seller()
    user.phone = "+6281234567890"
    db.session.flush()
    response = api.patch("/me", {"phone": None}, user=user)
    assert response.status_code == 422
    assert "phone" in error_of(response)["fields"]
    db.session.refresh(user)
    assert user.phone == "+6281234567890"


def test_full_name_cannot_be_null(api) -> None:
    response = api.patch("/me", {"full_name": None}, user=user_with_role("pp"))
    assert error_of(response)["fields"] == {"full_name": "Kolom ini tidak boleh null."}  # "This field cannot be null."


def test_patch_business_changes_fields_and_audits(api, db) -> None:
    user = seller()
    npwp = make_npwp(4242)
    body = {
        "npwp": npwp[:2] + "." + npwp[2:],
        "kbli_codes": ["10793", "47111", "10793"],
        "bank": {"name": "BRI", "account_number": "0123-4567-89", "account_name": "Budi"},
    }
    response = api.patch("/me/business", body, user=user)
    assert response.status_code == 200, response.json
    profile = response.json
    assert profile["npwp"] == npwp
    assert profile["kbli_codes"] == ["10793", "47111"]
    assert profile["bank"] == {"name": "BRI", "account_number": "0123456789", "account_name": "Budi"}
    assert profile["business_name"] == user.seller_profile.business_name
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "seller_profile.update"))
    assert event.after["npwp"] == npwp and "nib" not in event.after

    removed = api.patch("/me/business", {"bank": None}, user=user)
    assert removed.json["bank"] is None
    assert user.seller_profile.bank_account_number is None


def test_patch_business_reports_every_bad_identifier_and_saves_nothing(api, db) -> None:
    user = seller()
    before = (user.seller_profile.nib, user.seller_profile.region_code)
    body = {
        "nib": "12345",
        "npwp": "0010010008613000",
        "nik": make_nik(3)[:-1] + "x",
        "region_code": "35.76.02",
        "kbli_codes": ["1079"],
        "skala_usaha": "besar",
        "business_name": "UD Baru",
    }
    response = api.patch("/me/business", body, user=user)
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert set(fields) == {"nib", "npwp", "nik", "region_code", "kbli_codes", "skala_usaha"}
    assert fields["nib"] == "NIB harus 13 digit."
    assert fields["kbli_codes"] == "Kode KBLI terdiri dari 5 digit, misalnya 10793."
    db.session.refresh(user.seller_profile)
    assert (user.seller_profile.nib, user.seller_profile.region_code) == before
    assert user.seller_profile.business_name != "UD Baru"


def test_bank_errors_from_the_service_use_api_field_paths(api) -> None:
    user = seller()
    body = {"bank": {"name": "BRI", "account_number": "12ab", "account_name": "Budi"}}
    response = api.patch("/me/business", body, user=user)
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["bank.account_number"]


def test_business_profile_is_for_sellers_only(api) -> None:
    response = api.patch("/me/business", {"nib": "1234567890123"}, user=user_with_role("coop_manager"))
    assert response.status_code == 403
