"""PDF attachments (certificates: TKDN, SNI, halal…): checked by their header and trailer, attached to the draft,
removed."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from uuid import uuid4

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, ProductAttachment, ProductRevision, RevisionAttachment
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
from marketplace.extensions import db

MAX_ATTACHMENT_BYTES = 10 * MEGABYTE
MAX_ATTACHMENTS = 10
MAX_DESCRIPTION = 200
PDF_CONTENT_TYPE = "application/pdf"
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f"*/:<>?\\|]+')


def _attachment_link(revision: ProductRevision, attachment_id: int) -> RevisionAttachment:
    for link in revision.attachments:
        if link.attachment_id == attachment_id:
            return link
    raise NotFound(_("This attachment does not exist."))


def looks_like_pdf(data: bytes) -> bool:
    """A PDF starts with `%PDF-` and ends with `%%EOF` (allowing trailing whitespace or a short trailer)."""
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


def clean_filename(name: str | None, *, default: str = "lampiran.pdf") -> str:
    """A file name safe for Content-Disposition: no folders, control or reserved characters; ends in .pdf."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = " ".join(_UNSAFE_IN_NAME.sub(" ", base).split()).strip(" .")
    stem = base[:-4] if base.lower().endswith(".pdf") else base
    stem = stem[:150].rstrip(" .")
    return f"{stem}.pdf" if stem else default


def add_attachment(
    *, actor: User, product: Product, file_storage: Any, description: str | None = None
) -> ProductAttachment:
    """Attach a PDF (≤ 10 MB; certificates: TKDN, SNI, halal…) to the product's draft, with a short description."""
    product, source = lock_for_media(actor, product)
    text = " ".join((description or "").split())
    if len(text) > MAX_DESCRIPTION:
        raise ValidationFailed("description", {"description": _("At most %(n)d characters.", n=MAX_DESCRIPTION)})
    data = read_upload(file_storage, MAX_ATTACHMENT_BYTES)
    if not data.startswith(b"%PDF-"):
        raise ValidationFailed("not a pdf", {"file": _("Only PDF files can be attached.")})
    if not looks_like_pdf(data):
        raise ValidationFailed("broken pdf", {"file": _("The PDF file is damaged or incomplete.")})
    if len(source.attachments) >= MAX_ATTACHMENTS:
        raise ValidationFailed(
            "too many attachments", {"file": _("At most %(n)d attachments: remove one first.", n=MAX_ATTACHMENTS)}
        )
    revision = draft_of(product, source, actor)
    key = f"products/{product.id}/{uuid4().hex}.pdf"
    attachment = ProductAttachment(
        product_id=product.id,
        storage_key=key,
        filename=clean_filename(getattr(file_storage, "filename", None)),
        content_type=PDF_CONTENT_TYPE,
        byte_size=len(data),
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    revision.attachments.append(
        RevisionAttachment(revision_id=revision.id, attachment_id=attachment.id, description=text or None)
    )
    audit("attachment_add", product, revision, actor, attachment_id=attachment.id, filename=attachment.filename)
    store_and_commit(key, data)
    return attachment


def remove_attachment(*, actor: User, product: Product, attachment_id: int) -> ProductRevision:
    """Take an attachment off the draft; its file is deleted when no version uses it any more."""
    product, source = lock_for_media(actor, product)
    _attachment_link(source, attachment_id)
    revision = draft_of(product, source, actor)
    link = _attachment_link(revision, attachment_id)
    revision.attachments.remove(link)
    db.session.flush()
    audit("attachment_remove", product, revision, actor, attachment_id=attachment_id)
    used = db.session.scalar(select(func.count()).where(RevisionAttachment.attachment_id == attachment_id)) or 0
    orphan = None if used else db.session.get(ProductAttachment, attachment_id)
    keys = [orphan.storage_key] if orphan is not None else []
    if orphan is not None:
        db.session.delete(orphan)
    db.session.commit()
    delete_files(keys)
    return revision
