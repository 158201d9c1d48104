"""The cooperative's review of listings: the queue, a revision beside the live version, and decisions."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from marketplace.api.schemas.catalog.listings import ListingOut, MakerOut, RevisionOut
from marketplace.api.schemas.common import InModel, OutModel, PageQuery
from marketplace.catalog.models import ProductRevision
from marketplace.catalog.states import ProductStatus


class ReviewQuery(PageQuery):
    status: Literal["submitted"] = Field("submitted", description="Revisions waiting for the cooperative's review")
    seller_id: int | None = Field(None, description="Only this member's listings (user id)")
    category_id: int | None = Field(None, description="Only listings of this category")


class IssueOut(OutModel):
    """A problem the e-Katalog feed would have with the data: errors keep the product out of the feed."""

    level: Literal["error", "warning"]
    code: str = Field(description="Machine-readable kind, e.g. validity_past")
    field: str = Field(description="The API field name")
    column: str = Field(description="The feed's column name")
    message: str


class ProductRef(OutModel):
    id: int
    sku: str
    status: ProductStatus
    live_revision_id: int | None
    seller: MakerOut


class ReviewOut(RevisionOut):
    """A revision as its reviewers see it: the product, whether it is new, and the feed's quality issues."""

    product: ProductRef
    kind: Literal["new", "change"] = Field(description="A new product, or a change to one already approved")
    issues: list[IssueOut] = Field(description="Errors and warnings of the e-Katalog feed rules")

    @classmethod
    def review_values(cls, revision: ProductRevision, issues: list[Any]) -> dict[str, Any]:
        """The fields of this schema for a revision and its quality issues."""
        product = revision.product
        return {
            **RevisionOut.of(revision).model_dump(),
            "product": ProductRef(
                id=product.id,
                sku=product.sku,
                status=product.status,
                live_revision_id=product.live_revision_id,
                seller=MakerOut.of(product.seller),
            ),
            "kind": "new" if revision.number == 1 else "change",  # only an approved product gets a second revision
            "issues": [IssueOut.model_validate(issue, from_attributes=True) for issue in issues],
        }


class FieldChangeOut(OutModel):
    field: str
    label: str
    live: str = Field(description="The live value as people read it (empty for a new product)")
    proposed: str
    changed: bool


class ReviewDetailOut(ReviewOut):
    """A revision beside the live version, field by field."""

    live: ListingOut | None = Field(description="The version on sale now; null for a new product")
    changes: list[FieldChangeOut] = Field(description="Every field with its live and proposed value")


class RejectIn(InModel):
    reason: str = Field(description="Why it is rejected (at least 10 characters), sent to the seller")


class RequestChangesIn(InModel):
    notes: str = Field(description="What to change (at least 10 characters), sent to the seller")
