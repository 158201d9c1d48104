"""Products: the public catalog, and for sellers and managers creating, revising, submitting and withdrawing."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from marketplace.accounts.models import Role, User
from marketplace.api.auth import api_user, current_api_user, unauthorized
from marketplace.api.errors import ApiError, invalid_fields
from marketplace.api.framework import api_route, page_size
from marketplace.api.schemas.catalog import (
    ImageOut,
    ProductCardOut,
    ProductCardPage,
    ProductCreate,
    ProductOut,
    ProductQuery,
    ProductUpdate,
    WithdrawIn,
    listing_raw,
)
from marketplace.catalog import services
from marketplace.catalog.models import Product, ProductRevision
from marketplace.catalog.permissions import can_edit_product
from marketplace.catalog.rules import listing_to_raw
from marketplace.catalog.search.public import public_product
from marketplace.catalog.search.query import search_catalog
from marketplace.catalog.views.public import COUNT_LIMIT
from marketplace.core.errors import NotFound

TAGS = ["products"]
#: Who may create and change listings: a seller their own, a manager their cooperative's.
EDITORS = (Role.SELLER, Role.COOP_MANAGER)
PRODUCT = "/products/<int:product_id>"
#: What a yes/no field of a multipart form may say for yes.
TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


def optional_user() -> User | None:
    """The caller of a public route: None when anonymous; a token that is sent must be valid (else 401)."""
    user = current_api_user()
    if user is None and request.headers.get("Authorization"):
        raise unauthorized()
    return user


def owner_view(product: Product, user: User) -> ProductOut:
    """The product with its newest revision and the actions `user` may take."""
    return ProductOut.of(product, owner_view=True, editable=can_edit_product(user, product))


def uploaded_file(name: str = "file") -> FileStorage:
    """The file of a multipart/form-data request: 415 for another content type, 422 when the field is missing."""
    if request.mimetype != "multipart/form-data":
        raise ApiError(
            415, "unsupported_media_type", _("Send the file as multipart/form-data in the field %(name)s.", name=name)
        )
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        raise invalid_fields({name: _("Choose a file to upload.")})
    return upload


def form_flag(name: str) -> bool:
    """A yes/no field of a multipart form (`true`, `1`, `yes` or `on` for yes)."""
    return request.form.get(name, "").strip().lower() in TRUE_VALUES


@api_route(
    "/products",
    query=ProductQuery,
    response=ProductCardPage,
    auth=False,
    description="Products on sale only, with the same filters as the catalog's search page. Sorts: relevance "
    "(newest when there is no text), price_asc, price_desc, tkdn_desc, newest. `per_page` is at most 100. "
    f"Like the search page, the search counts at most {COUNT_LIMIT} matches: beyond, `total` is {COUNT_LIMIT} "
    "and `total_capped` is true (more than `total` products).",
    tags=TAGS,
    errors=(401,),  # a token that is sent must be valid
)
def list_products(query: ProductQuery) -> ProductCardPage:
    """Search the catalog."""
    optional_user()
    found = search_catalog(
        **query.model_dump(exclude={"page", "per_page"}),
        page=query.page,
        per_page=page_size(query),
        count_limit=COUNT_LIMIT,
    )
    return ProductCardPage(
        items=[ProductCardOut.of(hit) for hit in found.items],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
        total_capped=found.total_capped,
    )


@api_route(
    PRODUCT,
    response=ProductOut,
    auth=False,
    description="Public for products on sale (live data only). The maker, the cooperative's managers and operators "
    "also see drafts, withdrawn products and the newest revision with its review status; for anyone else those "
    "are 404. A token that is sent must be valid.",
    tags=TAGS,
    errors=(401,),  # a token that is sent must be valid
)
def get_product(product_id: int) -> ProductOut:
    """Show a product."""
    user = optional_user()
    if user is not None:
        try:
            product = services.visible_product(actor=user, product_id=product_id)
        except NotFound:
            pass
        else:
            return owner_view(product, user)
    return ProductOut.of(public_product(product_id=product_id).product)


@api_route(
    "/products",
    methods=["POST"],
    body=ProductCreate,
    response=ProductOut,
    status=201,
    roles=EDITORS,
    description="A seller lists their own product; a manager lists for an active member of the cooperative "
    "(`seller_id`). The product is a draft until the cooperative approves it; with `submit: true` it goes to "
    "review at once. Every invalid field is named in `error.fields` by its dotted path, e.g. "
    "`regional_prices.0.price`.",
    tags=TAGS,
)
def create_product(body: ProductCreate) -> ProductOut:
    """Create a product."""
    user = api_user()
    if body.seller_id is None and not user.has_role(Role.SELLER):
        raise invalid_fields({"seller_id": _("Choose the member who makes the product.")})
    revision = services.create_listing(actor=user, data=listing_raw(body), seller_id=body.seller_id, submit=body.submit)
    return owner_view(revision.product, user)


def current_listing(product: Product) -> dict[str, Any]:
    """The listing a PATCH starts from: the open revision, else the live version with its current stock and
    price validity, else the newest revision."""
    revision = services.open_revision(product)
    live = product.live_revision
    base: ProductRevision = revision or live or product.revisions[-1]
    data = listing_to_raw(product.sku, base, base.unit.name if base.unit else None)
    if revision is None and live is not None:
        data.update(stock=product.stock, valid_until=product.valid_until or live.valid_until)
    return data


@api_route(
    PRODUCT,
    methods=["PATCH"],
    body=ProductUpdate,
    response=ProductOut,
    roles=EDITORS,
    description="The fields sent replace those of the open revision (draft or sent back). When the product is on "
    "sale and has no open revision, a new revision is started from the live version, which stays on sale until "
    "the new one is approved. A revision waiting for review cannot change (409). `regional_prices` and "
    "`specifications` are replaced as a whole.",
    tags=TAGS,
    errors=(409,),
)
def update_product(product_id: int, body: ProductUpdate) -> ProductOut:
    """Change a product (a new revision when it is live)."""
    user = api_user()
    product = services.editable_product(actor=user, product_id=product_id, lock=True)
    data = current_listing(product)
    data.update(listing_raw(body))
    services.update_listing(actor=user, product=product, data=data, submit=body.submit)
    return owner_view(product, user)


@api_route(
    f"{PRODUCT}/submit",
    methods=["POST"],
    response=ProductOut,
    roles=EDITORS,
    description="Sends the draft (or the revision sent back with notes) to the cooperative's review. 409 when there "
    "is nothing to submit or it is already waiting.",
    tags=TAGS,
    errors=(409,),
)
def submit_product(product_id: int) -> ProductOut:
    """Submit a product's open revision for review."""
    user = api_user()
    product = services.editable_product(actor=user, product_id=product_id, lock=True)
    services.submit_listing(actor=user, product=product)
    return owner_view(product, user)


