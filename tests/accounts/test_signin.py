"""authenticate: throttled per account and per IP, audited, and silent about which accounts exist."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace.accounts.models import LoginAttempt, Role
from marketplace.accounts.services import InvalidCredentials, authenticate, record_logout
from marketplace.accounts.throttle import TooManyAttempts
from tests.accounts.helpers import events
from tests.factories import PASSWORD, UserFactory, user_with_role

IP = "203.0.113.7"
WRONG_PASSWORD = "salah sekali kata sandinya"


def test_authenticate_returns_the_user_and_records_the_sign_in(db) -> None:
    user = user_with_role(Role.SELLER, email="budi@example.test")
    assert user.last_login_at is None

    assert authenticate(email=" Budi@Example.TEST ", password=PASSWORD, ip_address=IP) is user

    assert user.last_login_at is not None
    [event] = events("auth.login", user.id)
    assert event.actor_id == user.id
    attempt = db.session.scalar(select(LoginAttempt))
    assert (attempt.email, attempt.ip_address, attempt.succeeded) == ("budi@example.test", IP, True)


def _failure(email: str, password: str | None = None, ip: str = IP) -> InvalidCredentials:
    with pytest.raises(InvalidCredentials) as caught:
        authenticate(email=email, password=WRONG_PASSWORD if password is None else password, ip_address=ip)
    return caught.value


def test_every_kind_of_failure_gives_the_same_answer(db) -> None:
    UserFactory(email="ada@example.test")
    UserFactory(email="nonaktif@example.test", is_enabled=False)
    UserFactory(email="diundang@example.test", password_hash=None)

    failures = [
        _failure("ada@example.test"),  # wrong password
        _failure("tidak-ada@example.test", PASSWORD),  # unknown email
        _failure("nonaktif@example.test", PASSWORD),  # disabled account, right password
        _failure("diundang@example.test", PASSWORD),  # invited, no password yet
        _failure("", ""),
    ]

    assert len({(f.message, f.status, f.code) for f in failures}) == 1
    logged = events("auth.login_failed")
    assert [e.after["email"] for e in logged] == [
        "ada@example.test",
        "tidak-ada@example.test",
        "nonaktif@example.test",
        "diundang@example.test",
        "",
    ]
    assert all(e.actor_id is None for e in logged)
    assert db.session.scalars(select(LoginAttempt.succeeded)).all() == [False] * 5


def test_account_is_blocked_after_too_many_failures(app: Flask, db) -> None:
    user = UserFactory(email="budi@example.test")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for n in range(limit):
        _failure("budi@example.test", ip=f"198.51.100.{n}")

    with pytest.raises(TooManyAttempts) as caught:
        authenticate(email="BUDI@example.test", password=PASSWORD, ip_address="192.0.2.1")
    assert 1 <= caught.value.retry_after_minutes <= app.config["LOGIN_WINDOW_SECONDS"] // 60
    assert user.last_login_at is None
    # A blocked attempt is not recorded (it would only prolong the block).
    assert len(db.session.scalars(select(LoginAttempt)).all()) == limit
    # Another account from the same addresses still signs in.
    other = UserFactory(email="sri@example.test")
    assert authenticate(email="sri@example.test", password=PASSWORD, ip_address="198.51.100.0") is other


def test_address_is_blocked_after_too_many_failures(app: Flask, db, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_IP", 3)
    user = UserFactory(email="budi@example.test")
    for n in range(3):
        _failure(f"tebakan{n}@example.test")

    with pytest.raises(TooManyAttempts):
        authenticate(email="budi@example.test", password=PASSWORD, ip_address=IP)
    assert authenticate(email="budi@example.test", password=PASSWORD, ip_address="192.0.2.99") is user


def test_failures_outside_the_window_do_not_count(app: Flask, db, monkeypatch: pytest.MonkeyPatch) -> None:
    user = UserFactory(email="budi@example.test")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        _failure("budi@example.test")
    monkeypatch.setitem(app.config, "LOGIN_WINDOW_SECONDS", 0)
    assert authenticate(email="budi@example.test", password=PASSWORD, ip_address=IP) is user


def test_record_logout_is_audited(db) -> None:
    user = UserFactory()
    record_logout(user)
    assert [e.actor_id for e in events("auth.logout", user.id)] == [user.id]
