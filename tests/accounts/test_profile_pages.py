"""The profile page and its edit pages, API tokens, and who may open them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.accounts.api_tokens import user_for_token
from marketplace.accounts.auth import verify_password
from marketplace.accounts.models import ApiToken, Role
from marketplace.accounts.services import create_api_token
from tests.accounts.helpers import events, field_error, profile_data
from tests.factories import PASSWORD, MembershipFactory, UserFactory, seller

PROFILE_PAGES = ["/profil", "/profil/akun", "/profil/usaha", "/profil/sandi"]


@pytest.mark.parametrize("url", PROFILE_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, db, url) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk?next=")


@pytest.mark.parametrize("url", ["/profil/token", "/profil/token/1/cabut"])
def test_anonymous_token_actions_are_sent_to_sign_in(client, db, url) -> None:
    assert client.post_form(url, {"name": "x"}).headers["Location"].startswith("/masuk")


@pytest.mark.parametrize("role", [Role.COOP_MANAGER, Role.PP, Role.PPK, Role.BENDAHARA, Role.OPERATOR])
def test_business_profile_is_for_sellers_only(client, login_as, role) -> None:
    login_as(role)
    assert client.get("/profil/usaha").status_code == 403
    assert client.post_form("/profil/usaha", profile_data()).status_code == 403
    page = client.get("/profil")
    assert page.status_code == 200
    assert "Business profile" not in page.text


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        ("pending", None, "waiting for approval by KKMP Kranggan"),
        ("active", None, "You are an active member of KKMP Kranggan."),
        ("suspended", "Produk kedaluwarsa dijual", "Your membership in KKMP Kranggan is suspended."),
        ("rejected", "NIB tidak cocok dengan nama usaha", "KKMP Kranggan did not accept your application."),
    ],
)
def test_profile_shows_the_membership_status(client, login_as, status, reason, expected) -> None:
    user = seller(status=status)
    user.membership.cooperative.name = "KKMP Kranggan"
    user.membership.status_reason = reason
    login_as(user)

    page = client.get("/profil")

    assert expected in page.text
    assert f'class="badge badge-{status}"' in page.text
    if reason:
        assert reason in page.text
    assert user.seller_profile.business_name in page.text
    assert user.seller_profile.nib in page.text
    assert "Gununggedangan, Magersari, Kota Mojokerto, Jawa Timur" in page.text


def test_profile_escapes_what_people_typed(client, login_as) -> None:
    user = login_as(seller(full_name="<script>alert(1)</script>"))
    user.seller_profile.business_name = "<b>UD</b>"
    page = client.get("/profil")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&lt;b&gt;UD&lt;/b&gt;" in page.text


def test_edit_account_saves_and_switches_the_language(client, login_as) -> None:
    user = login_as(seller(full_name="Sri", phone="+6281234567890"))
    form = client.get("/profil/akun")
    assert 'value="Sri"' in form.text and 'value="+6281234567890"' in form.text

    response = client.post_form("/profil/akun", {"full_name": "Sri Wahyuni", "phone": "0812 1111 2222", "locale": "id"})

    assert response.headers["Location"] == "/profil"
    assert (user.full_name, user.phone, user.locale) == ("Sri Wahyuni", "+6281211112222", "id")
    assert events("user.update", user.id)[0].after["full_name"] == "Sri Wahyuni"
    assert '<html lang="id">' in client.get("/profil").text


def test_edit_account_shows_errors_next_to_fields(client, login_as) -> None:
    user = login_as(seller(full_name="Sri", phone="+6281234567890"))
    page = client.post_form("/profil/akun", {"full_name": "S" * 121, "phone": "", "locale": "en"})
    assert page.status_code == 422
    assert field_error(page.text, "full_name") == "Use at most 120 characters."
    assert field_error(page.text, "phone") == "This field is required."  # sellers keep a phone number
    assert user.full_name == "Sri"
    assert events("user.update") == []


def test_edit_business_is_prefilled_and_saves_with_an_audit(client, login_as) -> None:
    user = login_as(seller())
    profile = user.seller_profile
    profile.kbli_codes = ["10793", "47111"]
    form = client.get("/profil/usaha")
    assert 'value="10793, 47111"' in form.text
    assert 'value="35.76.02.1001"' in form.text and "data-region-picker" in form.text
    assert f'value="{profile.nib}"' in form.text

    data = profile_data(
        business_name=profile.business_name,
        nib=profile.nib,
        npwp=profile.npwp,
        nik=profile.nik,
        address=profile.address,
        region_code="35.76.01.1008",
    )
    response = client.post_form("/profil/usaha", data)

    assert response.headers["Location"] == "/profil"
    assert profile.region_code == "35.76.01.1008"
    assert profile.bank_account_number == "0123456789"
    [event] = events("seller_profile.update", profile.id)
    assert event.before["region_code"] == "35.76.02.1001"
    assert event.after["region_code"] == "35.76.01.1008"
    assert "business_name" not in event.after


def test_edit_business_shows_errors_and_saves_nothing(client, login_as) -> None:
    user = login_as(seller())
    before = user.seller_profile.nib
    page = client.post_form("/profil/usaha", profile_data(nib="123", bank_name=""))
    assert page.status_code == 422
    assert field_error(page.text, "nib") == "NIB must be 13 digits."
    assert field_error(page.text, "bank_name") == "Fill in all three bank fields, or leave all of them empty."
    assert user.seller_profile.nib == before
    assert events("seller_profile.update") == []


def test_edit_business_without_csrf_is_refused(client, login_as) -> None:
    user = login_as(seller())
    response = client.post("/profil/usaha", data=profile_data(business_name="Diam-diam"))
    assert response.status_code == 400
    assert user.seller_profile.business_name != "Diam-diam"


def test_change_password_page(client, login_as) -> None:
    user = login_as(UserFactory(roles=[Role.PP], locale="en"))
    wrong = client.post_form(
        "/profil/sandi",
        {
            "current_password": "bukan ini",
            "new_password": "x" * 12 + "abcde",
            "new_password_confirm": "x" * 12 + "abcde",
        },
    )
    assert wrong.status_code == 422
    assert field_error(wrong.text, "current_password") == "The current password is not correct."
    weak = client.post_form(
        "/profil/sandi", {"current_password": PASSWORD, "new_password": "pendek", "new_password_confirm": "pendek"}
    )
    assert field_error(weak.text, "new_password") == "The password needs at least 10 characters."
    assert verify_password(user.password_hash, PASSWORD)
    assert events("auth.password_changed") == []

    new = "teh manis hangat di pagi hari"
    done = client.post_form(
        "/profil/sandi", {"current_password": PASSWORD, "new_password": new, "new_password_confirm": new}
    )
    assert done.headers["Location"] == "/profil"
    assert events("auth.password_changed", user.id)
    assert verify_password(user.password_hash, new)


def test_api_token_is_shown_once_then_listed_without_it(client, login_as) -> None:
    user = login_as(UserFactory(roles=[Role.PP]))
    created = client.post_form("/profil/token", {"name": "Sinkron stok"})

    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    raw = re.search(r'<code class="secret" id="raw-token">([^<]+)</code>', created.text).group(1)
    assert user_for_token(raw) is user
    profile = client.get("/profil")
    assert "Sinkron stok" in profile.text
    assert raw not in profile.text
    assert raw[:10] in profile.text


def test_api_token_needs_a_name(client, db, login_as) -> None:
    user = login_as(UserFactory(roles=[Role.PP]))
    response = client.post_form("/profil/token", {"name": ""}, follow_redirects=True)
    assert "The token was not created" in response.text
    assert user_for_token("pu_anything") is None
    assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all() == []


def test_api_token_revoke(client, login_as) -> None:
    user = login_as(UserFactory(roles=[Role.PP]))
    token, raw = create_api_token(user=user, name="Laporan")
    page = client.get("/profil")
    assert f'action="/profil/token/{token.id}/cabut"' in page.text
    assert "data-confirm=" in page.text

    assert client.get(f"/profil/token/{token.id}/cabut").status_code == 405
    response = client.post_form(f"/profil/token/{token.id}/cabut")
    assert response.status_code == 302
    assert token.revoked_at is not None
    assert user_for_token(raw) is None
    assert "badge-disabled" in client.get("/profil").text


def test_another_persons_token_is_404(client, login_as) -> None:
    owner = UserFactory()
    token, raw = create_api_token(user=owner, name="Milik orang lain")
    login_as(UserFactory())
    assert client.post_form(f"/profil/token/{token.id}/cabut").status_code == 404
    assert client.post_form("/profil/token/999999/cabut").status_code == 404
    assert token.revoked_at is None
    assert user_for_token(raw) is owner


def test_token_list_is_paginated(client, login_as) -> None:
    user = login_as(UserFactory())
    for n in range(3):
        create_api_token(user=user, name=f"Token {n}")
    page = client.get("/profil?per_page=2")
    assert page.text.count('action="/profil/token/') == 2
    assert 'rel="next"' in page.text
    assert client.get("/profil?per_page=2&page=2").text.count('action="/profil/token/') == 1


def test_coop_manager_profile_shows_the_cooperative(client, login_as) -> None:
    manager = login_as(Role.COOP_MANAGER)
    page = client.get("/profil")
    assert manager.managed_cooperative.name in page.text
    assert 'id="membership"' not in page.text


def test_pending_membership_of_a_user_without_profile_still_renders(client, login_as) -> None:
    user = login_as(UserFactory(roles=[Role.SELLER]))
    MembershipFactory(user=user, status="pending")
    page = client.get("/profil")
    assert page.status_code == 200
    assert "Your business profile is empty." in page.text