@api_route(
    f"{PRODUCT}/withdraw",
    methods=["POST"],
    body=WithdrawIn,
    response=ProductOut,
    roles=EDITORS,
    description="Takes an active product off sale: it leaves search and the next delta feed says `produk_aktif` 0. "
    "Send `{}` or a reason. It comes back on sale when a new revision is approved (e.g. `PATCH` with "
    "`submit: true`). 409 unless the product is active.",
    tags=TAGS,
    errors=(409,),
)
def withdraw_product(product_id: int, body: WithdrawIn) -> ProductOut:
    """Withdraw a product from sale."""
    user = api_user()
    product = services.editable_product(actor=user, product_id=product_id, lock=True)
    services.withdraw_product(actor=user, product=product, reason=body.reason or None)
    return owner_view(product, user)


@api_route(
    f"{PRODUCT}/images",
    methods=["POST"],
    response=ImageOut,
    status=201,
    roles=EDITORS,
    description="Send `multipart/form-data` with the field `file` (a JPEG, PNG or WebP image, checked by its "
    "content, at most 5 MB and 40 megapixels) and optionally `main=true` to make it the main image. At most 8 "
    "images per version; the first one is the main image. The image joins the open revision (a new revision is "
    "started from the live version when there is none), so it goes live with the next approval. 50/100/300/800 px "
    "versions are made in the background and appear in `urls` when ready. Errors of the file are reported on the "
    "field `file`.",
    tags=TAGS,
    errors=(409, 413, 415),
)
def upload_image(product_id: int) -> ImageOut:
    """Add an image to a product."""
    user = api_user()
    product = services.editable_product(actor=user, product_id=product_id)
    upload = uploaded_file()
    image = services.add_image(actor=user, product=product, file_storage=upload)
    revision = services.open_revision(product)
    if form_flag("main"):
        revision = services.set_main_image(actor=user, product=product, image_id=image.id)
    link = next(link for link in revision.images if link.image_id == image.id)
    return ImageOut.of(link)
