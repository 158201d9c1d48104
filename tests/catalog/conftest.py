"""Fixtures of the catalog tests: a cooperative with a maker, a manager, an operator and the catalog reference."""

from __future__ import annotations

import pytest

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import Product
from marketplace.catalog.services import create_listing
from marketplace.cooperatives.models import Cooperative
from tests.factories import CooperativeFactory, catalog_reference, listing, listing_data, seller, user_with_role


@pytest.fixture
def reference(db) -> dict:
    return catalog_reference()


@pytest.fixture
def cooperative(db) -> Cooperative:
    return CooperativeFactory(name="KKMP Gununggedangan")


@pytest.fixture
def maker(cooperative) -> User:
    return seller(cooperative, full_name="Bu Siti Beras")


@pytest.fixture
def manager(cooperative) -> User:
    return user_with_role(Role.COOP_MANAGER, cooperative=cooperative, full_name="Pak Pengurus")


@pytest.fixture
def operator(db) -> User:
    return user_with_role(Role.OPERATOR)


@pytest.fixture
def stranger(db) -> User:
    """A seller of another cooperative."""
    return seller(full_name="Penjual Lain")


@pytest.fixture
def draft(maker, reference) -> Product:
    """A product never approved (its first revision is a draft)."""
    return create_listing(actor=maker, data=listing_data(reference, sku="DRAFT-1")).product


@pytest.fixture
def live(maker, reference) -> Product:
    """A product on sale (approved revision 1)."""
    return listing(maker, reference, sku="LIVE-1")
