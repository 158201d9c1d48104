"""What every media change shares: reading an upload within its size limit, locking the product, finding the
draft to change (a new one copied from the live version if needed), auditing and deleting unused files."""

from __future__ import annotations

import logging
from typing import Any

from flask_babel import gettext as _

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, ProductRevision
from marketplace.catalog.services.listings import editable_product, open_revision, start_revision
from marketplace.catalog.states import EDITABLE_REVISION_STATES, RevisionStatus
from marketplace.core.audit import record_event
from marketplace.core.errors import Conflict, ValidationFailed
from marketplace.core.storage import storage
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

log = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024


def read_upload(file_storage: Any, limit: int) -> bytes:
    """The uploaded bytes (werkzeug FileStorage or any object with `read()`); refuses empty and oversized files."""
    stream = getattr(file_storage, "stream", file_storage) if file_storage is not None else None
    data = stream.read(limit + 1) if stream is not None else b""
    if not data:
        raise ValidationFailed("no file", {"file": _("Choose a file to upload.")})
    if len(data) > limit:
        raise ValidationFailed(
            "file too large", {"file": _("The file is too large: at most %(n)d MB.", n=limit // MEGABYTE)}
        )
    return data


def lock_for_media(actor: User, product: Product) -> tuple[Product, ProductRevision]:
    """Lock the product; return it and the revision whose media would change (the editable open one, or the live
    one, which `draft_of` copies into a new draft). Nothing is written yet."""
    product = editable_product(actor=actor, product_id=product.id, lock=True)
    revision = open_revision(product)
    if revision is None:
        if product.live_revision is None:
            raise Conflict(_("This product has no version that can be changed."))
        return product, product.live_revision
    if revision.status not in EDITABLE_REVISION_STATES:
        raise Conflict(_("This version is waiting for review; images and attachments can change after the review."))
    return product, revision


def draft_of(product: Product, revision: ProductRevision, actor: User) -> ProductRevision:
    """`revision` when it is the open draft; a new draft copied from it when it is the live version."""
    if revision.status == RevisionStatus.APPROVED:
        revision = start_revision(product, actor)
    revision.author_id = actor.id
    revision.updated_at = utcnow()
    return revision


def audit(action: str, product: Product, revision: ProductRevision, actor: User, **after: Any) -> None:
    """Record `product.<action>` with the revision changed and `after` details."""
    record_event(
        f"product.{action}",
        subject_type="product",
        subject_id=product.id,
        actor_id=actor.id,
        after={"revision": revision.number, **after},
    )


def delete_files(keys: list[str]) -> None:
    """Delete stored files after commit; a failure is logged, never raised."""
    files = storage()
    for key in keys:
        try:
            files.delete(key)
        except OSError:  # a file left behind is harmless; a failed request after commit is not
            log.warning("could not delete %s", key, exc_info=True)


def store_and_commit(key: str, data: bytes) -> None:
    """Write the uploaded file, then commit; if the commit fails the file is removed again."""
    files = storage()
    files.save(key, data)
    try:
        db.session.commit()
    except Exception:
        files.delete(key)
        raise
