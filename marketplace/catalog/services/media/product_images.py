"""Product images: added to the draft (checked by content with Pillow), ordered, one main, removed; and the
resized versions written by the task `catalog.make_image_sizes`."""

from __future__ import annotations

import logging
from typing import Any
from uuid import uuid4

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.catalog import images
from marketplace.catalog.models import Product, ProductImage, ProductRevision, RevisionImage
from marketplace.catalog.services.media.common import (
    MEGABYTE,
    audit,
    delete_files,
    draft_of,
    lock_for_media,
    read_upload,
    store_and_commit,
)
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.storage import storage
from marketplace.core.tasks import enqueue_after_commit
from marketplace.extensions import db

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 5 * MEGABYTE
MAX_IMAGES = 8
MAKE_SIZES_TASK = "catalog.make_image_sizes"


def _image_problem(kind: str) -> str:
    messages = {
        "type": _("This file is not a JPEG, PNG or WebP image."),
        "too_large": _("The picture is too large: at most 40 megapixels."),
        "broken": _("The image file is damaged and cannot be read."),
    }
    return messages[kind]


def _image_link(revision: ProductRevision, image_id: int) -> RevisionImage:
    for link in revision.images:
        if link.image_id == image_id:
            return link
    raise NotFound(_("This image does not exist."))


def _ordered(revision: ProductRevision) -> list[RevisionImage]:
    return sorted(revision.images, key=lambda link: (link.position, link.image_id))


def _renumber(links: list[RevisionImage]) -> None:
    """Positions 0, 1, 2… in list order; exactly one main image when there is any."""
    for position, link in enumerate(links):
        link.position = position
    if links and not any(link.is_main for link in links):
        links[0].is_main = True


def add_image(*, actor: User, product: Product, file_storage: Any) -> ProductImage:
    """Add an uploaded JPEG, PNG or WebP image (≤ 5 MB, ≤ 40 MP, ≤ 8 per version) to the product's draft.

    The first image becomes the main one. Resized versions are made after commit by a task. Raises
    ValidationFailed on the field `file`, Conflict while the version is under review.
    """
    product, source = lock_for_media(actor, product)
    data = read_upload(file_storage, MAX_IMAGE_BYTES)
    try:
        info = images.inspect_image(data)
    except images.ImageProblem as problem:
        raise ValidationFailed("bad image", {"file": _image_problem(problem.kind)}) from problem
    if len(source.images) >= MAX_IMAGES:
        raise ValidationFailed(
            "too many images", {"file": _("At most %(n)d images per product: remove one first.", n=MAX_IMAGES)}
        )
    revision = draft_of(product, source, actor)
    key = f"products/{product.id}/{uuid4().hex}.{info.extension}"
    image = ProductImage(
        product_id=product.id,
        storage_key=key,
        content_type=info.content_type,
        width=info.width,
        height=info.height,
        byte_size=len(data),
        sizes=[],
        uploaded_by_id=actor.id,
    )
    db.session.add(image)
    db.session.flush()
    links = _ordered(revision)
    links.append(RevisionImage(revision_id=revision.id, image_id=image.id, is_main=not links))
    revision.images = links
    _renumber(links)
    audit("image_add", product, revision, actor, image_id=image.id, content_type=info.content_type)
    enqueue_after_commit(MAKE_SIZES_TASK, image_id=image.id)
    store_and_commit(key, data)
    return image


def set_main_image(*, actor: User, product: Product, image_id: int) -> ProductRevision:
    """Make one of the draft's images the main one (shown first, exported as the product's picture)."""
    product, source = lock_for_media(actor, product)
    _image_link(source, image_id)
    revision = draft_of(product, source, actor)
    for link in revision.images:
        link.is_main = link.image_id == image_id
    audit("image_main", product, revision, actor, image_id=image_id)
    db.session.commit()
    return revision


def move_image(*, actor: User, product: Product, image_id: int, position: int) -> ProductRevision:
    """Move an image of the draft to `position` (0 = first; clamped to the list)."""
    product, source = lock_for_media(actor, product)
    _image_link(source, image_id)
    revision = draft_of(product, source, actor)
    links = _ordered(revision)
    link = _image_link(revision, image_id)
    links.remove(link)
    links.insert(max(0, min(position, len(links))), link)
    _renumber(links)
    audit("image_move", product, revision, actor, image_id=image_id, position=link.position)
    db.session.commit()
    return revision


def remove_image(*, actor: User, product: Product, image_id: int) -> ProductRevision:
    """Take an image off the draft; the next one becomes main if needed. Files no version uses are deleted."""
    product, source = lock_for_media(actor, product)
    _image_link(source, image_id)
    revision = draft_of(product, source, actor)
    link = _image_link(revision, image_id)
    links = [other for other in _ordered(revision) if other is not link]
    revision.images = links
    _renumber(links)
    db.session.flush()
    audit("image_remove", product, revision, actor, image_id=image_id)
    orphan = _unused_image(image_id)
    keys = _image_keys(orphan) if orphan is not None else []
    if orphan is not None:
        db.session.delete(orphan)
    db.session.commit()
    delete_files(keys)
    return revision


def _unused_image(image_id: int) -> ProductImage | None:
    """The image when no revision (live, old or open) shows it any more."""
    used = db.session.scalar(select(func.count()).where(RevisionImage.image_id == image_id)) or 0
    return None if used else db.session.get(ProductImage, image_id)


def _image_keys(image: ProductImage) -> list[str]:
    keys = [image.storage_key]
    for size in images.SIZES:
        keys += [images.sized_key(image.storage_key, size, ext) for ext in images.sized_extensions(image.content_type)]
    return keys


def make_image_sizes(*, image_id: int) -> list[int]:
    """Write the 50/100/300/800 px versions of an image (those not larger than the original) and record them.

    Idempotent: when every version exists already, nothing is written. Returns the sizes made; an image that is gone
    or cannot be decoded gets none (logged), so the task does not retry forever.
    """
    image = db.session.get(ProductImage, image_id)
    if image is None:
        return []
    files = storage()
    wanted = images.sizes_for(image.width, image.height)
    if set(wanted) <= set(image.sizes or []) and all(sized_file(image, size) for size in wanted):
        return sorted(image.sizes)
    try:
        with files.open(image.storage_key) as source:
            versions = images.make_versions(source, wanted)
    except (OSError, ValueError, SyntaxError) as error:
        log.warning("cannot resize image %s (%s): %s", image.id, image.storage_key, error)
        return []
    for size, (data, extension) in versions.items():
        files.save(images.sized_key(image.storage_key, size, extension), data)
    image.sizes = sorted(versions)
    db.session.commit()
    return image.sizes


def sized_file(image: ProductImage, size: int) -> tuple[str, str] | None:
    """(storage key, content type) of a made version, or None while it does not exist yet."""
    if size not in (image.sizes or []):
        return None
    files = storage()
    for extension in images.sized_extensions(image.content_type):
        key = images.sized_key(image.storage_key, size, extension)
        if files.exists(key):
            return key, "image/jpeg" if extension == "jpg" else "image/png"
    return None
