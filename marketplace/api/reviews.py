"""The cooperative's review of listings: the queue, one revision beside the live version, and the decisions."""

from __future__ import annotations

from marketplace.accounts.models import Role
from marketplace.api.auth import api_user
from marketplace.api.errors import invalid_fields
from marketplace.api.framework import api_route, paginated
from marketplace.api.schemas.catalog import (
    FieldChangeOut,
    ListingOut,
    RejectIn,
    RequestChangesIn,
    ReviewDetailOut,
    ReviewOut,
    ReviewQuery,
)
from marketplace.api.schemas.common import page_of
from marketplace.catalog import services
from marketplace.catalog.display import listing_diff
from marketplace.catalog.models import ProductRevision
from marketplace.catalog.quality import Issue, check_listing
from marketplace.core.errors import ValidationFailed
from marketplace.core.pagination import Page

TAGS = ["reviews"]
#: Managers review their own cooperative's listings; another cooperative's revision is 404.
REVIEWERS = (Role.COOP_MANAGER,)
REVIEW = "/reviews/<int:revision_id>"


def quality_issues(revision: ProductRevision) -> list[Issue]:
    """The e-Katalog feed's errors and warnings for the revision."""
    return check_listing(revision.product, revision)


def review_out(revision: ProductRevision) -> ReviewOut:
    """The revision as its reviewers see it, with the quality issues."""
    return ReviewOut(**ReviewOut.review_values(revision, quality_issues(revision)))


@api_route(
    "/reviews",
    query=ReviewQuery,
    response=page_of(ReviewOut),
    roles=REVIEWERS,
    description="Revisions of the manager's cooperative waiting for review, oldest first, with the quality issues "
    "the e-Katalog feed would report.",
    tags=TAGS,
)
def list_reviews(query: ReviewQuery) -> Page:
    """List the listings waiting for review."""
    user = api_user()
    statement = services.review_queue(
        cooperative_id=user.cooperative_id, seller_id=query.seller_id, category_id=query.category_id
    )
    page = paginated(statement, query)
    page.items = [review_out(revision) for revision in page.items]
    return page


@api_route(
    REVIEW,
    response=ReviewDetailOut,
    roles=REVIEWERS,
    description="The proposed data beside the live version, field by field, with the feed's errors and warnings.",
    tags=TAGS,
)
def get_review(revision_id: int) -> ReviewDetailOut:
    """Show a revision beside the live version."""
    revision = services.reviewable_revision(actor=api_user(), revision_id=revision_id)
    product = revision.product
    changes = listing_diff(product.live_revision, revision)
    return ReviewDetailOut(
        **ReviewOut.review_values(revision, quality_issues(revision)),
        live=ListingOut.live_of(product),
        changes=[FieldChangeOut(**vars(change), changed=change.changed) for change in changes],
    )


@api_route(
    f"{REVIEW}/approve",
    methods=["POST"],
    response=ReviewOut,
    roles=REVIEWERS,
    description="The revision becomes the live version: the product goes (back) on sale and into the next feed; "
    "the seller is notified. 409 unless the revision is waiting for review; 422 while the data has errors by the "
    "e-Katalog feed rules (`error.fields` names them; request changes instead).",
    tags=TAGS,
    errors=(409, 422),
)
def approve_review(revision_id: int) -> ReviewOut:
    """Approve a revision."""
    try:
        revision = services.approve_revision(actor=api_user(), revision_id=revision_id)
    except ValidationFailed as error:  # the feed's errors: keep the service's message saying what to do instead
        raise invalid_fields(dict(error.fields), str(error.message)) from error
    return review_out(revision)


@api_route(
    f"{REVIEW}/reject",
    methods=["POST"],
    body=RejectIn,
    response=ReviewOut,
    roles=REVIEWERS,
    description="The live version (if any) stays on sale; the seller is notified with the reason. 409 unless the "
    "revision is waiting for review.",
    tags=TAGS,
    errors=(409,),
)
def reject_review(revision_id: int, body: RejectIn) -> ReviewOut:
    """Reject a revision, with a reason."""
    return review_out(services.reject_revision(actor=api_user(), revision_id=revision_id, reason=body.reason))


@api_route(
    f"{REVIEW}/request-changes",
    methods=["POST"],
    body=RequestChangesIn,
    response=ReviewOut,
    roles=REVIEWERS,
    description="Sends the revision back to the seller with notes; they edit it and submit it again. 409 unless "
    "the revision is waiting for review.",
    tags=TAGS,
    errors=(409,),
)
def request_review_changes(revision_id: int, body: RequestChangesIn) -> ReviewOut:
    """Send a revision back with notes."""
    return review_out(services.request_changes(actor=api_user(), revision_id=revision_id, notes=body.notes))
