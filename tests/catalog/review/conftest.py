"""Fixtures for the review tests: a cooperative with a manager and a member, listings under review, images."""

from __future__ import annotations

import uuid

import pytest

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import ProductImage, ProductRevision, RevisionImage
from marketplace.catalog.services import create_listing
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from tests.factories import CooperativeFactory, catalog_reference, listing_data, seller, user_with_role


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


def add_image(
    revision: ProductRevision, *, width: int = 800, height: int = 800, sizes: tuple[int, ...] = (50, 100, 300, 800)
) -> ProductImage:
    """Attach an image row (no file) to the revision, as the media service records one."""
    image = ProductImage(
        product_id=revision.product_id,
        storage_key=f"products/{revision.product_id}/{uuid.uuid4().hex}.jpg",
        content_type="image/jpeg",
        width=width,
        height=height,
        byte_size=1000,
        sizes=list(sizes),
        uploaded_by_id=revision.author_id,
    )
    db.session.add(image)
    db.session.flush()
    revision.images.append(
        RevisionImage(image_id=image.id, image=image, position=len(revision.images), is_main=not revision.images)
    )
    db.session.flush()
    return image
