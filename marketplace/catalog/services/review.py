"""The cooperative's review of listings: approve (the revision goes live), reject, or send back with notes.

Every decision is audited (the revision lifecycle) and emailed to the seller. Approval is refused while the
proposed data has errors by the feed spec (`catalog.quality`): the manager sends it back instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.models import User
from marketplace.catalog.display import category_paths
from marketplace.catalog.models import Category, Product, ProductRevision
from marketplace.catalog.permissions import can_review, is_active_member
from marketplace.catalog.quality import (
    check_listing,
    duplicate_skus,
    error_count,
    sku_key,
    skus_used_elsewhere,
    warning_count,
)
from marketplace.catalog.search.index import refresh_entry
from marketplace.catalog.states import PRODUCT, REVISION, REVISION_LABELS, ProductStatus, RevisionStatus
from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import record_changes
from marketplace.core.errors import Conflict, DomainError, Forbidden, IllegalTransition, NotFound, ValidationFailed
from marketplace.core.links import base_url
from marketplace.core.mail import queue_email
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

MIN_NOTE_LENGTH = 10
MAX_NOTE_LENGTH = 2000
#: At most this many listings are approved in one bulk action.
MAX_BULK_APPROVE = 100


def review_queue(*, cooperative_id: int, seller_id: int | None = None, category_id: int | None = None) -> Select:
    """Submitted revisions of a cooperative, oldest first, optionally of one member or one category."""
    statement = (
        select(ProductRevision)
        .join(Product, ProductRevision.product_id == Product.id)
        .where(Product.cooperative_id == cooperative_id, ProductRevision.status == RevisionStatus.SUBMITTED)
        .options(
            joinedload(ProductRevision.product).joinedload(Product.seller),
            joinedload(ProductRevision.unit),
            selectinload(ProductRevision.images),
            selectinload(ProductRevision.regional_prices),
        )
        .order_by(ProductRevision.submitted_at.asc(), ProductRevision.id.asc())
    )
    if seller_id is not None:
        statement = statement.where(Product.seller_id == seller_id)
    if category_id is not None:
        statement = statement.where(ProductRevision.category_id == category_id)
    return statement


def waiting_count(*, cooperative_id: int) -> int:
    """How many revisions of the cooperative wait for review."""
    statement = (
        select(func.count())
        .select_from(ProductRevision)
        .join(Product, ProductRevision.product_id == Product.id)
        .where(Product.cooperative_id == cooperative_id, ProductRevision.status == RevisionStatus.SUBMITTED)
    )
    return db.session.scalar(statement) or 0


def quality_counts(*, cooperative_id: int, revisions: list[ProductRevision]) -> dict[int, tuple[int, int]]:
    """(errors, warnings) of each revision of the cooperative by the feed rules, e.g. for a page of the queue."""
    duplicates = duplicate_skus(cooperative_id)
    # The cooperative's duplicate SKUs are exact for published products; new products are checked together (one
    # query for the page), each against the other published products.
    used_elsewhere = skus_used_elsewhere([r.product for r in revisions if r.product.live_revision_id is None])
    counts = {}
    for revision in revisions:
        product = revision.product
        if product.live_revision_id is not None:
            known = duplicates
        else:
            known = {sku_key(product.sku)} if product.id in used_elsewhere else set()
        issues = check_listing(product, revision, duplicates=known)
        counts[revision.id] = (error_count(issues), warning_count(issues))
    return counts


def queue_choices(*, cooperative_id: int) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The members and the categories that have revisions waiting, for the queue's filters (sorted by name)."""
    waiting = (
        select(Product.seller_id, ProductRevision.category_id)
        .join(Product, ProductRevision.product_id == Product.id)
        .where(Product.cooperative_id == cooperative_id, ProductRevision.status == RevisionStatus.SUBMITTED)
        .subquery()
    )
    members = db.session.execute(
        select(User.id, User.full_name).where(User.id.in_(select(waiting.c.seller_id))).order_by(User.full_name)
    ).all()
    categories = db.session.scalars(select(Category.id).where(Category.id.in_(select(waiting.c.category_id)))).all()
    paths = sorted(category_paths(categories).items(), key=lambda item: item[1].lower())
    return [(row.id, row.full_name) for row in members], paths


