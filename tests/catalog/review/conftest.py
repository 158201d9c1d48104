"""Fixtures for the review tests: a cooperative with a manager and a member, listings under review, images."""

from __future__ import annotations

import pytest

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import ProductRevision
from marketplace.catalog.services import create_listing
from marketplace.cooperatives.models import Cooperative
from tests.factories import (
    CooperativeFactory,
    catalog_reference,
    listing_data,
    seller,
    user_with_role,
)


@pytest.fixture
def reference(db) -> dict:
    return catalog_reference()


@pytest.fixture
def cooperative(db) -> Cooperative:
    return CooperativeFactory(phone="0321-123456")


@pytest.fixture
def manager(cooperative) -> User:
    return user_with_role(Role.COOP_MANAGER, cooperative=cooperative, full_name="Bu Pengurus")


@pytest.fixture
def maker(cooperative) -> User:
    return seller(cooperative, full_name="Pak Darmo", email="darmo@umkm.test")


def submitted(maker: User, reference: dict, **overrides) -> ProductRevision:
    """A new listing of `maker` submitted for review."""
    return create_listing(actor=maker, data=listing_data(reference, **overrides), submit=True)
