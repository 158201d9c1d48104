"""Who may open which listing page: anonymous visitors sign in, buyers get 403, another organisation's product
is 404 (never shown), operators may look but not change."""

from __future__ import annotations

import pytest

from marketplace.accounts.models import Role
from tests.factories import user_with_role

LIST_PAGES = ["/produk-saya", "/produk-saya/baru", "/produk-saya/kbki"]
PRODUCT_GET = ["/produk-saya/{id}", "/produk-saya/{id}/ubah"]
PRODUCT_POST = [
    "/produk-saya/{id}/ubah",
    "/produk-saya/{id}/ajukan",
    "/produk-saya/{id}/tarik",
    "/produk-saya/{id}/cepat",
    "/media/produk/{id}/gambar",
    "/media/produk/{id}/lampiran",
]
BUYERS = [Role.PP, Role.PPK, Role.BENDAHARA]


@pytest.mark.parametrize("url", LIST_PAGES + PRODUCT_GET)
def test_anonymous_visitors_are_sent_to_sign_in(client, live, url) -> None:
    response = client.get(url.format(id=live.id))
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


@pytest.mark.parametrize("url", PRODUCT_POST)
def test_anonymous_posts_are_sent_to_sign_in(client, live, url) -> None:
    response = client.post_form(url.format(id=live.id), {"stock": "1", "reason": "x"})
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    assert live.status == "active" and live.stock == 40


@pytest.mark.parametrize("role", [*BUYERS, Role.OPERATOR])
@pytest.mark.parametrize("url", LIST_PAGES)
def test_other_roles_are_refused(client, login_as, role, url) -> None:
    login_as(role)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", BUYERS)
@pytest.mark.parametrize("url", PRODUCT_GET + PRODUCT_POST)
def test_buyers_are_refused_on_product_pages(client, login_as, live, role, url) -> None:
    login_as(role)
    method = client.get if url in PRODUCT_GET else client.post_form
    assert method(url.format(id=live.id)).status_code == 403


@pytest.mark.parametrize("url", PRODUCT_GET + PRODUCT_POST)
def test_another_sellers_product_is_not_found(client, login_as, stranger, live, url) -> None:
    login_as(stranger)
    method = client.get if url in PRODUCT_GET else client.post_form
    assert method(url.format(id=live.id)).status_code == 404
    assert live.status == "active" and live.stock == 40


@pytest.mark.parametrize("url", PRODUCT_GET + PRODUCT_POST)
def test_another_cooperatives_manager_gets_not_found(client, login_as, live, url) -> None:
    login_as(user_with_role(Role.COOP_MANAGER))
    method = client.get if url in PRODUCT_GET else client.post_form
    assert method(url.format(id=live.id)).status_code == 404


def test_a_product_that_does_not_exist(client, login_as, maker) -> None:
    login_as(maker)
    assert client.get("/produk-saya/999999").status_code == 404


def test_an_operator_may_look_but_not_change(client, login_as, operator, live) -> None:
    login_as(operator)
    assert client.get(f"/produk-saya/{live.id}").status_code == 200
    assert client.get(f"/produk-saya/{live.id}/ubah").status_code == 403
    assert client.post_form(f"/produk-saya/{live.id}/tarik").status_code == 403
    assert live.status == "active"


def test_state_changing_routes_refuse_get(client, login_as, maker, live) -> None:
    login_as(maker)
    for url in PRODUCT_POST[1:]:
        assert client.get(url.format(id=live.id)).status_code == 405