def reviewable_revision(*, actor: User, revision_id: int, lock: bool = False) -> ProductRevision:
    """A revision of the actor's cooperative; NotFound for anyone else (other cooperatives included)."""
    revision = db.session.get(ProductRevision, revision_id)
    if revision is None or not can_review(actor, revision.product.cooperative_id):
        raise NotFound(_("This listing does not exist."))
    if lock:  # two managers deciding at once: the second sees the first's decision and gets a Conflict
        db.session.refresh(revision.product, with_for_update=True)
        db.session.refresh(revision, with_for_update=True)
    return revision


def decidable_revision(*, actor: User, revision_id: int) -> ProductRevision:
    """A revision the actor may decide on now, locked: of their cooperative (else NotFound) and not of a product
    they make themselves (Forbidden: a manager who also sells has another manager review their listings)."""
    revision = reviewable_revision(actor=actor, revision_id=revision_id, lock=True)
    if actor.id in (revision.product.seller_id, revision.author_id):
        raise Forbidden(_("Your own listings are reviewed by another manager of the cooperative."))
    return revision


def _clean_note(note: str | None, field: str) -> str:
    text = (note or "").strip()
    if len(text) < MIN_NOTE_LENGTH:
        raise ValidationFailed("note too short", {field: _("Write at least %(n)d characters.", n=MIN_NOTE_LENGTH)})
    if len(text) > MAX_NOTE_LENGTH:
        raise ValidationFailed("note too long", {field: _("At most %(n)d characters.", n=MAX_NOTE_LENGTH)})
    return text


def _decide(revision: ProductRevision, action: str, actor: User, note: str | None) -> None:
    REVISION.move(revision, action, actor_id=actor.id, reason=note, extra={"product_id": revision.product_id})
    revision.decided_at = utcnow()
    revision.decided_by_id = actor.id
    revision.decision_note = note


def _refuse_off_sale_seller(product: Product) -> None:
    """Conflict when the product may not be sold now whatever its data: its maker is no longer an active, enabled
    member of its cooperative, or the cooperative is closed (their products were withdrawn with them)."""
    seller = product.seller
    membership = seller.membership
    member = seller.is_enabled and is_active_member(seller) and membership.cooperative_id == product.cooperative_id
    if not member or not product.cooperative.is_active:
        raise Conflict(
            _("The maker is not an active member of an open cooperative now: this listing cannot be approved.")
        )


def _refuse_with_errors(product: Product, revision: ProductRevision) -> None:
    """Raise ValidationFailed naming each error of the feed spec; warnings do not block."""
    errors = [issue for issue in check_listing(product, revision) if issue.is_error]
    if errors:
        message = _(
            "This listing cannot be approved while it has errors (%(n)d). Request changes from the seller instead.",
            n=len(errors),
        )
        raise ValidationFailed(message, {issue.field: issue.message for issue in errors})


def approve_revision(*, actor: User, revision_id: int) -> ProductRevision:
    """Make the revision the live version: the product goes (back) on sale and into the next feed.

    Refused with ValidationFailed (fields: the API names of the bad fields) while the revision has quality errors.
    """
    revision = decidable_revision(actor=actor, revision_id=revision_id)
    product = revision.product
    if not REVISION.can(revision, "approve"):
        raise IllegalTransition("revision", revision.status, "approve")
    _refuse_off_sale_seller(product)
    _refuse_with_errors(product, revision)
    previous = product.live_revision
    first_approval = product.published_at is None
    _decide(revision, "approve", actor, None)
    if previous is not None and previous.id != revision.id:
        REVISION.move(previous, "supersede", actor_id=actor.id, extra={"product_id": product.id})
    apply_proposed_stock(product, revision)
    product.live_revision_id = revision.id
    product.live_revision = revision
    product.valid_until = revision.valid_until
    if product.status == ProductStatus.DRAFT:
        PRODUCT.move(product, "publish", actor_id=actor.id)
        product.published_at = utcnow()
    elif product.status == ProductStatus.WITHDRAWN:
        PRODUCT.move(product, "relist", actor_id=actor.id)
    product.feed_changed_at = utcnow()
    refresh_entry(product)
    _notify_seller(revision, "listing_approved", first_approval=first_approval)
    db.session.commit()
    return revision


