"""A NIB or NIK belongs to one seller account: registration, the profile page and the API refuse another seller's
number as a field error (without naming its holder), also when two requests race; an NPWP may be shared."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from marketplace.accounts.models import SellerProfile, User
from marketplace.accounts.services import register_seller, update_business_profile
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db
from tests.accounts.helpers import field_error, profile_data, registration_data, registration_form, user_count
from tests.api.conftest import ApiClient, error_of
from tests.factories import UserFactory, seller
from tests.support.identifiers import make_npwp

TAKEN = "This {} is already registered. If it is yours, contact your cooperative or the operator."
#: The identifiers of `profile_data()`, as stored.
NIB = "9120001234567"
NIK = profile_data()["nik"]
#: Numbers no factory draws (the factories use NIB 812… and NIKs of kecamatan 35.76.02).
UNUSED = {"nib": "9120009999999", "nik": "3576010105909999"}


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient(client)


def holder(**identifiers: str) -> User:
    """A seller (another business) already holding the given identifiers."""
    user = seller(email="pemilik.lama@example.test")
    for name, value in identifiers.items():
        setattr(user.seller_profile, name, value)
    db.session.flush()
    return user


def identifiers_free(*args, **kwargs) -> None:
    """Stands in for the look-up: it passed, then another request saved the same number before our write."""


class TestRegistration:
    @pytest.mark.parametrize("field", ["nib", "nik"])
    def test_a_registered_identifier_is_a_field_error_and_nothing_is_saved(self, cooperative, field) -> None:
        holder(**{field: {"nib": NIB, "nik": NIK}[field]})
        before = user_count()
        with force_locale("en"), pytest.raises(ValidationFailed) as caught:
            register_seller(**registration_data(cooperative.id))
        assert caught.value.fields == {field: TAKEN.format(field.upper())}
        assert user_count() == before

    def test_the_message_does_not_name_the_holder(self, cooperative) -> None:
        taken = holder(nib=NIB, nik=NIK)
        with force_locale("en"), pytest.raises(ValidationFailed) as caught:
            register_seller(**registration_data(cooperative.id))
        text = " ".join(caught.value.fields.values())
        assert taken.email not in text and taken.full_name not in text
        assert taken.seller_profile.business_name not in text and taken.membership.cooperative.name not in text

    def test_a_rejected_applicant_cannot_register_again(self, cooperative) -> None:
        register_seller(**registration_data(cooperative.id))
        db.session.scalar(
            select(User).where(User.email == "sri.wahyuni@tempe-sri.co.id")
        ).membership.status = "rejected"
        with pytest.raises(ValidationFailed) as caught:
            register_seller(**registration_data(cooperative.id, email="sri.lain@example.test"))
        assert set(caught.value.fields) == {"nib", "nik"}

    def test_an_npwp_may_be_shared_by_a_household(self, cooperative) -> None:
        npwp = make_npwp(77)
        holder(npwp=npwp)
        user = register_seller(**registration_data(cooperative.id, npwp=npwp))
        assert user.seller_profile.npwp == npwp

    @pytest.mark.parametrize("field", ["nib", "nik"])
    def test_an_identifier_registered_concurrently_is_the_same_field_error(
        self, cooperative, monkeypatch: pytest.MonkeyPatch, field
    ) -> None:
        holder(**{field: {"nib": NIB, "nik": NIK}[field]})
        db.session.commit()
        before = user_count()
        monkeypatch.setattr("marketplace.accounts.services.registration.check_identifiers_free", identifiers_free)
        with force_locale("en"), pytest.raises(ValidationFailed) as caught:
            register_seller(**registration_data(cooperative.id))
        assert caught.value.fields == {field: TAKEN.format(field.upper())}
        assert user_count() == before

    def test_an_email_registered_concurrently_is_still_an_email_error(
        self, cooperative, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        UserFactory(email="sri.wahyuni@tempe-sri.co.id")
        monkeypatch.setattr("marketplace.accounts.services.registration.email_taken", lambda email: False)
        with pytest.raises(ValidationFailed) as caught:
            register_seller(**registration_data(cooperative.id))
        assert set(caught.value.fields) == {"email"}


class TestBusinessProfile:
    @pytest.mark.parametrize("field", ["nib", "nik"])
    def test_another_sellers_identifier_is_refused_and_nothing_changes(self, db, field) -> None:
        taken = holder()
        user = seller()
        mine = getattr(user.seller_profile, field)
        with force_locale("en"), pytest.raises(ValidationFailed) as caught:
            update_business_profile(
                user=user, profile=profile_data(**{**UNUSED, field: getattr(taken.seller_profile, field)})
            )
        assert caught.value.fields == {field: TAKEN.format(field.upper())}
        db.session.refresh(user.seller_profile)
        assert getattr(user.seller_profile, field) == mine

    def test_keeping_ones_own_identifiers_is_fine(self, db) -> None:
        user = seller()
        own = user.seller_profile
        profile = update_business_profile(
            user=user, profile=profile_data(nib=own.nib, nik=own.nik, business_name="Nama Baru")
        )
        assert profile.business_name == "Nama Baru"

    def test_another_sellers_npwp_is_accepted(self, db) -> None:
        taken = holder()
        user = seller()
        update_business_profile(user=user, profile=profile_data(**UNUSED, npwp=taken.seller_profile.npwp))
        assert user.seller_profile.npwp == taken.seller_profile.npwp

    @pytest.mark.parametrize("has_profile", [True, False])
    def test_an_identifier_saved_concurrently_is_the_same_field_error(
        self, db, monkeypatch: pytest.MonkeyPatch, has_profile
    ) -> None:
        taken = holder()
        user = seller()
        if not has_profile:
            db.session.delete(user.seller_profile)
            db.session.flush()
            db.session.expire(user)
        db.session.commit()
        monkeypatch.setattr("marketplace.accounts.services.profile.check_identifiers_free", identifiers_free)
        with force_locale("en"), pytest.raises(ValidationFailed) as caught:
            update_business_profile(user=user, profile=profile_data(**{**UNUSED, "nik": taken.seller_profile.nik}))
        assert caught.value.fields == {"nik": TAKEN.format("NIK")}
        count = db.session.scalar(
            select(func.count()).select_from(SellerProfile).where(SellerProfile.nik == taken.seller_profile.nik)
        )
        assert count == 1


class TestPages:
    def test_the_registration_page_shows_the_error_next_to_the_nib(self, client, cooperative) -> None:
        holder(nib=NIB)
        before = user_count()
        page = client.post_form("/daftar", registration_form(cooperative.id))
        assert page.status_code == 422
        assert field_error(page.text, "nib") == TAKEN.format("NIB")
        assert "pemilik.lama@example.test" not in page.text
        assert user_count() == before

    def test_the_business_page_shows_the_error_next_to_the_nik(self, client, login_as) -> None:
        taken = holder()
        user = login_as("seller")
        page = client.post_form("/profil/usaha", profile_data(**{**UNUSED, "nik": taken.seller_profile.nik}))
        assert page.status_code == 422
        assert field_error(page.text, "nik") == TAKEN.format("NIK")
        assert user.seller_profile.nik != taken.seller_profile.nik


class TestApi:
    def test_patch_business_with_another_sellers_identifiers_is_422_on_their_fields(self, api) -> None:
        taken = holder()
        user = seller()
        theirs = taken.seller_profile
        body = {"nib": theirs.nib, "nik": theirs.nik, "npwp": theirs.npwp}
        response = api.patch("/me/business", body, user=user)
        assert response.status_code == 422
        assert set(error_of(response)["fields"]) == {"nib", "nik"}
        assert taken.email not in response.text and theirs.business_name not in response.text
        db.session.refresh(user.seller_profile)
        assert user.seller_profile.nib != theirs.nib

    def test_patch_business_racing_another_seller_is_422_not_500(self, api, monkeypatch: pytest.MonkeyPatch) -> None:
        taken = holder()
        user = seller()
        monkeypatch.setattr("marketplace.accounts.services.profile.check_identifiers_free", identifiers_free)
        response = api.patch("/me/business", {"nib": taken.seller_profile.nib}, user=user)
        assert response.status_code == 422
        assert list(error_of(response)["fields"]) == ["nib"]
