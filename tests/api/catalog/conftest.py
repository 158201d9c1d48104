"""Catalog API fixtures: the reference lists, a seller (maker) with a manager, and products in each state."""

from __future__ import annotations

import pytest

from marketplace.accounts.models import Role
from tests.factories import catalog_reference, listing, listing_data, seller, user_with_role


@pytest.fixture
def reference(db) -> dict:
    return catalog_reference()


@pytest.fixture
def maker():
    """An active member of a (non-PKP) cooperative."""
    return seller()


@pytest.fixture
def cooperative(maker):
    return maker.membership.cooperative


@pytest.fixture
def manager(cooperative):
    return user_with_role(Role.COOP_MANAGER, cooperative=cooperative)


@pytest.fixture
def live_product(maker, reference):
    """An approved product on sale."""
    return listing(maker, reference)


@pytest.fixture
def draft_product(maker, reference):
    """A product never submitted."""
    return listing(maker, reference, approved=False, sku="BRS-DRAFT")


def body(reference: dict, **overrides) -> dict:
    """A valid JSON body for POST /products."""
    return listing_data(reference, **overrides)
