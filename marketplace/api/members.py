"""Members of a cooperative: list, show, and decide (approve, reject, suspend, reactivate)."""

from __future__ import annotations

from marketplace.api.auth import api_user
from marketplace.api.cooperatives import MANAGERS
from marketplace.api.errors import not_found
from marketplace.api.framework import api_route, paginated
from marketplace.api.schemas.common import page_of
from marketplace.api.schemas.cooperatives import MemberQuery, MembershipOut, ReasonIn
from marketplace.cooperatives import services
from marketplace.cooperatives.models import Membership
from marketplace.core.pagination import Page

TAGS = ["members"]
MEMBER = "/cooperatives/<int:cooperative_id>/members/<int:membership_id>"


def _membership(cooperative_id: int, membership_id: int) -> Membership:
    """The membership when visible to the user and it belongs to the cooperative in the URL."""
    membership = services.get_membership(actor=api_user(), membership_id=membership_id)
    if membership.cooperative_id != cooperative_id:
        raise not_found()
    return membership


@api_route(
    "/cooperatives/<int:cooperative_id>/members",
    query=MemberQuery,
    response=page_of(MembershipOut),
    roles=MANAGERS,
    description="Filter by `status` and search by name, email, business name or NIB. Pending applications come "
    "oldest first.",
    tags=TAGS,
)
def list_members(cooperative_id: int, query: MemberQuery) -> Page:
    """List a cooperative's members."""
    cooperative = services.visible_cooperative(actor=api_user(), cooperative_id=cooperative_id)
    statement = services.members_query(cooperative_id=cooperative.id, status=query.status, search=query.search)
    return paginated(statement, query)


@api_route(MEMBER, response=MembershipOut, roles=MANAGERS, tags=TAGS)
def get_member(cooperative_id: int, membership_id: int) -> Membership:
    """Show a member."""
    return _membership(cooperative_id, membership_id)


@api_route(
    f"{MEMBER}/approve",
    methods=["POST"],
    response=MembershipOut,
    roles=MANAGERS,
    tags=TAGS,
    errors=(409,),
)
def approve_member(cooperative_id: int, membership_id: int) -> Membership:
    """Approve a pending application."""
    membership = _membership(cooperative_id, membership_id)
    return services.approve_member(actor=api_user(), membership_id=membership.id)


@api_route(
    f"{MEMBER}/reject",
    methods=["POST"],
    body=ReasonIn,
    response=MembershipOut,
    roles=MANAGERS,
    tags=TAGS,
    errors=(409,),
)
def reject_member(cooperative_id: int, membership_id: int, body: ReasonIn) -> Membership:
    """Reject a pending application, with a reason."""
    membership = _membership(cooperative_id, membership_id)
    return services.reject_member(actor=api_user(), membership_id=membership.id, reason=body.reason)


@api_route(
    f"{MEMBER}/suspend",
    methods=["POST"],
    body=ReasonIn,
    response=MembershipOut,
    roles=MANAGERS,
    tags=TAGS,
    errors=(409,),
)
def suspend_member(cooperative_id: int, membership_id: int, body: ReasonIn) -> Membership:
    """Suspend an active member, with a reason."""
    membership = _membership(cooperative_id, membership_id)
    return services.suspend_member(actor=api_user(), membership_id=membership.id, reason=body.reason)


@api_route(
    f"{MEMBER}/reactivate",
    methods=["POST"],
    response=MembershipOut,
    roles=MANAGERS,
    tags=TAGS,
    errors=(409,),
)
def reactivate_member(cooperative_id: int, membership_id: int) -> Membership:
    """Lift a suspension."""
    membership = _membership(cooperative_id, membership_id)
    return services.reactivate_member(actor=api_user(), membership_id=membership.id)
