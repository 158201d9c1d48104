"""The language switcher: its form (POST with a CSRF token) saves the signed-in user's language; a link (GET) only
switches the session's, so another site cannot change the saved language with an image or a link."""

from __future__ import annotations

import re

import pytest

from tests.factories import seller


def switcher_forms(page: str) -> list[tuple[str, str]]:
    """(action, button) of each language form in the page header."""
    langs = re.search(r'<span class="langs".*?</span>', page, re.S).group(0)
    return re.findall(r'<form method="post" action="([^"]+)" class="inline">.*?(<button[^>]*>)', langs, re.S)


def test_the_switcher_is_a_form_with_a_csrf_token(client, db) -> None:
    page = client.get("/masuk?next=/profil").text
    assert switcher_forms(page) == [
        ("/lang/en?next=/masuk?next%3D/profil", '<button type="submit" class="link" lang="en" data-lang="en">')
    ]
    langs = re.search(r'<span class="langs".*?</span>', page, re.S).group(0)
    assert 'name="csrf_token"' in langs and "<a " not in langs


def test_the_form_saves_the_signed_in_users_language_and_goes_back(client, db, login_as) -> None:
    user = login_as(seller(locale="id"))
    response = client.post_form("/lang/en?next=/profil")
    assert response.status_code == 302 and response.headers["Location"] == "/profil"
    db.session.refresh(user)
    assert user.locale == "en"
    assert '<html lang="en">' in client.get("/").text


def test_a_link_switches_the_session_only_and_saves_nothing(client, db, login_as) -> None:
    user = login_as(seller(locale="id"))
    response = client.get("/lang/en", query_string={"next": "/profil"})
    assert response.headers["Location"] == "/profil"
    assert '<html lang="en">' in client.get("/").text
    db.session.refresh(user)
    assert user.locale == "id"


def test_a_post_without_the_csrf_token_changes_nothing(client, db, login_as) -> None:
    user = login_as(seller(locale="id"))
    assert client.post("/lang/en").status_code == 400
    db.session.refresh(user)
    assert user.locale == "id"
    assert '<html lang="id">' in client.get("/").text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "profil"])
def test_the_form_refuses_to_leave_the_site(client, db, target) -> None:
    response = client.post_form("/lang/en", query_string={"next": target})
    assert response.headers["Location"] == "/"
    assert client.post_form("/lang/xx").status_code == 404
