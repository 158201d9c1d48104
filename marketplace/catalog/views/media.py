"""Product images and attachments: served with access checks and cache headers, and changed from the seller's
product page (uploads, main image, order, removal)."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role, User
from marketplace.catalog import services
from marketplace.catalog.forms import AttachmentForm, ImageForm, MoveImageForm, show_field_errors
from marketplace.catalog.models import Product
from marketplace.catalog.services.media import Served
from marketplace.catalog.views.listings import INVALID, render_detail
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.permissions import roles_required
from marketplace.core.storage import storage

bp = Blueprint("media", __name__, url_prefix="/media")

#: Images of products on sale never change under their URL (a new upload gets a new id): cache them for a year.
PUBLIC_CACHE = "public, max-age=31536000"
#: A resized version not made yet: the original is sent for now, so caches must ask again soon.
FALLBACK_CACHE = "public, max-age=60"
PRIVATE_CACHE = "private, no-store"
EDITING_ROLES = (Role.SELLER, Role.COOP_MANAGER)


def _viewer() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def _send(key: str, content_type: str, cache: str) -> Response:
    path = storage().path(key)
    if not path.is_file():
        raise NotFound(_("This file does not exist."))
    response = send_file(path, mimetype=content_type, conditional=True, etag=True)
    response.headers["Cache-Control"] = cache
    response.headers.pop("Expires", None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if cache == PRIVATE_CACHE:
        response.headers["Vary"] = "Cookie"
    return response


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987)."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(ch for ch in fallback if ch.isprintable() and ch not in '"\\;') or "lampiran.pdf"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@bp.get("/gambar/<int:image_id>/<size>")
def image(image_id: int, size: str):
    """An image at `original` size or 50/100/300/800 px (the original until that version is made)."""
    served = services.image_to_serve(viewer=_viewer(), image_id=image_id, size=size)
    return _send(served.key, served.content_type, _image_cache(served))


def _image_cache(served: Served) -> str:
    if not served.public:
        return PRIVATE_CACHE
    return FALLBACK_CACHE if served.fallback else PUBLIC_CACHE


@bp.get("/lampiran/<int:attachment_id>")
def attachment(attachment_id: int):
    """A PDF attachment, always downloaded (never shown inline)."""
    found, public = services.attachment_to_serve(viewer=_viewer(), attachment_id=attachment_id)
    response = _send(found.storage_key, found.content_type, PUBLIC_CACHE if public else PRIVATE_CACHE)
    response.headers["Content-Disposition"] = content_disposition(found.filename)
    return response


# Changing them, from the seller's product page ------------------------------------------------------------------


def _back(product: Product, anchor: str = "media"):
    return redirect(url_for("listings.detail", product_id=product.id) + f"#{anchor}")


def _new_draft_note(product: Product, had_open_revision: bool) -> None:
    if not had_open_revision and product.live_revision_id is not None:
        flash(_("This change is part of a new draft version: submit it for review to publish it."), "info")


@bp.post("/produk/<int:product_id>/gambar")
@roles_required(*EDITING_ROLES)
def upload_image(product_id: int):
    """Add an image to the product's draft."""
    product = services.editable_product(actor=current_user, product_id=product_id)
    had_open = services.open_revision(product) is not None
    form = ImageForm()
    try:
        services.add_image(actor=current_user, product=product, file_storage=request.files.get("file"))
    except ValidationFailed as error:
        show_field_errors(form, error)
        return render_detail(product, status=INVALID, image_form=form)
    except Conflict as error:
        flash(error.message, "error")
        return _back(product)
    flash(_("The image was added."), "success")
    _new_draft_note(product, had_open)
    return _back(product)


def _change_images(product_id: int, change, message: str):
    product = services.editable_product(actor=current_user, product_id=product_id)
    had_open = services.open_revision(product) is not None
    try:
        change(product)
    except Conflict as error:
        flash(error.message, "error")
        return _back(product)
    flash(message, "success")
    _new_draft_note(product, had_open)
    return _back(product)


@bp.post("/produk/<int:product_id>/gambar/<int:image_id>/utama")
@roles_required(*EDITING_ROLES)
def main_image(product_id: int, image_id: int):
    """Make an image the main one."""
    return _change_images(
        product_id,
        lambda product: services.set_main_image(actor=current_user, product=product, image_id=image_id),
        _("The main image was changed."),
    )


@bp.post("/produk/<int:product_id>/gambar/<int:image_id>/geser")
@roles_required(*EDITING_ROLES)
def move_image(product_id: int, image_id: int):
    """Move an image one place earlier (`up`) or later (`down`)."""
    form = MoveImageForm()
    if not form.validate_on_submit():
        return _back(services.editable_product(actor=current_user, product_id=product_id))

    def move(product: Product):
        revision = services.open_revision(product) or product.live_revision
        order = [link.image_id for link in sorted(revision.images, key=lambda link: link.position)] if revision else []
        if image_id not in order:
            raise NotFound(_("This image does not exist."))
        offset = -1 if form.direction.data == "up" else 1
        position = order.index(image_id) + offset
        services.move_image(actor=current_user, product=product, image_id=image_id, position=max(position, 0))

    return _change_images(product_id, move, _("The order of the images was changed."))


@bp.post("/produk/<int:product_id>/gambar/<int:image_id>/hapus")
@roles_required(*EDITING_ROLES)
def remove_image(product_id: int, image_id: int):
    """Take an image off the product's draft."""
    return _change_images(
        product_id,
        lambda product: services.remove_image(actor=current_user, product=product, image_id=image_id),
        _("The image was removed."),
    )


@bp.post("/produk/<int:product_id>/lampiran")
@roles_required(*EDITING_ROLES)
def upload_attachment(product_id: int):
    """Attach a PDF to the product's draft."""
    product = services.editable_product(actor=current_user, product_id=product_id)
    had_open = services.open_revision(product) is not None
    form = AttachmentForm()
    try:
        services.add_attachment(
            actor=current_user,
            product=product,
            file_storage=request.files.get("file"),
            description=form.description.data,
        )
    except ValidationFailed as error:
        show_field_errors(form, error)
        return render_detail(product, status=INVALID, attachment_form=form)
    except Conflict as error:
        flash(error.message, "error")
        return _back(product, "attachments")
    flash(_("The attachment was added."), "success")
    _new_draft_note(product, had_open)
    return _back(product, "attachments")


@bp.post("/produk/<int:product_id>/lampiran/<int:attachment_id>/hapus")
@roles_required(*EDITING_ROLES)
def remove_attachment(product_id: int, attachment_id: int):
    """Take an attachment off the product's draft."""
    product = services.editable_product(actor=current_user, product_id=product_id)
    had_open = services.open_revision(product) is not None
    try:
        services.remove_attachment(actor=current_user, product=product, attachment_id=attachment_id)
    except Conflict as error:
        flash(error.message, "error")
        return _back(product, "attachments")
    flash(_("The attachment was removed."), "success")
    _new_draft_note(product, had_open)
    return _back(product, "attachments")
