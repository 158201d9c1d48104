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
