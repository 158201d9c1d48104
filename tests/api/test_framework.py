"""The API foundation: authentication, the error shape, validation paths, content types, language, pagination."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel, Field, ValidationError

from marketplace.accounts.models import Role
from marketplace.api.errors import domain_error, field_path, pydantic_message, validation_error
from marketplace.api.framework import REGISTRY, RouteSpec
from marketplace.api.schemas.common import Email, Nib, PageQuery
from marketplace.core.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from tests.api.conftest import error_of
from tests.factories import CooperativeFactory, UserFactory, seller, user_with_role

PUBLIC_ROUTES = {"create_token", "list_regions", "get_product", "list_products"}


def concrete_url(spec: RouteSpec) -> str:
    """The route's path with every parameter set to 1, without the /api/v1 prefix."""
    return re.sub(r"<(?:\w+:)?\w+>", "1", spec.rule)


def test_every_route_except_public_ones_needs_a_token(api) -> None:
    for spec in REGISTRY:
        for method in spec.methods:
            response = api.call(method, concrete_url(spec), json={})
            if spec.endpoint in PUBLIC_ROUTES:
                assert response.status_code != 401, spec.endpoint
                continue
            assert response.status_code == 401, (method, spec.rule)
            assert error_of(response)["code"] == "authentication_required"
            assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("spec", [s for s in REGISTRY if s.roles], ids=lambda s: s.endpoint)
def test_routes_refuse_other_roles_with_403_before_reading_the_body(api, spec: RouteSpec) -> None:
    outsider_role = next(role for role in Role if role not in spec.roles)
    user = user_with_role(outsider_role)
    for method in spec.methods:
        response = api.call(method, concrete_url(spec), user=user, data="not json")
        assert response.status_code == 403, (method, spec.rule, outsider_role)
        assert error_of(response)["code"] == "forbidden"


