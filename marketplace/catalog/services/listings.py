"""A seller's listings: create, edit (a new revision while the approved one stays live), submit, withdraw."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, ProductRevision, RegionalPrice, RevisionAttachment, RevisionImage
from marketplace.catalog.permissions import can_edit_product, can_view_product, is_active_member, manages_cooperative
from marketplace.catalog.rules import clean_listing
from marketplace.catalog.search.index import refresh_entry, remove_entries
from marketplace.catalog.states import EDITABLE_REVISION_STATES, OPEN_REVISION_STATES, PRODUCT, REVISION, ProductStatus
from marketplace.cooperatives.models import Cooperative, Membership
from marketplace.cooperatives.states import MembershipStatus
from marketplace.core.audit import record_event
from marketplace.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.core.timeutil import today_wib, utcnow
from marketplace.extensions import db


def visible_product(*, actor: User, product_id: int) -> Product:
    """The product with its drafts, if `actor` may see them (maker, its managers, operators); else NotFound."""
    product = db.session.get(Product, product_id)
    if product is None or not can_view_product(actor, product):
        raise NotFound(_("This product does not exist."))
    return product


def editable_product(*, actor: User, product_id: int, lock: bool = False) -> Product:
    """The product if `actor` may change it; NotFound when they may not even see it, Forbidden otherwise."""
    product = visible_product(actor=actor, product_id=product_id)
    if not can_edit_product(actor, product):
        raise Forbidden(_("You may not change this product."))
    if lock:
        db.session.refresh(product, with_for_update=True)
    return product


def open_revision(product: Product) -> ProductRevision | None:
    """The revision on its way (draft, submitted or sent back), if any."""
    return db.session.scalar(
        select(ProductRevision).where(
            ProductRevision.product_id == product.id, ProductRevision.status.in_(OPEN_REVISION_STATES)
        )
    )


def _seller_for(actor: User, seller_id: int | None) -> tuple[User, Cooperative]:
    """The maker of a new product: the acting seller, or an active member chosen by their manager."""
    if seller_id is None or seller_id == actor.id:
        if not is_active_member(actor):
            raise Forbidden(_("Only active members of a cooperative can list products."))
        return actor, actor.membership.cooperative
    membership = db.session.scalar(select(Membership).where(Membership.user_id == seller_id))
    if membership is None or not manages_cooperative(actor, membership.cooperative_id):
        raise ValidationFailed("unknown seller", {"seller_id": _("Choose a member of your cooperative.")})
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationFailed("inactive seller", {"seller_id": _("This member is not active.")})
    return membership.user, membership.cooperative


def _sku_taken(cooperative_id: int, sku: str, exclude_product_id: int | None = None) -> bool:
    statement = select(func.count()).where(Product.cooperative_id == cooperative_id, Product.sku == sku)
    if exclude_product_id is not None:
        statement = statement.where(Product.id != exclude_product_id)
    return (db.session.scalar(statement) or 0) > 0


def _apply_values(revision: ProductRevision, values: dict[str, Any]) -> None:
    """Copy cleaned listing values onto a revision (regional prices replaced as a whole)."""
    for key, value in values.items():
        if key not in ("sku", "regional_prices"):
            setattr(revision, key, value)
    revision.regional_prices = [RegionalPrice(**item) for item in values["regional_prices"]]


def _next_number(product: Product) -> int:
    current = db.session.scalar(
        select(func.max(ProductRevision.number)).where(ProductRevision.product_id == product.id)
    )
    return (current or 0) + 1


def create_listing(
    *, actor: User, data: dict[str, Any], seller_id: int | None = None, submit: bool = False
) -> ProductRevision:
    """Create a product and its first revision (a draft, or submitted for review when `submit`).

    A seller lists their own product; a manager may list for an active member (`seller_id`). Raises
    ValidationFailed keyed by API field names (`sku`, `price`, `regional_prices.0.price`, …).
    """
    seller, cooperative = _seller_for(actor, seller_id)
    values = clean_listing(data, is_pkp=cooperative.is_pkp, today=today_wib())
    if _sku_taken(cooperative.id, values["sku"]):
        raise ValidationFailed("sku taken", {"sku": _("This SKU is already used in your cooperative.")})
    product = Product(cooperative_id=cooperative.id, seller_id=seller.id, sku=values["sku"], stock=values["stock"])
    db.session.add(product)
    db.session.flush()
    revision = ProductRevision(product_id=product.id, number=1, author_id=actor.id)
    _apply_values(revision, values)
    db.session.add(revision)
    db.session.flush()
    record_event(
        "product.create",
        subject_type="product",
        subject_id=product.id,
        actor_id=actor.id,
        after={"sku": product.sku, "name": revision.name, "revision": revision.number},
    )
    if submit:
        _submit(revision, actor)
    db.session.commit()
    return revision


def _latest_revision(product: Product) -> ProductRevision | None:
    return db.session.scalar(
        select(ProductRevision)
        .where(ProductRevision.product_id == product.id)
        .order_by(ProductRevision.number.desc())
        .limit(1)
    )


def start_revision(product: Product, actor: User) -> ProductRevision:
    """A new draft copied from the live revision, or from the latest one of a product never approved (e.g. its
    first version was rejected): data, regional prices, images, attachments. Flushes."""
    live = product.live_revision or _latest_revision(product)
    if live is None:
        raise Conflict(_("This product has no version to start from."))
    revision = ProductRevision(product_id=product.id, number=_next_number(product), author_id=actor.id)
    skip = {
        "id",
        "product_id",
        "number",
        "status",
        "author_id",
        "submitted_at",
        "decided_at",
        "decided_by_id",
        "decision_note",
        "created_at",
        "updated_at",
    }
    for column in ProductRevision.__table__.columns:
        if column.key not in skip:
            setattr(revision, column.key, getattr(live, column.key))
    revision.stock = product.stock
    revision.stock_base = product.stock if product.published_at is not None else None
    revision.valid_until = product.valid_until or live.valid_until
    revision.specifications = [dict(item) for item in live.specifications or []]
    revision.regional_prices = [
        RegionalPrice(region_code=rp.region_code, price=rp.price, shipping_cost=rp.shipping_cost)
        for rp in live.regional_prices
    ]
    revision.images = [RevisionImage(image_id=i.image_id, position=i.position, is_main=i.is_main) for i in live.images]
    revision.attachments = [
        RevisionAttachment(attachment_id=a.attachment_id, description=a.description) for a in live.attachments
    ]
    db.session.add(revision)
    db.session.flush()
    return revision


def update_listing(*, actor: User, product: Product, data: dict[str, Any], submit: bool = False) -> ProductRevision:
    """Save changed data into the open revision, or into a new one when the product is live (the live version
    stays on sale until the new revision is approved). A submitted revision cannot change: Conflict."""
    revision = open_revision(product)
    if revision is not None and revision.status not in EDITABLE_REVISION_STATES:
        raise Conflict(_("This version is waiting for review and cannot be changed now."))
    values = clean_listing(data, is_pkp=product.cooperative.is_pkp, today=today_wib())
    if values["sku"] != product.sku:
        if product.published_at is not None:
            raise ValidationFailed("sku fixed", {"sku": _("The SKU of a published product cannot change.")})
        if _sku_taken(product.cooperative_id, values["sku"], exclude_product_id=product.id):
            raise ValidationFailed("sku taken", {"sku": _("This SKU is already used in your cooperative.")})
        product.sku = values["sku"]
    if revision is None:
        revision = start_revision(product, actor)
    _apply_values(revision, values)
    revision.author_id = actor.id
    if product.published_at is None:
        product.stock = values["stock"]
    record_event(
        "revision.update",
        subject_type="revision",
        subject_id=revision.id,
        actor_id=actor.id,
        after={"product_id": product.id, "number": revision.number},
    )
    if submit:
        _submit(revision, actor)
    db.session.commit()
    return revision


def _submit(revision: ProductRevision, actor: User) -> None:
    REVISION.move(revision, "submit", actor_id=actor.id, extra={"product_id": revision.product_id})
    revision.submitted_at = utcnow()
    revision.decided_at = None
    revision.decided_by_id = None


def submit_listing(*, actor: User, product: Product) -> ProductRevision:
    """Send the open draft (or a version sent back) to the cooperative's review."""
    revision = open_revision(product)
    if revision is None:
        raise Conflict(_("There is no draft to submit."))
    _submit(revision, actor)
    db.session.commit()
    return revision


