"""Fixtures of the accounts tests (helpers live in tests/accounts/helpers.py)."""

from __future__ import annotations

import pytest

from tests.factories import CooperativeFactory


@pytest.fixture(autouse=True)
def english_pages(request: pytest.FixtureRequest) -> None:
    """Pages in English, so assertions read the source texts (Indonesian, the default, has its own tests)."""
    if "client" in request.fixturenames:
        client = request.getfixturevalue("client")
        with client.session_transaction() as session:
            session["lang"] = "en"


@pytest.fixture
def cooperative(db):
    return CooperativeFactory(name="KKMP Gununggedangan", region_code="35.76.02.1001")
