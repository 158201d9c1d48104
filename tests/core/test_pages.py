"""The home page and the language switch."""

from __future__ import annotations

import pytest

from marketplace.accounts.models import Role
from tests.factories import seller


def test_home_page_invites_anonymous_visitors_to_register_or_sign_in(client, db) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="id">' in page.text  # Bahasa Indonesia by default
    assert 'href="/daftar"' in page.text
    assert 'href="/masuk"' in page.text
    assert 'action="/keluar"' not in page.text


def test_home_page_greets_a_signed_in_person(client, login_as) -> None:
    user = login_as(seller(full_name="Sri Wahyuni"))
    page = client.get("/")
    assert page.status_code == 200
    assert "Sri Wahyuni" in page.text
    assert 'action="/keluar"' in page.text
    assert 'href="/daftar"' not in page.text
    assert user.has_role(Role.SELLER)


@pytest.mark.parametrize("url", ["/", "/daftar", "/masuk", "/lupa-sandi"])
def test_language_can_be_switched_from_any_page(client, db, url) -> None:
    page = client.get(url)
    assert f'action="/lang/en?next={url}"' in page.text

    response = client.get("/lang/en", query_string={"next": url})
    assert response.headers["Location"] == url
    assert '<html lang="en">' in client.get(url).text
    client.get("/lang/id", query_string={"next": url})
    assert '<html lang="id">' in client.get(url).text


def test_language_switch_refuses_to_leave_the_site(client, db) -> None:
    response = client.get("/lang/en", query_string={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert client.get("/lang/xx").status_code == 404
