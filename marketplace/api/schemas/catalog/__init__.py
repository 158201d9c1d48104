"""Schemas of the catalog: listings (a product's e-Katalog data), products, reviews and bulk uploads."""

from marketplace.api.schemas.catalog.listings import (
    AttachmentOut,
    ImageOut,
    ListingOut,
    MakerOut,
    ProductOut,
    RevisionOut,
)
from marketplace.api.schemas.catalog.requests import (
    ListingIn,
    ProductCreate,
    ProductUpdate,
    WithdrawIn,
    listing_raw,
)
from marketplace.api.schemas.catalog.reviews import (
    FieldChangeOut,
    IssueOut,
    RejectIn,
    RequestChangesIn,
    ReviewDetailOut,
    ReviewOut,
    ReviewQuery,
)
from marketplace.api.schemas.catalog.search import ProductCardOut, ProductCardPage, ProductQuery

__all__ = [
    "AttachmentOut",
    "FieldChangeOut",
    "ImageOut",
    "IssueOut",
    "ListingIn",
    "ListingOut",
    "MakerOut",
    "ProductCardOut",
    "ProductCardPage",
    "ProductCreate",
    "ProductOut",
    "ProductQuery",
    "ProductUpdate",
    "RejectIn",
    "RequestChangesIn",
    "ReviewDetailOut",
    "ReviewOut",
    "ReviewQuery",
    "RevisionOut",
    "WithdrawIn",
    "listing_raw",
]
