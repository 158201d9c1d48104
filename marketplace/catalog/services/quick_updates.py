"""Stock and price validity changed directly, without review, when the cooperative's policy allows it.

Each change is audited with its value before and after, marks the product for the next delta feed and refreshes
its catalog entry. An open revision gets the same value, so approving it later does not undo the change.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_number
from flask_babel import gettext as _

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.catalog.rules import MAX_STOCK
from marketplace.catalog.search.index import refresh_entry
from marketplace.catalog.services.listings import editable_product, open_revision
from marketplace.core.audit import record_event
from marketplace.core.errors import Conflict, ValidationFailed
from marketplace.core.timeutil import today_wib, utcnow
from marketplace.extensions import db


def stock_update_allowed(product: Product) -> bool:
    """Whether the cooperative lets sellers change the stock of a published product without review."""
    return product.published_at is not None and not product.cooperative.stock_needs_review


def validity_update_allowed(product: Product) -> bool:
    """Whether the cooperative lets sellers change the price validity of a published product without review."""
    return product.published_at is not None and not product.cooperative.validity_needs_review


def _locked(actor: User, product: Product) -> Product:
    product = editable_product(actor=actor, product_id=product.id, lock=True)
    if product.published_at is None:
        raise Conflict(_("This product is not published yet: change the stock and validity in its draft."))
    return product


def _record(product: Product, actor: User, field: str, before: object, after: object) -> None:
    record_event(
        f"product.{field}_update",
        subject_type="product",
        subject_id=product.id,
        actor_id=actor.id,
        before={field: before},
        after={field: after},
    )
    product.feed_changed_at = utcnow()
    refresh_entry(product)


def update_stock(*, actor: User, product: Product, stock: int) -> Product:
    """Set the stock available now (an absolute number) without review, where the cooperative allows it.

    Raises Conflict when the cooperative reviews stock changes (the seller edits the listing instead), and
    ValidationFailed on `stock` for a number outside 0–100,000,000.
    """
    if isinstance(stock, bool) or not isinstance(stock, int) or not 0 <= stock <= MAX_STOCK:
        raise ValidationFailed(
            "bad stock", {"stock": _("Enter a number from %(min)s to %(max)s.", min=0, max=format_number(MAX_STOCK))}
        )
    product = _locked(actor, product)
    if product.cooperative.stock_needs_review:
        raise Conflict(_("Your cooperative reviews stock changes: edit the listing and submit it for review."))
    before = product.stock
    if before != stock:
        product.stock = stock
        revision = open_revision(product)
        if revision is not None:
            revision.stock = stock
            revision.stock_base = stock
        _record(product, actor, "stock", before, stock)
    db.session.commit()
    return product


def update_valid_until(*, actor: User, product: Product, valid_until: date) -> Product:
    """Set the price validity date (`berlaku_sampai`) without review, where the cooperative allows it.

    Raises Conflict when the cooperative reviews validity changes, and ValidationFailed on `valid_until` for a date
    in the past (Asia/Jakarta).
    """
    if isinstance(valid_until, datetime):
        valid_until = valid_until.date()
    if not isinstance(valid_until, date):
        raise ValidationFailed("bad date", {"valid_until": _("Enter a date as YYYY-MM-DD.")})
    if valid_until < today_wib():
        raise ValidationFailed("past date", {"valid_until": _("The price validity date has already passed.")})
    product = _locked(actor, product)
    if product.cooperative.validity_needs_review:
        raise Conflict(
            _("Your cooperative reviews changes of price validity: edit the listing and submit it for review.")
        )
    before = product.valid_until
    if before != valid_until:
        product.valid_until = valid_until
        revision = open_revision(product)
        if revision is not None:
            revision.valid_until = valid_until
        _record(product, actor, "valid_until", before.isoformat() if before else None, valid_until.isoformat())
    db.session.commit()
    return product
