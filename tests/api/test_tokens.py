"""Personal access tokens: create with email and password, use, list, revoke; no enumeration; throttling."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts.models import ApiToken, LoginAttempt, Role
from marketplace.core.audit import AuditEvent
from tests.api.conftest import error_of
from tests.factories import PASSWORD, UserFactory, seller, user_with_role


def create_token(api, email: str, password: str = PASSWORD, **extra):
    return api.post("/tokens", {"email": email, "password": password, **extra})


def test_create_token_with_email_and_password_and_use_it(api, db) -> None:
    user = seller(email="budi@example.test")
    response = create_token(api, "Budi@Example.test", name="Laptop kasir")
    assert response.status_code == 201
    body = response.json
    assert body["token"].startswith("pu_")
    assert body["name"] == "Laptop kasir"
    assert body["prefix"] == body["token"][:10]
    assert body["revoked_at"] is None

    me = api.get("/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json["email"] == "budi@example.test"

    stored = db.session.get(ApiToken, body["id"])
    assert stored.token_hash != body["token"] and body["token"] not in stored.token_hash
    assert stored.last_used_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.create"))
    assert event.actor_id == user.id and event.subject_id == body["id"]


def test_token_name_defaults_to_api(api) -> None:
    user = seller()
    assert create_token(api, user.email).json["name"] == "API"


@pytest.mark.parametrize("case", ["unknown_email", "wrong_password", "disabled", "invited_without_password"])
def test_wrong_credentials_all_get_the_same_401(api, db, case: str) -> None:
    user = seller(email="siti@example.test")
    email, password = user.email, PASSWORD
    if case == "unknown_email":
        email = "nobody@example.test"
    elif case == "wrong_password":
        password = "not-the-password-123"
    elif case == "disabled":
        user.is_enabled = False
    else:
        user.password_hash = None
    db.session.flush()
    response = create_token(api, email, password)
    assert response.status_code == 401
    error = error_of(response)
    assert error == {"code": "invalid_credentials", "message": "Email atau kata sandi salah.", "fields": {}}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id)) is None
    failed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login_failed"))
    assert failed.after == {"email": email}


def test_missing_fields_are_422(api) -> None:
    response = api.post("/tokens", {"email": "x@example.test"})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"password": "Wajib diisi."}  # "This field is required."


def test_token_creation_is_throttled_per_account(api, app, db) -> None:
    user = seller()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert create_token(api, user.email, "wrong-password-123").status_code == 401
    blocked = create_token(api, user.email)  # even the right password is refused while blocked
    assert blocked.status_code == 429
    assert error_of(blocked)["code"] == "too_many_attempts"
    assert 0 < int(blocked.headers["Retry-After"]) <= app.config["LOGIN_WINDOW_SECONDS"]
    attempts = db.session.scalars(select(LoginAttempt).where(LoginAttempt.email == user.email)).all()
    assert [a.succeeded for a in attempts] == [False] * limit


def test_token_creation_is_throttled_per_address(api, app, db) -> None:
    app.config["LOGIN_MAX_FAILURES_PER_IP"], saved = 3, app.config["LOGIN_MAX_FAILURES_PER_IP"]
    try:
        for n in range(3):
            create_token(api, f"guess{n}@example.test", "wrong-password-123")
        assert create_token(api, seller().email).status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_IP"] = saved


def test_list_my_tokens_paginated(api) -> None:
    user = seller()
    other = seller()
    for n in range(3):
        create_token(api, user.email, name=f"t{n}")
    create_token(api, other.email, name="not mine")
    listing = api.get("/tokens?per_page=2", user=user)  # the helper adds a 4th token, "tests"
    assert listing.status_code == 200
    assert listing.json["total"] == 4 and listing.json["per_page"] == 2
    assert len(listing.json["items"]) == 2
    page_two = api.get("/tokens?per_page=2&page=2", user=user).json["items"]
    names = {item["name"] for item in listing.json["items"] + page_two}
    assert names == {"t0", "t1", "t2", "tests"}
    assert all("token" not in item and "token_hash" not in item for item in page_two)


def test_revoked_token_stops_working(api, db) -> None:
    user = seller()
    created = create_token(api, user.email).json
    bearer = {"Authorization": f"Bearer {created['token']}"}
    assert api.get("/me", headers=bearer).status_code == 200

    response = api.delete(f"/tokens/{created['id']}", user=user)
    assert response.status_code == 204
    assert response.get_data() == b""
    refused = api.get("/me", headers=bearer)
    assert refused.status_code == 401
    assert error_of(refused)["code"] == "invalid_token"
    listed = {item["id"]: item for item in api.get("/tokens", user=user).json["items"]}
    assert listed[created["id"]]["revoked_at"] is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.revoke")).actor_id == user.id


def test_a_token_can_revoke_itself(api) -> None:
    user = seller()
    created = create_token(api, user.email).json
    bearer = {"Authorization": f"Bearer {created['token']}"}
    assert api.delete(f"/tokens/{created['id']}", headers=bearer).status_code == 204
    assert api.get("/tokens", headers=bearer).status_code == 401


def test_another_users_token_is_404(api, db) -> None:
    owner = seller()
    created = create_token(api, owner.email).json
    response = api.delete(f"/tokens/{created['id']}", user=user_with_role("operator"))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert db.session.get(ApiToken, created["id"]).revoked_at is None


def test_every_role_can_create_tokens(api) -> None:
    user = UserFactory(roles=[Role.BENDAHARA])
    assert create_token(api, user.email).status_code == 201