def withdraw_product(*, actor: User, product: Product, reason: str | None = None) -> Product:
    """Take the product off sale: out of search, `produk_aktif 0` in the next delta feed."""
    _withdraw(product, actor, reason)
    db.session.commit()
    return product


def withdraw_products_on_sale(
    *, actor: User, reason: str | None, seller_id: int | None = None, cooperative_id: int | None = None
) -> int:
    """Take off sale every product on sale of a seller or of a cooperative (a suspended member, a disabled
    account, a closed cooperative), each audited with `reason`; not committed (the caller's decision commits).
    Return how many. They stay withdrawn when the member comes back: the seller lists them again."""
    chosen = [Product.status == ProductStatus.ACTIVE]
    if seller_id is not None:
        chosen.append(Product.seller_id == seller_id)
    if cooperative_id is not None:
        chosen.append(Product.cooperative_id == cooperative_id)
    db.session.execute(select(Product.id).where(*chosen).order_by(Product.id).with_for_update())  # as checkout locks
    withdrawn = PRODUCT.move_many(
        Product, "withdraw", where=chosen, actor_id=actor.id, reason=reason, values={"feed_changed_at": utcnow()}
    )
    remove_entries(withdrawn)
    return len(withdrawn)


def _withdraw(product: Product, actor: User, reason: str | None) -> None:
    PRODUCT.move(product, "withdraw", actor_id=actor.id, reason=reason)
    product.feed_changed_at = utcnow()
    refresh_entry(product)
