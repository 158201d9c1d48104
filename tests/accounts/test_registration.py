"""register_seller: one commit creating the account, the UMKM profile and a pending membership."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from marketplace.accounts.models import Role, SellerProfile
from marketplace.accounts.services import register_seller
from marketplace.cooperatives.models import Membership
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db
from tests.accounts.helpers import STRONG_PASSWORD, events, find_user, link_in, registration_data, user_count
from tests.factories import CooperativeFactory, UserFactory, user_with_role
from tests.support.identifiers import make_npwp


def test_register_seller_creates_account_profile_and_pending_membership(cooperative, mailbox) -> None:
    user = register_seller(**registration_data(cooperative.id))

    assert user.email == "sri.wahyuni@tempe-sri.co.id"
    assert user.roles == {Role.SELLER}
    assert user.phone == "+6281234567890"
    assert user.locale == "id"
    assert user.password_hash.startswith("scrypt:")
    assert STRONG_PASSWORD not in user.password_hash
    profile = user.seller_profile
    assert profile.nib == "9120001234567"
    assert profile.npwp == make_npwp(77)  # the 15-digit form was stored as 16 digits
    assert profile.kbli_codes == ["10793", "47111"]
    assert profile.region_code == "35.76.02.1001"
    assert profile.bank_account_number == "0123456789"
    assert user.membership.cooperative_id == cooperative.id
    assert user.membership.status == "pending"
    [event] = events("user.register", user.id)
    assert event.actor_id == user.id
    assert event.after["cooperative_id"] == cooperative.id
    assert event.after["membership"] == "pending"


def test_register_seller_emails_the_cooperative_managers(cooperative, mailbox) -> None:
    manager = user_with_role(Role.COOP_MANAGER, cooperative=cooperative, email="pengurus@kkmp.id", locale="en")
    user_with_role(Role.COOP_MANAGER, cooperative=cooperative, email="nonaktif@kkmp.id", is_enabled=False)
    user_with_role(Role.COOP_MANAGER, email="lain@kkmp.id")  # manager of another cooperative

    register_seller(**registration_data(cooperative.id))

    assert [m["To"] for m in mailbox.messages] == [manager.email]
    [message] = mailbox.messages
    body = mailbox.body(message)
    assert "UD Tempe Bu Sri" in message["Subject"]
    assert "Sri Wahyuni" in body and "KKMP Gununggedangan" in body
    # Outside a request the link is built on PUBLIC_BASE_URL.
    assert link_in(body) == "http://127.0.0.1:5000/koperasi/anggota?status=pending"


def test_register_seller_without_managers_sends_no_email(cooperative, mailbox) -> None:
    register_seller(**registration_data(cooperative.id))
    assert mailbox.messages == []


BAD_INPUTS = [
    ("email", {"email": "sri@"}),
    ("email", {"email": ""}),
    ("email", {"email": "x" * 250 + "@a.id"}),
    ("full_name", {"full_name": "  "}),
    ("full_name", {"full_name": "S" * 121}),
    ("phone", {"phone": "12345"}),
    ("phone", {"phone": ""}),
    ("password", {"password": "pendek"}),
    ("password", {"password": "1234567890"}),
    ("password", {"password": "sri.wahyuni-2026!"}),
    ("cooperative_id", {"cooperative_id": 999_999}),
    ("cooperative_id", {"cooperative_id": None}),
    ("cooperative_id", {"cooperative_id": "abc"}),
    ("business_name", {"business_name": ""}),
    ("business_name", {"business_name": "U" * 201}),
    ("nib", {"nib": "912000123456"}),
    ("nib", {"nib": "91200012345AB"}),
    ("npwp", {"npwp": "0010000058613000"}),
    ("npwp", {"npwp": "12345678901234"}),
    ("nik", {"nik": "3576023205900001"}),
    ("nik", {"nik": "357602010590"}),
    ("skala_usaha", {"skala_usaha": "besar"}),
    ("kbli_codes", {"kbli_codes": ""}),
    ("kbli_codes", {"kbli_codes": "1079"}),
    ("kbli_codes", {"kbli_codes": ", ".join(str(10000 + n) for n in range(21))}),
    ("address", {"address": "A" * 501}),
    ("region_code", {"region_code": "99.99.99.9999"}),
    ("region_code", {"region_code": "35.76.02"}),
    ("region_code", {"region_code": ""}),
    ("bank_account_number", {"bank_account_number": "rekening"}),
    ("bank_name", {"bank_name": "B" * 81}),
    ("locale", {"locale": "fr"}),
]


@pytest.mark.parametrize(("field", "overrides"), BAD_INPUTS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_INPUTS)])
def test_register_seller_refuses_bad_input_and_saves_nothing(cooperative, mailbox, field, overrides) -> None:
    user_with_role(Role.COOP_MANAGER, cooperative=cooperative)
    before = user_count()
    with pytest.raises(ValidationFailed) as caught:
        register_seller(**registration_data(cooperative.id, **overrides))
    assert field in caught.value.fields
    assert caught.value.fields[field]
    assert user_count() == before
    assert db.session.scalar(select(func.count()).select_from(SellerProfile)) == 0
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0
    assert events("user.register") == []
    assert mailbox.messages == []


def test_register_seller_reports_every_bad_field_at_once(cooperative) -> None:
    with pytest.raises(ValidationFailed) as caught:
        register_seller(**registration_data(cooperative.id, nib="1", npwp="2", nik="3", region_code="35"))
    assert set(caught.value.fields) == {"nib", "npwp", "nik", "region_code"}


def test_duplicate_email_is_refused_whatever_its_case(cooperative) -> None:
    UserFactory(email="sri.wahyuni@tempe-sri.co.id")
    with force_locale("en"), pytest.raises(ValidationFailed) as caught:
        register_seller(**registration_data(cooperative.id, email=" SRI.Wahyuni@tempe-sri.co.id "))
    assert caught.value.fields == {"email": "This email address is already registered."}


def test_inactive_cooperative_is_refused(cooperative) -> None:
    closed = CooperativeFactory(is_active=False)
    with force_locale("en"), pytest.raises(ValidationFailed) as caught:
        register_seller(**registration_data(closed.id))
    assert caught.value.fields == {"cooperative_id": "Choose an active cooperative from the list."}


def test_bank_fields_are_all_or_nothing(cooperative) -> None:
    with pytest.raises(ValidationFailed) as caught:
        register_seller(**registration_data(cooperative.id, bank_account_number="", bank_account_name=None))
    assert set(caught.value.fields) == {"bank_account_number", "bank_account_name"}

    user = register_seller(
        **registration_data(cooperative.id, bank_name="", bank_account_number="", bank_account_name="")
    )
    assert (user.seller_profile.bank_name, user.seller_profile.bank_account_number) == (None, None)


def test_email_registered_concurrently_is_a_field_error(cooperative, monkeypatch: pytest.MonkeyPatch) -> None:
    UserFactory(email="sri.wahyuni@tempe-sri.co.id")
    db.session.commit()
    before = user_count()
    # The uniqueness check passed, then someone else registered the address before our INSERT.
    monkeypatch.setattr("marketplace.accounts.services.registration.email_taken", lambda email: False)
    with pytest.raises(ValidationFailed) as caught:
        register_seller(**registration_data(cooperative.id))
    assert set(caught.value.fields) == {"email"}
    assert user_count() == before
    assert find_user("sri.wahyuni@tempe-sri.co.id").seller_profile is None
