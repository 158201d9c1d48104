"""Password reset by email, first password from an invitation, and changing the password."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask

from marketplace.accounts.api_tokens import issue_api_token, user_for_token
from marketplace.accounts.auth import verify_password
from marketplace.accounts.invitations import invite_user
from marketplace.accounts.models import Role
from marketplace.accounts.services import (
    InvalidCredentials,
    InvalidLink,
    authenticate,
    change_password,
    request_password_reset,
    reset_password,
)
from marketplace.accounts.tokens import make_token
from marketplace.core.errors import ValidationFailed
from tests.accounts.helpers import STRONG_PASSWORD, events, field_error, link_in
from tests.factories import PASSWORD, UserFactory, user_with_role

NEW_PASSWORD = "sambal terasi pedas sekali"


def _path(link: str) -> str:
    return urlsplit(link).path


def test_reset_request_emails_a_link_to_an_enabled_account(db, mailbox) -> None:
    user = UserFactory(email="sri@example.test", locale="en")

    assert request_password_reset(email=" SRI@example.test ") is True

    [message] = mailbox.to("sri@example.test")
    assert message["Subject"] == "Set a new password for Pasar UMKM"
    assert _path(link_in(mailbox.body(message))).startswith("/atur-ulang-sandi/")
    assert "60 minutes" in mailbox.body(message)
    [event] = events("auth.password_reset_requested", user.id)
    assert event.after == {"email": "sri@example.test"}


@pytest.mark.parametrize("email", ["tidak-ada@example.test", "nonaktif@example.test", ""])
def test_reset_request_for_unknown_or_disabled_account_sends_nothing(db, mailbox, email) -> None:
    UserFactory(email="nonaktif@example.test", is_enabled=False)
    assert request_password_reset(email=email) is False
    assert mailbox.messages == []
    assert events("auth.password_reset_requested") == []


def test_at_most_three_reset_emails_per_address_per_hour(db, mailbox) -> None:
    user = UserFactory(email="sri@example.test")
    assert [request_password_reset(email="sri@example.test") for _ in range(4)] == [True, True, True, False]
    assert len(mailbox.to("sri@example.test")) == 3
    assert request_password_reset(email=UserFactory().email) is True  # other addresses are not affected

    for event in events("auth.password_reset_requested", user.id):
        event.created_at -= timedelta(minutes=61)
    db.session.flush()
    assert request_password_reset(email="sri@example.test") is True


def test_reset_flow_from_email_to_new_password(client, mailbox) -> None:
    user = UserFactory(email="sri@example.test", locale="en")
    client.post_form("/lupa-sandi", {"email": "sri@example.test"})
    link = _path(link_in(mailbox.body(mailbox.to("sri@example.test")[0])))

    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "sri@example.test" in page.text

    response = client.post_form(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/profil").status_code == 200  # signed in
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert events("auth.password_reset", user.id)[0].actor_id == user.id
    assert authenticate(email="sri@example.test", password=NEW_PASSWORD, ip_address="192.0.2.1") is user
    with pytest.raises(InvalidCredentials):
        authenticate(email="sri@example.test", password=PASSWORD, ip_address="192.0.2.1")
    assert "password of your Pasar UMKM account" in mailbox.body(mailbox.to("sri@example.test")[-1])

    # The link worked once: the password it was made for is gone.
    used = client.get(link)
    assert used.status_code == 400
    assert "This link no longer works" in used.text
    assert 'href="/lupa-sandi"' in used.text
    again = client.post_form(
        link, {"password": "yet another long phrase", "password_confirm": "yet another long phrase"}
    )
    assert again.status_code == 400
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_a_password_reset_revokes_the_api_tokens_a_password_change_keeps_them(db) -> None:
    user = UserFactory(email="sri@example.test")
    _kept, kept_raw = issue_api_token(user, "integrasi")
    change_password(user=user, current_password=PASSWORD, new_password=NEW_PASSWORD)
    assert user_for_token(kept_raw) == user  # a deliberate change by the signed-in owner
    reset_password(token=make_token(user, "reset"), password="yet another long phrase")
    assert user_for_token(kept_raw) is None  # a reset often means the old password leaked
    assert events("auth.password_reset", user.id)[-1].after == {"revoked_api_tokens": 1}


def test_emailed_links_use_the_public_address_not_the_host_the_request_names(app: Flask, db, mailbox, monkeypatch):
    UserFactory(email="sri@example.test")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://umkm-pengadaan.example.id")
    with app.test_request_context("/lupa-sandi", method="POST", headers={"Host": "evil.example"}):
        assert request_password_reset(email="sri@example.test") is True
    link = link_in(mailbox.body(mailbox.to("sri@example.test")[0]))
    assert link.startswith("https://umkm-pengadaan.example.id/atur-ulang-sandi/")


def test_expired_reset_link_is_refused(app: Flask, client, monkeypatch: pytest.MonkeyPatch) -> None:
    token = make_token(UserFactory(), "reset")
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = client.get(f"/atur-ulang-sandi/{token}")
    assert response.status_code == 400
    assert "has expired" in response.text
    with pytest.raises(InvalidLink):
        reset_password(token=token, password=NEW_PASSWORD)


def test_forged_link_and_link_of_another_purpose_are_refused(client) -> None:
    user = UserFactory()
    invitation = make_token(user, "invite")
    assert client.get("/atur-ulang-sandi/not-a-token").status_code == 400
    assert client.get(f"/atur-ulang-sandi/{invitation}").status_code == 400
    assert client.get(f"/atur-sandi/{make_token(user, 'reset')}").status_code == 400


def test_reset_with_a_weak_password_changes_nothing(client) -> None:
    user = UserFactory()
    token = make_token(user, "reset")
    with pytest.raises(ValidationFailed) as caught:
        reset_password(token=token, password="1234567890")
    assert set(caught.value.fields) == {"password"}
    assert verify_password(user.password_hash, PASSWORD)

    page = client.post_form(f"/atur-ulang-sandi/{token}", {"password": "short", "password_confirm": "short"})
    assert page.status_code == 422
    assert field_error(page.text, "password") == "The password needs at least 10 characters."
    mismatch = client.post_form(
        f"/atur-ulang-sandi/{token}", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "!"}
    )
    assert field_error(mismatch.text, "password_confirm") == "The two passwords do not match."
    assert verify_password(user.password_hash, PASSWORD)
    assert events("auth.password_reset") == []


def test_invitation_flow_sets_the_first_password(app: Flask, db, client, mailbox) -> None:
    operator = user_with_role(Role.OPERATOR)
    with app.test_request_context():
        invited = invite_user(email="ppk@dinas.example.test", full_name="Pak Joko", roles=[Role.PPK], actor=operator)
    db.session.commit()
    link = _path(link_in(mailbox.body(mailbox.to("ppk@dinas.example.test")[0])))
    assert link.startswith("/atur-sandi/")

    page = client.get(link)
    assert page.status_code == 200
    assert "Set your password" in page.text and "Pak Joko" in page.text

    response = client.post_form(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/profil").status_code == 200
    assert verify_password(invited.password_hash, NEW_PASSWORD)
    assert events("auth.invitation_accepted", invited.id)[0].actor_id == invited.id
    assert client.get(link).status_code == 400  # used


def test_change_password_needs_the_current_one(db, mailbox) -> None:
    user = UserFactory(email="sri@example.test", locale="en")
    with pytest.raises(ValidationFailed) as caught:
        change_password(user=user, current_password="bukan ini", new_password="1234")
    assert set(caught.value.fields) == {"current_password", "new_password"}
    assert verify_password(user.password_hash, PASSWORD)
    assert events("auth.password_changed") == []

    change_password(user=user, current_password=PASSWORD, new_password=STRONG_PASSWORD)
    assert verify_password(user.password_hash, STRONG_PASSWORD)
    assert user.password_hash.startswith("scrypt:")
    assert events("auth.password_changed", user.id)[0].actor_id == user.id
    assert mailbox.to("sri@example.test")[0]["Subject"] == "Your Pasar UMKM password was changed"


def test_invitation_with_a_weak_password_keeps_the_account_without_one(client) -> None:
    invited = UserFactory(email="bendahara@dinas.example.test", password_hash=None)
    link = f"/atur-sandi/{make_token(invited, 'invite')}"
    page = client.post_form(link, {"password": "bendahara123", "password_confirm": "bendahara123"})
    assert page.status_code == 422
    assert field_error(page.text, "password") == (
        "This password is too easy to guess. Use a longer phrase of several words."
    )
    assert invited.password_hash is None
    assert events("auth.invitation_accepted") == []
    assert client.get("/profil").status_code == 302
    assert client.get(link).status_code == 200  # the link still works
