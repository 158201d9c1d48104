"""Access to the back office: operators only (403 for every other role), sign-in first for anonymous visitors."""

from __future__ import annotations

import pytest

from marketplace.admin import permissions
from tests.factories import user_with_role

PAGES = [
    ("get", "/admin/users"),
    ("get", "/admin/users/{user}"),
    ("post", "/admin/users/{user}/roles"),
    ("post", "/admin/users/{user}/disable"),
    ("post", "/admin/users/{user}/enable"),
    ("post", "/admin/users/{user}/invitation"),
    ("get", "/admin/audit"),
]
OTHER_ROLES = ["seller", "coop_manager", "pp", "ppk", "bendahara"]


def request(client, method: str, url: str):
    return client.get(url) if method == "get" else client.post_form(url, {})


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize(("method", "url"), PAGES)
def test_back_office_refuses_other_roles(client, login_as, buyer, role, method, url) -> None:
    login_as(role)

    response = request(client, method, url.format(user=buyer.id))

    assert response.status_code == 403
    assert buyer.is_enabled


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, buyer, method, url) -> None:
    response = request(client, method, url.format(user=buyer.id))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


@pytest.mark.parametrize(("method", "url"), [p for p in PAGES if p[0] == "get"])
def test_operators_open_the_pages(client, login_as, buyer, method, url) -> None:
    login_as("operator")

    assert request(client, method, url.format(user=buyer.id)).status_code == 200


def test_state_changes_need_post_and_csrf(client, login_as, buyer) -> None:
    login_as("operator")

    assert client.get(f"/admin/users/{buyer.id}/disable").status_code == 405
    assert client.post(f"/admin/users/{buyer.id}/disable", data={"reason": "x"}).status_code == 400
    assert buyer.is_enabled


@pytest.mark.parametrize("role", ["operator", *OTHER_ROLES])
def test_permission_checks(db, role: str) -> None:
    user = user_with_role(role)
    other = user_with_role("pp")
    allowed = role == "operator"

    assert permissions.can_manage_users(user) is allowed
    assert permissions.can_read_audit_log(user) is allowed
    assert permissions.can_disable(user, other) and not permissions.can_disable(user, user)
    assert not permissions.is_operator(None)
