"""The cooperative's review of listings: approve (the revision goes live), reject, or send back with notes."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, ProductRevision
from marketplace.catalog.permissions import can_review
from marketplace.catalog.search.index import refresh_entry
from marketplace.catalog.states import PRODUCT, REVISION, ProductStatus, RevisionStatus
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

MIN_NOTE_LENGTH = 10
MAX_NOTE_LENGTH = 2000


def review_queue(*, cooperative_id: int, seller_id: int | None = None, category_id: int | None = None) -> Select:
    """Submitted revisions of a cooperative, oldest first, optionally of one member or one category."""
    statement = (
        select(ProductRevision)
        .join(Product, ProductRevision.product_id == Product.id)
        .where(Product.cooperative_id == cooperative_id, ProductRevision.status == RevisionStatus.SUBMITTED)
        .options(joinedload(ProductRevision.product))
        .order_by(ProductRevision.submitted_at.asc(), ProductRevision.id.asc())
    )
    if seller_id is not None:
        statement = statement.where(Product.seller_id == seller_id)
    if category_id is not None:
        statement = statement.where(ProductRevision.category_id == category_id)
    return statement


def reviewable_revision(*, actor: User, revision_id: int, lock: bool = False) -> ProductRevision:
    """A revision of the actor's cooperative; NotFound for anyone else (other cooperatives included)."""
    revision = db.session.get(ProductRevision, revision_id)
    if revision is None or not can_review(actor, revision.product.cooperative_id):
        raise NotFound(_("This listing does not exist."))
    if lock:  # two managers deciding at once: the second sees the first's decision and gets a Conflict
        db.session.refresh(revision.product, with_for_update=True)
        db.session.refresh(revision, with_for_update=True)
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


def approve_revision(*, actor: User, revision_id: int) -> ProductRevision:
    """Make the revision the live version: the product goes (back) on sale and into the next feed."""
    revision = reviewable_revision(actor=actor, revision_id=revision_id, lock=True)
    product = revision.product
    previous = product.live_revision
    _decide(revision, "approve", actor, None)
    if previous is not None and previous.id != revision.id:
        REVISION.move(previous, "supersede", actor_id=actor.id, extra={"product_id": product.id})
    first_approval = product.published_at is None
    if first_approval or previous is None or revision.stock != previous.stock:
        product.stock = revision.stock  # a seller's proposed stock; later orders change product.stock only
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
    db.session.commit()
    return revision


def reject_revision(*, actor: User, revision_id: int, reason: str) -> ProductRevision:
    """Refuse the revision with a reason; the live version (if any) stays on sale."""
    revision = reviewable_revision(actor=actor, revision_id=revision_id, lock=True)
    _decide(revision, "reject", actor, _clean_note(reason, "reason"))
    db.session.commit()
    return revision


def request_changes(*, actor: User, revision_id: int, notes: str) -> ProductRevision:
    """Send the revision back to the seller with notes; they edit and submit it again."""
    revision = reviewable_revision(actor=actor, revision_id=revision_id, lock=True)
    _decide(revision, "request_changes", actor, _clean_note(notes, "notes"))
    db.session.commit()
    return revision
