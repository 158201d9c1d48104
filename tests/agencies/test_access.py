"""Access to the agency pages: operators only (403 for every other role), sign-in first for anonymous visitors."""

from __future__ import annotations

import pytest

OPERATOR_PAGES = [
    ("get", "/operator/instansi"),
    ("get", "/operator/instansi/baru"),
    ("post", "/operator/instansi/baru"),
    ("get", "/operator/instansi/{agency}"),
    ("post", "/operator/instansi/{agency}"),
    ("get", "/operator/instansi/{agency}/satker/baru"),
    ("post", "/operator/instansi/{agency}/satker/baru"),
    ("get", "/operator/satker/{unit}"),
    ("post", "/operator/satker/{unit}"),
    ("post", "/operator/satker/{unit}/undang"),
]
OTHER_ROLES = ["seller", "coop_manager", "pp", "ppk", "bendahara"]


def request(client, method: str, url: str):
    return client.get(url) if method == "get" else client.post_form(url, {})


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize(("method", "url"), OPERATOR_PAGES)
def test_operator_pages_refuse_other_roles(client, login_as, agency, work_unit, role, method, url) -> None:
    login_as(role, work_unit=work_unit) if role in ("pp", "ppk", "bendahara") else login_as(role)

    response = request(client, method, url.format(agency=agency.id, unit=work_unit.id))

    assert response.status_code == 403


@pytest.mark.parametrize(("method", "url"), [*OPERATOR_PAGES, ("get", "/satker"), ("get", "/satker/{unit}")])
def test_anonymous_visitors_are_sent_to_sign_in(client, agency, work_unit, method, url) -> None:
    response = request(client, method, url.format(agency=agency.id, unit=work_unit.id))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


@pytest.mark.parametrize(("method", "url"), OPERATOR_PAGES)
def test_operators_may_open_them(client, login_as, agency, work_unit, method, url) -> None:
    login_as("operator")

    response = request(client, method, url.format(agency=agency.id, unit=work_unit.id))

    assert response.status_code in (200, 302, 422)


@pytest.mark.parametrize("role", ["seller", "coop_manager", "operator"])
def test_my_work_unit_refuses_non_buyers(client, login_as, work_unit, role) -> None:
    login_as(role)

    assert client.get("/satker").status_code == 403
    assert client.get(f"/satker/{work_unit.id}").status_code == 403


def test_post_without_csrf_token_is_refused(client, login_as, agency) -> None:
    login_as("operator")

    response = client.post("/operator/instansi/baru", data={"name": "X", "kind": "pemda_kota", "region_code": "35.76"})

    assert response.status_code == 400
