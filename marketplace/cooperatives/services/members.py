"""Membership decisions: list the members of a cooperative, approve, reject, suspend and reactivate them."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import SellerProfile, User
from marketplace.catalog.services.listings import withdraw_products_on_sale
from marketplace.cooperatives.models import Membership
from marketplace.cooperatives.permissions import can_decide_membership, can_view_membership
from marketplace.cooperatives.states import ACTIONS_NEEDING_REASON, MEMBERSHIP, MembershipStatus
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.core.links import base_url
from marketplace.core.mail import queue_email
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

MIN_REASON_LENGTH = 10
MAX_REASON_LENGTH = 2000


def like_pattern(text: str) -> str:
    """A case-insensitive `LIKE` pattern matching `text` anywhere, with wildcards escaped."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def members_query(*, cooperative_id: int, status: str | None = None, search: str | None = None) -> Select:
    """Memberships of a cooperative with their user and UMKM profile, filtered by status and a search text.

    Pending applications come oldest first (a queue); other lists are sorted by the member's name.
    Raises ValidationFailed for an unknown status.
    """
    statement = (
        select(Membership)
        .join(User, Membership.user_id == User.id)
        .outerjoin(SellerProfile, SellerProfile.user_id == User.id)
        .where(Membership.cooperative_id == cooperative_id)
        .options(selectinload(Membership.user).selectinload(User.seller_profile))
    )
    if status:
        if status not in set(MembershipStatus):
            raise ValidationFailed("unknown status", {"status": _("Unknown membership status.")})
        statement = statement.where(Membership.status == status)
    if search and search.strip():
        pattern = like_pattern(search)
        statement = statement.where(
            or_(
                User.full_name.ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
                SellerProfile.business_name.ilike(pattern, escape="\\"),
                SellerProfile.nib.like(pattern, escape="\\"),
            )
        )
    if status == MembershipStatus.PENDING:
        return statement.order_by(Membership.created_at.asc(), Membership.id.asc())
    return statement.order_by(func.lower(User.full_name).asc(), Membership.id.asc())


def membership_counts(*, cooperative_id: int) -> dict[str, int]:
    """How many memberships of the cooperative are in each status (every status present, 0 when none)."""
    rows = db.session.execute(
        select(Membership.status, func.count())
        .where(Membership.cooperative_id == cooperative_id)
        .group_by(Membership.status)
    )
    counts = {str(status): 0 for status in MembershipStatus}
    counts.update(dict(rows.all()))
    return counts


def get_membership(*, actor: User, membership_id: int) -> Membership:
    """The membership, when the actor manages its cooperative or is an operator; NotFound otherwise."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or not can_view_membership(actor, membership):
        raise NotFound(_("This member does not exist or belongs to another cooperative."))
    return membership


def membership_history(*, membership: Membership) -> list[AuditEvent]:
    """Audit events about the membership (application and decisions), oldest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "membership", AuditEvent.subject_id == membership.id)
            .order_by(AuditEvent.created_at.asc(), AuditEvent.id.asc())
        )
    )


def approve_member(*, actor: User, membership_id: int) -> Membership:
    """Accept a pending application; the seller may then sell through the cooperative."""
    membership = _decidable(actor, membership_id)
    if not membership.cooperative.is_active and MEMBERSHIP.can(membership, "approve"):
        raise Conflict(_("This cooperative is closed and cannot take new members."))
    return _decide(actor, membership, "approve", reason=None)


def reject_member(*, actor: User, membership_id: int, reason: str) -> Membership:
    """Refuse a pending application, with a reason the seller reads."""
    return _decide(actor, _decidable(actor, membership_id), "reject", reason=reason)


def suspend_member(*, actor: User, membership_id: int, reason: str) -> Membership:
    """Suspend an active member, with a reason the seller reads."""
    return _decide(actor, _decidable(actor, membership_id), "suspend", reason=reason)


def reactivate_member(*, actor: User, membership_id: int) -> Membership:
    """Lift a suspension."""
    return _decide(actor, _decidable(actor, membership_id), "reactivate", reason=None)


def check_reason(reason: str | None) -> str:
    """A decision reason: at least 10 characters after trimming; raises ValidationFailed on `reason`."""
    cleaned = (reason or "").strip()
    if len(cleaned) < MIN_REASON_LENGTH:
        message = _("Give a reason of at least %(n)d characters.", n=MIN_REASON_LENGTH)
        raise ValidationFailed(message, {"reason": message})
    if len(cleaned) > MAX_REASON_LENGTH:
        message = _("The reason can have at most %(n)d characters.", n=MAX_REASON_LENGTH)
        raise ValidationFailed(message, {"reason": message})
    return cleaned


def _decidable(actor: User, membership_id: int) -> Membership:
    """Load the membership locked for update (two managers deciding at once: the second sees the first's result)."""
    membership = db.session.get(Membership, membership_id, with_for_update=True, populate_existing=True)
    if membership is None or not can_decide_membership(actor, membership):
        raise NotFound(_("This member does not exist or belongs to another cooperative."))
    if membership.user_id == actor.id:
        raise Forbidden(_("Another manager of the cooperative decides on your own membership."))
    return membership


def _decide(actor: User, membership: Membership, action: str, *, reason: str | None) -> Membership:
    """Move the membership through the lifecycle (audited), record the decision, email the seller, commit. A
    suspended member's products go off sale (search, cart, `produk_aktif 0` in the next delta feed)."""
    cleaned = check_reason(reason) if action in ACTIONS_NEEDING_REASON else None
    MEMBERSHIP.move(membership, action, actor_id=actor.id, reason=cleaned)
    if action == "suspend":
        withdraw_products_on_sale(
            actor=actor, reason=cleaned, seller_id=membership.user_id, cooperative_id=membership.cooperative_id
        )
    membership.decided_at = utcnow()
    membership.decided_by_id = actor.id
    membership.status_reason = cleaned
    _notify_seller(membership, action, reason=cleaned)
    db.session.commit()
    return membership


def _notify_seller(membership: Membership, action: str, *, reason: str | None) -> None:
    seller = membership.user
    queue_email(
        seller.email,
        f"emails/membership_{action}",
        locale=seller.locale,
        user=seller,
        cooperative=membership.cooperative,
        reason=reason,
        site_url=base_url() + "/",
    )