def apply_proposed_stock(product: Product, revision: ProductRevision) -> None:
    """A first version sets the stock; a later one adds what the seller changed since it was started, so units
    sold or reserved meanwhile are not put back (the product row is locked by the caller)."""
    if revision.stock_base is None or product.published_at is None:
        product.stock = revision.stock
    else:
        product.stock = max(0, product.stock + revision.stock - revision.stock_base)


def reject_revision(*, actor: User, revision_id: int, reason: str) -> ProductRevision:
    """Refuse the revision with a reason; the live version (if any) stays on sale."""
    revision = decidable_revision(actor=actor, revision_id=revision_id)
    _decide(revision, "reject", actor, _clean_note(reason, "reason"))
    _notify_seller(revision, "listing_rejected", reason=revision.decision_note)
    db.session.commit()
    return revision


def request_changes(*, actor: User, revision_id: int, notes: str) -> ProductRevision:
    """Send the revision back to the seller with notes; they edit and submit it again."""
    revision = decidable_revision(actor=actor, revision_id=revision_id)
    _decide(revision, "request_changes", actor, _clean_note(notes, "notes"))
    _notify_seller(revision, "listing_changes_requested", notes=revision.decision_note)
    db.session.commit()
    return revision


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one revision of a bulk approval; `message` says why it was not approved."""

    revision_id: int
    approved: bool
    name: str | None = None
    message: str | None = None


def approve_many(*, actor: User, revision_ids: list[int]) -> list[BulkOutcome]:
    """Approve each revision in its own transaction; a failure (quality errors, already decided, another
    cooperative's) is reported and does not stop the others. Outcomes come in the order of `revision_ids`."""
    unique_ids = list(dict.fromkeys(revision_ids))
    if not unique_ids:
        raise ValidationFailed(_("Choose at least one listing."), {"revision_ids": _("Choose at least one listing.")})
    if len(unique_ids) > MAX_BULK_APPROVE:
        message = _("Approve at most %(n)d listings at once.", n=MAX_BULK_APPROVE)
        raise ValidationFailed(message, {"revision_ids": message})
    outcomes = []
    for revision_id in unique_ids:
        try:
            revision = approve_revision(actor=actor, revision_id=revision_id)
        except DomainError as error:
            db.session.rollback()
            outcomes.append(BulkOutcome(revision_id, False, _visible_name(actor, revision_id), _failure_message(error)))
        else:
            outcomes.append(BulkOutcome(revision_id, True, revision.name))
    return outcomes


def _visible_name(actor: User, revision_id: int) -> str | None:
    try:
        return reviewable_revision(actor=actor, revision_id=revision_id).name
    except NotFound:
        return None


def _failure_message(error: DomainError) -> str:
    if isinstance(error, IllegalTransition):
        status = REVISION_LABELS.get(error.current_status, error.current_status)
        return _("It is no longer waiting for review (now: %(status)s).", status=status)
    if isinstance(error, ValidationFailed) and error.fields:
        return f"{error.message} {' '.join(error.fields.values())}"
    return error.message


def _notify_seller(revision: ProductRevision, template: str, **context: object) -> None:
    """Email the maker of the product about the decision, in their language, with a link to the product."""
    product = revision.product
    seller = product.seller
    queue_email(
        seller.email,
        f"emails/{template}",
        locale=seller.locale,
        user=seller,
        product=product,
        revision=revision,
        cooperative=product.cooperative,
        product_url=product_url(product.id),
        **context,
    )


def product_url(product_id: int) -> str:
    """The absolute address of the seller's product page, also outside a request (emails sent by commands)."""
    path = current_app.url_map.bind("localhost").build("listings.detail", {"product_id": product_id})
    return base_url() + path


def update_review_policy(
    *, actor: User, cooperative_id: int, stock_needs_review: bool, validity_needs_review: bool
) -> Cooperative:
    """Set which seller changes need the manager's approval; audited as `cooperative.review_policy`."""
    cooperative = db.session.get(Cooperative, cooperative_id, with_for_update=True)
    if cooperative is None or not can_review(actor, cooperative_id):
        raise NotFound(_("This cooperative does not exist."))
    record_changes(
        "cooperative.review_policy",
        subject=cooperative,
        subject_type="cooperative",
        actor_id=actor.id,
        values={"stock_needs_review": stock_needs_review, "validity_needs_review": validity_needs_review},
    )
    db.session.commit()
    return cooperative
