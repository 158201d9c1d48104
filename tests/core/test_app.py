from __future__ import annotations

import pytest

from config import ConfigError, ProductionConfig


def test_health(client) -> None:
    assert client.get("/healthz").json == {"status": "ok"}


def test_production_refuses_to_start_without_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY, DATABASE_URL"):
        ProductionConfig.finalize({"INSTANCE_PATH": "/tmp/x"})


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
