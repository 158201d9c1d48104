"""Lifecycles of the catalog: a listing revision under review, and the product that is sold or withdrawn."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from marketplace.core.lifecycle import Lifecycle


class RevisionStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"
    #: Was approved and live; a newer approved revision replaced it.
    SUPERSEDED = "superseded"


class ProductStatus(enum.StrEnum):
    #: Never approved: not sold, not exported.
    DRAFT = "draft"
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


#: draft → submitted → approved | rejected | changes_requested; changes_requested → submitted (after editing);
#: approved → superseded when a newer revision goes live. Audited as `revision.<action>`.
REVISION = Lifecycle(
    "revision",
    {
        "submit": ({RevisionStatus.DRAFT, RevisionStatus.CHANGES_REQUESTED}, RevisionStatus.SUBMITTED),
        "approve": ({RevisionStatus.SUBMITTED}, RevisionStatus.APPROVED),
        "reject": ({RevisionStatus.SUBMITTED}, RevisionStatus.REJECTED),
        "request_changes": ({RevisionStatus.SUBMITTED}, RevisionStatus.CHANGES_REQUESTED),
        "supersede": ({RevisionStatus.APPROVED}, RevisionStatus.SUPERSEDED),
    },
)

#: Revisions the seller may still edit in place.
EDITABLE_REVISION_STATES = frozenset({RevisionStatus.DRAFT, RevisionStatus.CHANGES_REQUESTED})
#: Revisions still on their way (at most one per product).
OPEN_REVISION_STATES = frozenset({RevisionStatus.DRAFT, RevisionStatus.SUBMITTED, RevisionStatus.CHANGES_REQUESTED})

#: draft → active (first approval); active → withdrawn; withdrawn → active (an approved revision brings it back).
PRODUCT = Lifecycle(
    "product",
    {
        "publish": ({ProductStatus.DRAFT}, ProductStatus.ACTIVE),
        "withdraw": ({ProductStatus.ACTIVE}, ProductStatus.WITHDRAWN),
        "relist": ({ProductStatus.WITHDRAWN}, ProductStatus.ACTIVE),
    },
)

REVISION_LABELS = {
    RevisionStatus.DRAFT: _l("Draft"),
    RevisionStatus.SUBMITTED: _l("Waiting for review"),
    RevisionStatus.APPROVED: _l("Approved"),
    RevisionStatus.REJECTED: _l("Rejected"),
    RevisionStatus.CHANGES_REQUESTED: _l("Changes requested"),
    RevisionStatus.SUPERSEDED: _l("Replaced by a newer version"),
}

PRODUCT_LABELS = {
    ProductStatus.DRAFT: _l("Not yet published"),
    ProductStatus.ACTIVE: _l("On sale"),
    ProductStatus.WITHDRAWN: _l("Withdrawn"),
}
