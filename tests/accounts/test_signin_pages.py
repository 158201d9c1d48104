"""Sign-in, sign-out and forgotten-password pages, and the session cookie."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from config import ProductionConfig
from marketplace.accounts.models import Role
from tests.accounts.helpers import events
from tests.factories import PASSWORD, UserFactory, seller, user_with_role

WRONG = "salah sekali kata sandinya"


def _sign_in(client, email: str, password: str, url: str = "/masuk", **extra: object):
    return client.post_form(url, {"email": email, "password": password, **extra})


def _alert(html: str) -> str:
    match = re.search(r'<div class="flash flash-error" role="alert">([^<]*)</div>', html)
    return match.group(1) if match else ""


def test_sign_in_page(client) -> None:
    page = client.get("/masuk")
    assert page.status_code == 200
    assert 'name="email"' in page.text and 'name="password"' in page.text and 'name="remember"' in page.text
    assert 'href="/lupa-sandi"' in page.text and 'href="/daftar"' in page.text


@pytest.mark.parametrize("role", [Role.SELLER, Role.PP, Role.COOP_MANAGER, Role.OPERATOR])
def test_sign_in_lands_on_the_dashboard(client, role) -> None:
    user = user_with_role(role, email="orang@example.test")
    response = _sign_in(client, "Orang@Example.test", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/profil").status_code == 200
    assert user.last_login_at is not None
    assert events("auth.login", user.id)


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/profil/akun", "/profil/akun"),
        ("/profil?page=2", "/profil?page=2"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("/%09/evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_is_honoured_only_when_it_stays_on_this_site(client, target, landing) -> None:
    seller(email="sri@example.test")
    response = client.post_form(
        "/masuk?" + f"next={target}".replace("&", "%26"), {"email": "sri@example.test", "password": PASSWORD}
    )
    assert response.headers["Location"] == landing


def test_protected_page_sends_anonymous_visitors_to_sign_in_and_back(client) -> None:
    seller(email="sri@example.test")
    response = client.get("/profil/akun")
    assert response.status_code == 302
    assert response.headers["Location"] == "/masuk?next=%2Fprofil%2Fakun"
    response = _sign_in(client, "sri@example.test", PASSWORD, url=response.headers["Location"])
    assert response.headers["Location"] == "/profil/akun"


def test_unknown_email_and_wrong_password_look_the_same(client) -> None:
    UserFactory(email="ada@example.test")
    UserFactory(email="nonaktif@example.test", is_enabled=False)
    UserFactory(email="diundang@example.test", password_hash=None)

    answers = [
        _sign_in(client, "ada@example.test", WRONG),
        _sign_in(client, "tidak-ada@example.test", WRONG),
        _sign_in(client, "nonaktif@example.test", PASSWORD),
        _sign_in(client, "diundang@example.test", PASSWORD),
    ]

    assert {a.status_code for a in answers} == {200}
    assert {_alert(a.text) for a in answers} == {"Incorrect email or password."}
    assert client.get("/profil").status_code == 302
    assert len(events("auth.login_failed")) == 4


def test_failed_sign_in_keeps_the_email_but_not_the_password(client) -> None:
    page = _sign_in(client, "ada@example.test", WRONG)
    assert 'value="ada@example.test"' in page.text
    assert WRONG not in page.text


def test_too_many_failures_block_the_account_with_a_clear_message(client, app: Flask) -> None:
    UserFactory(email="sri@example.test")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert _sign_in(client, "sri@example.test", WRONG).status_code == 200

    blocked = _sign_in(client, "sri@example.test", PASSWORD)

    assert blocked.status_code == 429
    minutes = app.config["LOGIN_WINDOW_SECONDS"] // 60
    assert _alert(blocked.text) == f"Too many failed sign-in attempts. Please wait {minutes} minutes and try again."
    assert 0 < int(blocked.headers["Retry-After"]) <= app.config["LOGIN_WINDOW_SECONDS"]
    assert client.get("/profil").status_code == 302


def test_too_many_failures_from_one_address_block_it(client, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_IP", 3)
    seller(email="sri@example.test")
    for n in range(3):
        _sign_in(client, f"tebakan{n}@example.test", WRONG)

    assert _sign_in(client, "sri@example.test", PASSWORD).status_code == 429
    other_address = client.post_form(
        "/masuk",
        {"email": "sri@example.test", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.50"},
    )
    assert other_address.status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client) -> None:
    seller(email="sri@example.test")
    response = _sign_in(client, "sri@example.test", PASSWORD, remember="y")
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert "HttpOnly" in cookies[name]
        assert "SameSite=Lax" in cookies[name]
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True


def test_sign_out_is_post_only_and_ends_the_session(client) -> None:
    user = seller(email="sri@example.test")
    client.login(user)
    assert client.get("/keluar").status_code == 405
    assert client.post("/keluar").status_code == 400  # no CSRF token
    assert client.get("/profil").status_code == 200

    response = client.post_form("/keluar")
    assert response.headers["Location"] == "/"
    assert client.get("/profil").status_code == 302
    assert events("auth.logout", user.id)
    assert 'lang="en"' in client.get("/").text  # the chosen language survives signing out


def test_forgot_password_answers_the_same_for_every_address(client, mailbox) -> None:
    UserFactory(email="sri@example.test")
    known = client.post_form("/lupa-sandi", {"email": "sri@example.test"}, follow_redirects=True)
    unknown = client.post_form("/lupa-sandi", {"email": "tidak-ada@example.test"}, follow_redirects=True)

    def message(page):
        return re.search(r'class="flash flash-info" role="status">([^<]*)<', page.text).group(1)

    assert message(known) == message(unknown).replace("tidak-ada@example.test", "sri@example.test")
    assert known.status_code == unknown.status_code == 200
    assert [m["To"] for m in mailbox.messages] == ["sri@example.test"]


def test_forgot_password_page_needs_an_email(client) -> None:
    page = client.get("/lupa-sandi")
    assert page.status_code == 200 and 'name="email"' in page.text
    empty = client.post_form("/lupa-sandi", {"email": ""})
    assert '<p class="error" id="email-error">This field is required.</p>' in empty.text
