"""Who may fetch an image or attachment, and which stored file answers: public when it shows on the live version
of a product on sale; otherwise only the maker, the cooperative's managers and operators (NotFound for others)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog import images
from marketplace.catalog.models import Product, ProductAttachment, ProductImage, RevisionAttachment, RevisionImage
from marketplace.catalog.permissions import can_view_product
from marketplace.catalog.services.media.product_images import sized_file
from marketplace.catalog.states import ProductStatus
from marketplace.core.errors import NotFound
from marketplace.extensions import db

#: Sizes a page may ask for, besides `original`.
SERVED_SIZES = frozenset(images.SIZES)


@dataclass(frozen=True)
class Served:
    """A stored file to send: where it is, its type, and whether anyone may see (and cache) it."""

    key: str
    content_type: str
    public: bool
    #: True when a resized version was asked for but is not made yet (the original is sent instead).
    fallback: bool = False


def _is_live(product: Product, revision_ids_statement: Any) -> bool:
    """Whether the product is on sale and its live revision is among the given revisions."""
    if product.status != ProductStatus.ACTIVE or product.live_revision_id is None:
        return False
    return product.live_revision_id in set(db.session.scalars(revision_ids_statement))


def _may_see(viewer: User | None, product: Product) -> bool:
    return viewer is not None and can_view_product(viewer, product)


def image_to_serve(*, viewer: User | None, image_id: int, size: str) -> Served:
    """The file for `/media/gambar/<id>/<size>`: public when the image shows on a product on sale, otherwise only
    for the maker, the cooperative's managers and operators (NotFound for anyone else)."""
    image = db.session.get(ProductImage, image_id)
    if image is None or (size != "original" and size not in {str(served) for served in SERVED_SIZES}):
        raise NotFound(_("This image does not exist."))
    product = db.session.get(Product, image.product_id)
    public = _is_live(product, select(RevisionImage.revision_id).where(RevisionImage.image_id == image.id))
    if not public and not _may_see(viewer, product):
        raise NotFound(_("This image does not exist."))
    if size != "original":
        found = sized_file(image, int(size))
        if found is not None:
            return Served(found[0], found[1], public)
        return Served(image.storage_key, image.content_type, public, fallback=True)
    return Served(image.storage_key, image.content_type, public)


def attachment_to_serve(*, viewer: User | None, attachment_id: int) -> tuple[ProductAttachment, bool]:
    """The attachment and whether it is public (on the live version of a product on sale); NotFound otherwise
    for anyone but the maker, the cooperative's managers and operators."""
    attachment = db.session.get(ProductAttachment, attachment_id)
    if attachment is None:
        raise NotFound(_("This attachment does not exist."))
    product = db.session.get(Product, attachment.product_id)
    public = _is_live(
        product, select(RevisionAttachment.revision_id).where(RevisionAttachment.attachment_id == attachment.id)
    )
    if not public and not _may_see(viewer, product):
        raise NotFound(_("This attachment does not exist."))
    return attachment, public
