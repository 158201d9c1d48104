from __future__ import annotations

import pytest

from config import ConfigError, DevelopmentConfig, ProductionConfig


def test_health(client) -> None:
    assert client.get("/healthz").json == {"status": "ok"}


def test_production_refuses_to_start_without_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY, DATABASE_URL, PUBLIC_BASE_URL"):
        ProductionConfig.finalize({"INSTANCE_PATH": "/tmp/x", "PUBLIC_BASE_URL": "http://127.0.0.1:5000"})


def test_development_without_secret_key_makes_its_own_once_and_keeps_it(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first, second, elsewhere = (
        {"INSTANCE_PATH": tmp_path},
        {"INSTANCE_PATH": tmp_path},
        {"INSTANCE_PATH": tmp_path / "b"},
    )
    for config in (first, second, elsewhere):
        config["SECRET_KEY"] = None
        DevelopmentConfig.finalize(config)
    assert len(first["SECRET_KEY"]) >= 48 and first["SECRET_KEY"] == second["SECRET_KEY"]
    assert elsewhere["SECRET_KEY"] != first["SECRET_KEY"]  # each installation its own
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".secret_key")] == []


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(tmp_path) -> None:
    from flask import request

    from marketplace import create_app

    app = create_app("testing", {"INSTANCE_PATH": tmp_path, "PROXY_FIX_HOPS": 1})
    seen = []
    app.add_url_rule("/whoami", "whoami", lambda: seen.append(request.remote_addr) or "ok")
    app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    direct = create_app("testing", {"INSTANCE_PATH": tmp_path})
    direct.add_url_rule("/whoami", "whoami", lambda: seen.append(request.remote_addr) or "ok")
    direct.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen == ["203.0.113.7", "127.0.0.1"]
