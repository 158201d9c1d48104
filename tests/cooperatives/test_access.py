"""Who may open which cooperatives page: wrong roles get 403, other organisations 404, anonymous visitors sign in."""

from __future__ import annotations

import pytest

from tests.factories import user_with_role

MANAGER_GET = ["/koperasi/anggota", "/koperasi/pengaturan"]
MANAGER_POST = ["/koperasi/pengaturan", "/koperasi/pengaturan/kunci-datafeed", "/koperasi/pengaturan/pengurus"]
MEMBER_GET = ["/koperasi/anggota/{membership}"]
MEMBER_POST = [
    "/koperasi/anggota/{membership}/setujui",
    "/koperasi/anggota/{membership}/tolak",
    "/koperasi/anggota/{membership}/bekukan",
    "/koperasi/anggota/{membership}/aktifkan",
]
OPERATOR_GET = [
    "/operator/koperasi",
    "/operator/koperasi/baru",
    "/operator/koperasi/{cooperative}",
    "/operator/koperasi/{cooperative}/anggota",
]
OPERATOR_POST = [
    "/operator/koperasi/baru",
    "/operator/koperasi/{cooperative}",
    "/operator/koperasi/{cooperative}/pengurus",
    "/operator/koperasi/{cooperative}/status",
]
OTHER_ROLES = ["seller", "pp", "ppk", "bendahara"]


@pytest.fixture
def urls(cooperative, applicant):
    def _fill(template: str) -> str:
        return template.format(membership=applicant.id, cooperative=cooperative.id)

    return _fill


@pytest.mark.parametrize("url", MANAGER_GET + MEMBER_GET + OPERATOR_GET)
def test_anonymous_get_is_sent_to_sign_in(url, client, urls) -> None:
    response = client.get(urls(url))
    assert response.status_code == 302
    assert "/masuk" in response.headers["Location"]


@pytest.mark.parametrize("url", MANAGER_POST + MEMBER_POST + OPERATOR_POST)
def test_anonymous_post_is_sent_to_sign_in(url, client, urls, applicant) -> None:
    response = client.post_form(urls(url), {"reason": "Alasan yang cukup panjang."})
    assert response.status_code == 302
    assert "/masuk" in response.headers["Location"]
    assert applicant.status == "pending"


@pytest.mark.parametrize("role", [*OTHER_ROLES, "operator"])
@pytest.mark.parametrize("url", MANAGER_GET)
def test_manager_pages_refuse_other_roles(role, url, login_as, client, cooperative) -> None:
    login_as(role, cooperative=cooperative) if role == "seller" else login_as(role)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("url", MEMBER_GET)
def test_member_detail_refuses_other_roles(role, url, login_as, client, urls, cooperative) -> None:
    login_as(role, cooperative=cooperative) if role == "seller" else login_as(role)
    assert client.get(urls(url)).status_code == 403


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("url", MEMBER_POST + MANAGER_POST)
def test_manager_actions_refuse_other_roles(role, url, login_as, client, urls, applicant, cooperative) -> None:
    login_as(role, cooperative=cooperative) if role == "seller" else login_as(role)
    key = cooperative.datafeed_key

    response = client.post_form(urls(url), {"reason": "Alasan yang cukup panjang."})

    assert response.status_code == 403
    assert applicant.status == "pending"
    assert cooperative.datafeed_key == key


@pytest.mark.parametrize("role", [*OTHER_ROLES, "coop_manager"])
@pytest.mark.parametrize("url", OPERATOR_GET)
def test_operator_pages_refuse_other_roles(role, url, login_as, client, urls, cooperative) -> None:
    login_as(role, cooperative=cooperative) if role in ("seller", "coop_manager") else login_as(role)
    assert client.get(urls(url)).status_code == 403


@pytest.mark.parametrize("role", [*OTHER_ROLES, "coop_manager"])
@pytest.mark.parametrize("url", OPERATOR_POST)
def test_operator_actions_refuse_other_roles(role, url, login_as, client, urls, cooperative) -> None:
    login_as(role, cooperative=cooperative) if role in ("seller", "coop_manager") else login_as(role)

    response = client.post_form(urls(url), {"name": "Diganti", "active": "0", "region_code": "35.76.02.1001"})

    assert response.status_code == 403
    assert cooperative.is_active and cooperative.name == "KKMP Gununggedangan"


@pytest.mark.parametrize("url", MEMBER_GET + MEMBER_POST)
def test_another_cooperatives_member_is_not_found(url, login_as, client, other_cooperative, make_member) -> None:
    foreign = make_member("pending", coop=other_cooperative)
    manager = user_with_role("coop_manager")  # manages a cooperative of its own
    login_as(manager)

    response = (
        client.get(url.format(membership=foreign.id))
        if "{membership}/" not in url
        else client.post_form(url.format(membership=foreign.id), {"reason": "Alasan yang cukup panjang."})
    )

    assert response.status_code == 404
    assert foreign.status == "pending"
    assert foreign.user.email not in response.get_data(as_text=True)


def test_unknown_member_is_not_found(login_as, client, manager) -> None:
    login_as(manager)
    assert client.get("/koperasi/anggota/987654").status_code == 404


def test_operator_reaches_any_cooperative(login_as, client, other_cooperative, make_member) -> None:
    member = make_member("pending", coop=other_cooperative, email="jauh@example.test")
    login_as("operator")

    assert client.get(f"/operator/koperasi/{other_cooperative.id}").status_code == 200
    members_page = client.get(f"/operator/koperasi/{other_cooperative.id}/anggota")
    assert members_page.status_code == 200 and "jauh@example.test" in members_page.get_data(as_text=True)
    assert client.get(f"/koperasi/anggota/{member.id}").status_code == 200


def test_unknown_cooperative_is_not_found_for_operators(login_as, client) -> None:
    login_as("operator")
    assert client.get("/operator/koperasi/987654").status_code == 404
    assert client.get("/operator/koperasi/987654/anggota").status_code == 404


def test_manager_without_cooperative_gets_not_found(login_as, client, db) -> None:
    from tests.factories import UserFactory

    login_as(UserFactory(roles=["coop_manager"]))
    assert client.get("/koperasi/anggota").status_code == 404
    assert client.get("/koperasi/pengaturan").status_code == 404
