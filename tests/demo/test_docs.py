"""README.md and .env.example describe every setting config.py reads from the environment."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_FROM_ENVIRONMENT = re.compile(r"""\benv(?:_int|_bool)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def settings() -> set[str]:
    names = set(READ_FROM_ENVIRONMENT.findall((ROOT / "config.py").read_text()))
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "MARKETPLACE_ENV"} <= names  # the scan works
    return names


def test_readme_documents_every_setting() -> None:
    table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", (ROOT / "README.md").read_text(), re.MULTILINE))
    assert sorted(settings() - table) == []
    assert sorted(table - settings() - {"PORT"}) == []  # nothing documented that no longer exists


def test_env_example_lists_the_same_settings() -> None:
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert sorted(settings() - listed) == []
    assert sorted(listed - settings() - {"PORT"}) == []


def test_readme_lists_the_demo_password_and_login_patterns() -> None:
    from marketplace.demo import DEMO_PASSWORD

    readme = (ROOT / "README.md").read_text()
    assert f"`{DEMO_PASSWORD}`" in readme
    for pattern in ("operator@demo.test", "pengurus.<kelurahan>@demo.test", "penjual.<kelurahan>.<n>@demo.test"):
        assert pattern in readme
    for role in ("pp", "ppk", "bendahara"):
        assert f"{role}.<unit>@demo.test" in readme
