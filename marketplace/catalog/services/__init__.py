"""Catalog use cases. Import from here: `from marketplace.catalog.services import create_listing`."""

from marketplace.catalog.services.listings import (
    create_listing,
    editable_product,
    open_revision,
    submit_listing,
    update_listing,
    visible_product,
    withdraw_product,
)
from marketplace.catalog.services.review import (
    approve_revision,
    reject_revision,
    request_changes,
    review_queue,
    reviewable_revision,
)

__all__ = [
    "approve_revision",
    "create_listing",
    "editable_product",
    "open_revision",
    "reject_revision",
    "request_changes",
    "review_queue",
    "reviewable_revision",
    "submit_listing",
    "update_listing",
    "visible_product",
    "withdraw_product",
]
