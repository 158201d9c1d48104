"""Keep `products.last_change_at` current, whichever service or API changes a listing, so that "my products" sorts
on an index instead of on the latest revision of every product in scope.

A change is what a flush writes for a listing through the ORM: a new product; a change of the product's own columns
(SKU, status, stock or price validity set by the seller, an approval); a new, changed or deleted revision; a
revision's images, attachments or regional prices added, changed or removed. Its moment is the `updated_at` the
caller set (the demo dates its steps back), or now.

Not changes, on purpose: stock taken or given back by orders (`procurement.services.stock`, Core UPDATEs), feed
marks (`feed_changed_at`, set by `search.sync`, `services.validity`, or along with a real change), and the
withdrawal of every product of a suspended member or a closed cooperative at once (`Lifecycle.move_many`). Nobody
edited those listings: a seller's best-selling products would otherwise push the ones they are working on down the
list, and a mass withdrawal would only shuffle it. These statements bypass the flush, so they leave the column alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from marketplace.catalog.models import Product, ProductRevision, RegionalPrice, RevisionAttachment, RevisionImage
from marketplace.core.timeutil import utcnow

#: Product columns whose change is no change of the listing.
NOT_CHANGES = frozenset({"feed_changed_at", "last_change_at"})
#: Rows that are part of a revision.
REVISION_PARTS = (RegionalPrice, RevisionImage, RevisionAttachment)


def _moment(target: Any, now: datetime) -> datetime:
    """The `updated_at` the caller set on `target` in this flush, else `now`."""
    added = inspect(target).attrs.updated_at.history.added
    return added[0] if added and added[0] is not None else now


def _own_change(product: Product) -> bool:
    """True when a column of the product that counts as a change is written in this flush."""
    state = inspect(product)
    return any(
        state.attrs[column.key].history.has_changes()
        for column in state.mapper.column_attrs
        if column.key not in NOT_CHANGES
    )


def _product_of(session: Session, revision: ProductRevision | None) -> Product | None:
    if revision is None:
        return None
    product = revision.__dict__.get("product")
    if product is None and revision.product_id is not None:
        product = session.get(Product, revision.product_id)
    return product


def _revision_of(session: Session, part: Any) -> ProductRevision | None:
    """The part's revision; None for a new part added through `revision.<collection>` (the revision changes)."""
    return session.get(ProductRevision, part.revision_id) if part.revision_id is not None else None


def _changed_listings(session: Session, now: datetime) -> dict[Product, datetime]:
    """The products changed in this flush, each with the latest moment of its changes."""
    moments: dict[Product, datetime] = {}

    def changed(product: Product | None, moment: datetime) -> None:
        if product is not None and (product not in moments or moments[product] < moment):
            moments[product] = moment

    for target in session.new:
        if isinstance(target, Product):
            changed(target, _moment(target, now))
        elif isinstance(target, ProductRevision):
            changed(_product_of(session, target), _moment(target, now))
        elif isinstance(target, REVISION_PARTS):
            changed(_product_of(session, _revision_of(session, target)), now)
    for target in session.dirty:
        if isinstance(target, Product) and _own_change(target):
            changed(target, _moment(target, now))
        elif isinstance(target, ProductRevision) and session.is_modified(target):
            changed(_product_of(session, target), _moment(target, now))
        elif isinstance(target, REVISION_PARTS) and session.is_modified(target):
            changed(_product_of(session, _revision_of(session, target)), now)
    for target in session.deleted:
        if isinstance(target, ProductRevision):
            changed(_product_of(session, target), now)
        elif isinstance(target, REVISION_PARTS):
            changed(_product_of(session, _revision_of(session, target)), now)
    return moments


@event.listens_for(Session, "before_flush")
def _stamp_last_change(session: Session, flush_context: Any, instances: Any) -> None:
    """Set `last_change_at` of the products changed in this flush (unless the caller set it)."""
    with session.no_autoflush:
        for product, moment in _changed_listings(session, utcnow()).items():
            if product in session.deleted or inspect(product).attrs.last_change_at.history.has_changes():
                continue
            product.last_change_at = moment
