"""Fixtures for the reference-data tests."""

from __future__ import annotations

import pytest

from marketplace.accounts.models import Role, User
from tests.factories import user_with_role


@pytest.fixture
def operator(db) -> User:
    return user_with_role(Role.OPERATOR, full_name="Operator UKPBJ")
