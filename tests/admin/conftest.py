"""Fixtures of the back-office tests: an operator, a work unit with a buyer, a cooperative."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from marketplace.accounts.models import User
from marketplace.agencies.models import WorkUnit
from marketplace.cooperatives.models import Cooperative
from tests.factories import CooperativeFactory, WorkUnitFactory, user_with_role


@pytest.fixture
def operator(db) -> User:
    return user_with_role("operator", full_name="Pak Operator", email="operator@example.test")


@pytest.fixture
def work_unit(db) -> WorkUnit:
    return WorkUnitFactory(name="Dinas Sosial", short_code="dinsos")


@pytest.fixture
def cooperative(db) -> Cooperative:
    return CooperativeFactory(name="KKMP Gununggedangan")


@pytest.fixture
def buyer(work_unit: WorkUnit) -> User:
    return user_with_role("pp", work_unit=work_unit, full_name="Andi PP", email="andi.pp@example.test")


@pytest.fixture
def request_ctx(app) -> Iterator[None]:
    """A request context, for services that build absolute links (invitations)."""
    with app.test_request_context("/", base_url="http://pasar.test"):
        yield
