"""Fixtures of the agencies tests: an operator, a city with two work units and their buyers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from marketplace.accounts.models import User
from marketplace.agencies.models import Agency, WorkUnit
from tests.factories import AgencyFactory, WorkUnitFactory, user_with_role


@pytest.fixture
def operator(db) -> User:
    return user_with_role("operator", full_name="Pak Operator", email="operator@example.test")


@pytest.fixture
def agency(db) -> Agency:
    return AgencyFactory(name="Pemerintah Kota Mojokerto", kind="pemda_kota", region_code="35.76")


@pytest.fixture
def work_unit(agency: Agency) -> WorkUnit:
    return WorkUnitFactory(agency=agency, name="Dinas Sosial", short_code="dinsos", kode_satker="351001")


@pytest.fixture
def other_work_unit(agency: Agency) -> WorkUnit:
    return WorkUnitFactory(agency=agency, name="Dinas Pendidikan", short_code="dindik", kode_satker="351002")


@pytest.fixture
def other_agency(db) -> Agency:
    return AgencyFactory(name="Pemerintah Kabupaten Mojokerto", kind="pemda_kabupaten", region_code="35.16")


@pytest.fixture
def pp(work_unit: WorkUnit) -> User:
    return user_with_role("pp", work_unit=work_unit, full_name="Andi PP", email="andi.pp@example.test")


@pytest.fixture
def request_ctx(app) -> Iterator[None]:
    """A request context, for services that build absolute links (invitations)."""
    with app.test_request_context("/", base_url="http://pasar.test"):
        yield
