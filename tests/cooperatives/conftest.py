"""Fixtures of the cooperatives tests: a cooperative with a manager, an operator and applicants."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative, Membership
from tests.factories import CooperativeFactory, seller, user_with_role


@pytest.fixture
def cooperative(db) -> Cooperative:
    return CooperativeFactory(name="KKMP Gununggedangan", code="kkmp-gununggedangan")


@pytest.fixture
def other_cooperative(db) -> Cooperative:
    return CooperativeFactory(name="KKMP Kedundung", code="kkmp-kedundung")


@pytest.fixture
def manager(cooperative: Cooperative) -> User:
    return user_with_role("coop_manager", cooperative=cooperative, full_name="Bu Sri Pengurus")


@pytest.fixture
def operator(db) -> User:
    return user_with_role("operator", full_name="Pak Operator")


@pytest.fixture
def make_member(cooperative: Cooperative):
    """Create a seller with a membership in `cooperative` (or another) in the given status."""

    def _make(status: str = "pending", coop: Cooperative | None = None, **user_kwargs) -> Membership:
        return seller(coop or cooperative, status=status, **user_kwargs).membership

    return _make


@pytest.fixture
def applicant(make_member) -> Membership:
    """A pending application in `cooperative`."""
    return make_member("pending", full_name="Siti Aminah", email="siti@example.test")


@pytest.fixture
def request_ctx(app) -> Iterator[None]:
    """A request context, for services that build absolute links (invitations)."""
    with app.test_request_context("/", base_url="http://pasar.test"):
        yield