def test_invalid_token_is_401_with_an_invalid_token_challenge(api) -> None:
    response = api.get("/me", headers={"Authorization": "Bearer pu_not-a-real-token"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_other_authorization_schemes_are_refused(api) -> None:
    user = seller()
    token = api.token_for(user)
    assert api.get("/me", headers={"Authorization": f"Token {token}"}).status_code == 401
    assert api.get("/me", headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_a_browser_session_does_not_authenticate_the_api(api, client) -> None:
    user = user_with_role("operator")
    client.login(user)
    assert client.get("/api/v1/me").status_code == 401


def test_a_disabled_users_token_stops_working(api, db) -> None:
    user = seller()
    assert api.get("/me", user=user).status_code == 200
    user.is_enabled = False
    db.session.flush()
    response = api.get("/me", user=user)
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_unknown_api_url_is_a_json_404(api) -> None:
    response = api.get("/no-such-thing")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_wrong_method_is_a_json_405(api) -> None:
    response = api.delete("/me", user=seller())
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PATCH"}


def test_a_body_that_is_not_json_is_415(api) -> None:
    user = seller()
    response = api.call(
        "PATCH", "/me", user=user, data="full_name=Budi", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    assert api.call("PATCH", "/me", user=user).status_code == 415  # no body, no content type


@pytest.mark.parametrize("raw", ["{", '{"full_name": }', "", "\xff"])
def test_malformed_json_is_400_invalid_json(api, raw: str) -> None:
    response = api.call("PATCH", "/me", user=seller(), data=raw, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


def test_json_that_is_not_an_object_is_422(api) -> None:
    response = api.patch("/me", ["full_name"], user=seller())
    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_error"


def test_validation_errors_are_keyed_by_dotted_paths(api) -> None:
    user = seller()
    response = api.patch("/me/business", {"bank": {"name": "BRI", "account_number": 12}, "colour": "red"}, user=user)
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert fields == {
        "bank.account_number": "Masukkan teks.",  # "Enter text."
        "bank.account_name": "Wajib diisi.",  # "This field is required."
        "colour": "Kolom tidak dikenal.",  # "Unknown field."
    }


def test_list_items_are_keyed_by_index(api) -> None:
    operator = user_with_role("operator")
    unit = user_with_role("pp").work_unit
    body = {"email": "pp.baru@example.test", "full_name": "Bu Sri", "roles": ["ppk", "kepala"]}
    response = api.post(f"/work-units/{unit.id}/buyers", body, user=operator)
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert list(fields) == ["roles.1"]
    assert "'bendahara'" in fields["roles.1"]


def test_query_parameters_are_validated(api) -> None:
    response = api.get("/regions?per_page=500&page=abc")
    assert response.status_code == 422
    assert error_of(response)["fields"] == {
        "per_page": "Masukkan angka maksimal 100.",  # "Enter a number of at most 100."
        "page": "Masukkan bilangan bulat.",  # "Enter a whole number."
    }


def test_a_page_number_beyond_any_list_is_a_clear_422_not_a_crash(api, client) -> None:
    operator = user_with_role("operator")
    huge = "99999999999999999999"
    response = api.get(f"/cooperatives?page={huge}", user=operator)
    assert response.status_code == 422 and set(error_of(response)["fields"]) == {"page"}
    assert api.get("/cooperatives?page=100000", user=operator).json["items"] == []
    client.login(operator)
    assert client.get(f"/admin/users?page={huge}").status_code == 200  # pages clamp it


def test_pagination_envelope(api) -> None:
    first = api.get("/regions?parent=35.76.02&per_page=2")
    second = api.get("/regions?parent=35.76.02&per_page=2&page=2")
    assert first.status_code == second.status_code == 200
    assert set(first.json) == {"items", "total", "page", "per_page"}
    assert first.json["page"] == 1 and first.json["per_page"] == 2
    assert first.json["total"] == second.json["total"] > 2
    assert len(first.json["items"]) == 2
    assert first.json["items"][0]["code"] != second.json["items"][0]["code"]


def test_regions_are_public_and_check_the_parent(api) -> None:
    provinces = api.get("/regions?per_page=100").json
    assert {"code": "35", "name": "Jawa Timur"}.items() <= next(
        r for r in provinces["items"] if r["code"] == "35"
    ).items()
    kecamatan = api.get("/regions?parent=35.76").json["items"]
    assert [region["name"] for region in kecamatan] == ["Kranggan", "Magersari", "Prajuritkulon"]
    response = api.get("/regions?parent=99.99")
    assert response.status_code == 422
    assert "parent" in error_of(response)["fields"]


def test_messages_follow_the_token_owners_locale(api, db) -> None:
    user = seller()
    user.locale = "en"
    db.session.flush()
    english = api.patch("/me", {"locale": "fr"}, user=user, headers={"Accept-Language": "id"})
    assert english.headers["Content-Language"] == "en"
    assert error_of(english)["message"] == "Some fields are invalid."
    user.locale = "id"
    db.session.flush()
    assert api.get("/me", user=user, headers={"Accept-Language": "en"}).headers["Content-Language"] == "id"


def test_anonymous_messages_follow_accept_language(api) -> None:
    assert api.get("/regions", headers={"Accept-Language": "en-US,en;q=0.9"}).headers["Content-Language"] == "en"
    assert api.get("/regions", headers={"Accept-Language": "id, en;q=0.5"}).headers["Content-Language"] == "id"
    assert api.get("/regions", headers={"Accept-Language": "fr"}).headers["Content-Language"] == "id"
    assert api.get("/regions").headers["Content-Language"] == "id"
    assert api.get("/no-such-route", headers={"Accept-Language": "en"}).headers["Content-Language"] == "en"


def test_an_api_request_does_not_leak_its_language_into_pages(api, client, db) -> None:
    user = seller()
    user.locale = "en"
    db.session.flush()
    api.get("/me", user=user)
    page = client.get("/").get_data(as_text=True)
    assert 'lang="id"' in page


# Units: the mapping of pydantic errors and service errors -----------------------------------------------------------


class Sample(BaseModel):
    name: str = Field(min_length=2, max_length=3)
    count: int = Field(0, ge=1, le=5)
    nib: Nib | None = None
    email: Email | None = None
    tags: list[int] = []


def errors_of(data: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(data)
    return validation_error(caught.value).fields


def test_pydantic_errors_become_translatable_messages(app) -> None:
    # An API request asking for English: the API's before-request hook picks the language from Accept-Language.
    with app.test_request_context("/api/v1/regions", headers={"Accept-Language": "en"}):
        app.preprocess_request()
        assert errors_of({}) == {"name": "This field is required."}
        assert errors_of({"name": "a"})["name"] == "Enter at least 2 characters."
        assert errors_of({"name": "abcd"})["name"] == "Enter at most 3 characters."
        assert errors_of({"name": "ab", "count": "x"})["count"] == "Enter a whole number."
        assert errors_of({"name": "ab", "count": 9})["count"] == "Enter a number of at most 5."
        assert errors_of({"name": "ab", "nib": "123"})["nib"] == "NIB must be 13 digits."
        email_error = errors_of({"name": "ab", "email": "not-an-email"})["email"]
        assert email_error == "Enter a valid email address, e.g. nama@contoh.co.id."
        assert errors_of({"name": "ab", "tags": [1, "x"]}) == {"tags.1": "Enter a whole number."}
        assert errors_of({"name": None})["name"] == "This field cannot be null."
    # Without Accept-Language the API answers in the default language, Indonesian.
    with app.test_request_context("/api/v1/regions"):
        app.preprocess_request()
        assert errors_of({}) == {"name": "Wajib diisi."}
        assert errors_of({"name": "ab", "count": 9})["count"] == "Masukkan angka maksimal 5."
        assert errors_of({"name": "ab", "nib": "123"})["nib"] == "NIB harus 13 digit."


def test_field_path_joins_locations() -> None:
    assert field_path(("bank", "account_number")) == "bank.account_number"
    assert field_path(("roles", 0)) == "roles.0"


def test_unknown_pydantic_error_types_get_a_generic_message(app) -> None:
    with app.test_request_context():
        assert pydantic_message({"type": "uuid_parsing", "loc": ("x",), "input": "y"})


def test_domain_errors_map_to_statuses_and_api_field_names(app) -> None:
    with app.test_request_context():
        assert domain_error(NotFound("internal detail")).status == 404
        assert domain_error(NotFound("internal detail")).message != "internal detail"
        assert domain_error(Forbidden("operators only")).status == 403
        assert domain_error(Conflict("Closed.")).status == 409
        moved = domain_error(IllegalTransition("membership", "active", "approve"))
        assert (moved.status, moved.code) == (409, "illegal_transition")
        failed = domain_error(
            ValidationFailed("x", {"bank_name": "Required", "nib": "Bad"}), {"bank_name": "bank.name"}
        )
        assert failed.status == 422
        assert failed.fields == {"bank.name": "Required", "nib": "Bad"}


def test_page_query_defaults_to_page_size(app) -> None:
    assert PageQuery().page == 1
    assert PageQuery().per_page is None


def test_api_does_not_need_a_csrf_token(api) -> None:
    operator = user_with_role("operator")
    cooperative = CooperativeFactory()
    response = api.patch(f"/cooperatives/{cooperative.id}", {"phone": "0812 3456 7890"}, user=operator)
    assert response.status_code == 200


def test_roles_are_not_implied_by_operator(api) -> None:
    operator = UserFactory(roles=[Role.OPERATOR])
    assert api.patch("/me/business", {"nib": "1234567890123"}, user=operator).status_code == 403
