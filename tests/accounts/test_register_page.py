"""The registration page /daftar."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.cooperatives.models import Membership
from tests.accounts.helpers import field_error, find_user, registration_form, user_count
from tests.factories import CooperativeFactory, UserFactory, seller


def test_page_lists_active_cooperatives_by_name_with_their_place(client, cooperative) -> None:
    CooperativeFactory(name="KKMP Blooto", region_code="35.76.01.1008")
    CooperativeFactory(name="KKMP Tutup", is_active=False)

    page = client.get("/daftar")

    assert page.status_code == 200
    options = re.findall(r'<option[^>]*value="(\d*)"[^>]*>([^<]*)</option>', page.text.split('id="cooperative_id"')[1])
    labels = [label for value, label in options if value]
    assert labels[0] == "KKMP Blooto — Blooto, Kota Mojokerto"
    assert labels[1] == "KKMP Gununggedangan — Gununggedangan, Kota Mojokerto"
    assert len(labels) == 2
    for name in ("email", "full_name", "phone", "password", "password_confirm", "business_name", "nib", "npwp"):
        assert f'name="{name}"' in page.text
    for name in ("nik", "skala_usaha", "kbli_codes", "address", "region_code", "bank_name", "bank_account_number"):
        assert f'name="{name}"' in page.text
    assert "data-region-picker" in page.text and 'data-levels="4"' in page.text


def test_page_explains_when_no_cooperative_accepts_members(client, db) -> None:
    page = client.get("/daftar")
    assert "No cooperative accepts new members yet" in page.text


def test_registering_signs_in_and_shows_the_pending_membership(client, cooperative) -> None:
    response = client.post_form("/daftar", registration_form(cooperative.id))

    assert response.status_code == 302
    assert response.headers["Location"] == "/profil"
    user = find_user("sri.wahyuni@tempe-sri.co.id")
    assert user.roles == {Role.SELLER}
    assert user.membership.status == "pending"
    assert user.locale == "en"  # the language the person registered in
    profile = client.get("/profil")
    assert profile.status_code == 200
    assert "Your application was sent to KKMP Gununggedangan." in profile.text
    assert "waiting for approval by KKMP Gununggedangan" in profile.text
    assert "UD Tempe Bu Sri" in profile.text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "sri@"}, "email", "Enter a valid email address, e.g. nama@contoh.co.id."),
        ({"email": "Budi@Contoh.co.id"}, "email", "This email address is already registered."),
        ({"phone": "021"}, "phone", "Enter an Indonesian phone number, e.g. 0812 3456 7890."),
        (
            {"password": "pendek", "password_confirm": "pendek"},
            "password",
            "The password needs at least 10 characters.",
        ),
        ({"password_confirm": "lain sama sekali"}, "password_confirm", "The two passwords do not match."),
        ({"cooperative_id": ""}, "cooperative_id", "Choose your cooperative."),
        ({"cooperative_id": "999999"}, "cooperative_id", "Choose an active cooperative from the list."),
        ({"business_name": "U" * 201}, "business_name", "Use at most 200 characters."),
        ({"nib": "12345"}, "nib", "NIB must be 13 digits."),
        (
            {"npwp": "0010000058613000"},
            "npwp",
            "This NPWP is not valid: its check digit or NIK part does not match.",
        ),
        ({"nik": "3576023205900001"}, "nik", "This NIK is not valid: its region code or birth date is wrong."),
        ({"skala_usaha": ""}, "skala_usaha", "This field is required."),
        ({"kbli_codes": "10793, 4711"}, "kbli_codes", "A KBLI code has 5 digits, e.g. 10793."),
        ({"address": "A" * 501}, "address", "Use at most 500 characters."),
        ({"region_code": "99.99.99.9999"}, "region_code", "Unknown region code. Choose the region from the list."),
        ({"region_code": ""}, "region_code", "Choose the kelurahan/desa of the address."),
        (
            {"bank_account_name": ""},
            "bank_account_name",
            "Fill in all three bank fields, or leave all of them empty.",
        ),
        ({"bank_account_number": "rek-abc"}, "bank_account_number", "A bank account number has 5 to 20 digits."),
    ],
)
def test_each_bad_field_is_shown_next_to_it_and_nothing_is_saved(client, cooperative, overrides, field, message):
    UserFactory(email="budi@contoh.co.id")
    before = user_count()

    page = client.post_form("/daftar", registration_form(cooperative.id, **overrides))

    assert page.status_code == 422
    assert field_error(page.text, field) == message
    assert "Please correct the fields marked below." in page.text
    assert user_count() == before
    assert client.get("/profil").status_code == 302  # not signed in


def test_form_keeps_what_was_typed_except_passwords(client, cooperative) -> None:
    page = client.post_form("/daftar", registration_form(cooperative.id, nib="12", kbli_codes="10793 47111"))
    assert 'value="UD Tempe Bu Sri"' in page.text
    assert 'value="10793, 47111"' in page.text  # cleaned list shown as typed text
    assert 'value="35.76.02.1001"' in page.text
    assert f'<option selected value="{cooperative.id}">' in page.text
    assert "gula aren" not in page.text


def test_missing_csrf_token_is_refused(client, cooperative) -> None:
    before = user_count()
    response = client.post("/daftar", data=registration_form(cooperative.id))
    assert response.status_code == 400
    assert "The form expired" in response.text
    assert user_count() == before


def test_signed_in_person_is_sent_to_the_profile(client) -> None:
    client.login(seller())
    assert client.get("/daftar").headers["Location"] == "/profil"
    assert client.post_form("/daftar", {}).headers["Location"] == "/profil"


def test_registration_works_in_indonesian(client, db, cooperative) -> None:
    with client.session_transaction() as session:
        session.pop("lang")
    page = client.get("/daftar")
    assert '<html lang="id">' in page.text
    invalid = client.post_form("/daftar", registration_form(cooperative.id, business_name=""))
    assert field_error(invalid.text, "business_name") == "Wajib diisi."  # WTForms' own message, in Indonesian
    response = client.post_form("/daftar", registration_form(cooperative.id))
    assert response.status_code == 302
    assert find_user("sri.wahyuni@tempe-sri.co.id").locale == "id"
    assert db.session.scalar(select(func.count(Membership.id))) == 1
