"""Bulk upload of listings: send a CSV or XLSX file, follow its check, then import the good rows or nothing."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from marketplace.accounts.models import Role
from marketplace.api.auth import api_user
from marketplace.api.errors import invalid_fields
from marketplace.api.framework import api_route, paginated
from marketplace.api.products import EDITORS, uploaded_file
from marketplace.api.schemas.catalog.imports import (
    ImportApplyIn,
    ImportDetailOut,
    ImportErrorOut,
    ImportErrorPage,
    ImportOut,
)
from marketplace.api.schemas.common import PageQuery, page_of
from marketplace.catalog.imports import services
from marketplace.core.fields import as_database_id
from marketplace.core.pagination import Page

TAGS = ["product imports"]
#: Who may see an upload: its uploader, the cooperative's managers and operators (others: 404).
VIEWERS = (Role.SELLER, Role.COOP_MANAGER, Role.OPERATOR)
IMPORT = "/products/imports/<int:import_id>"


def form_seller_id() -> int | None:
    """The optional `seller_id` field of the upload form."""
    value = request.form.get("seller_id", "").strip()
    if not value:
        return None
    seller_id = as_database_id(value)
    if seller_id is None:
        raise invalid_fields({"seller_id": _("Choose a member of your cooperative.")})
    return seller_id


@api_route(
    "/products/import",
    methods=["POST"],
    response=ImportOut,
    status=202,
    roles=EDITORS,
    description="Send `multipart/form-data` with the field `file`: an XLSX with the sheet `Produk` (and optionally "
    "`Harga Wilayah` and `Spesifikasi`), a CSV of the `Produk` columns, or a ZIP of the three CSVs, in the "
    "e-Katalog sheet layout, at most 20 MB. A manager uploads for an active member (`seller_id`). The file is "
    "checked as a whole at once (type by content, size, columns: 422 on `file`); its rows are checked in the "
    "background: poll `status_url`, then decide with `POST /products/imports/{import_id}/apply`.",
    tags=TAGS,
    errors=(413, 415, 422),
)
def upload_products() -> ImportOut:
    """Upload a file of products."""
    user = api_user()
    upload = uploaded_file()
    seller_id = form_seller_id()
    if seller_id is None and not user.has_role(Role.SELLER):
        raise invalid_fields({"seller_id": _("Choose the member who makes the products.")})
    record = services.start_import(actor=user, filename=upload.filename, stream=upload.stream, seller_id=seller_id)
    return ImportOut.of(record)


@api_route(
    "/products/imports",
    query=PageQuery,
    response=page_of(ImportOut),
    roles=VIEWERS,
    description="Newest first: a seller's own uploads, a manager's cooperative's, every upload for operators.",
    tags=TAGS,
)
def list_product_imports(query: PageQuery) -> Page:
    """List uploads."""
    page = paginated(services.imports_query(actor=api_user()), query)
    page.items = [ImportOut.of(record) for record in page.items]
    return page


@api_route(
    IMPORT,
    query=PageQuery,
    response=ImportDetailOut,
    roles=VIEWERS,
    description="The status, the row counts and one page of the problems found (sheet, row, column, message in "
    "the uploader's language). Only the uploader, the cooperative's managers and operators see an upload.",
    tags=TAGS,
)
def get_product_import(import_id: int, query: PageQuery) -> ImportDetailOut:
    """Show an upload and its problems."""
    record = services.visible_import(actor=api_user(), import_id=import_id)
    errors = paginated(services.import_errors_query(record=record), query)
    return ImportDetailOut(
        **ImportOut.of(record).model_dump(),
        errors=ImportErrorPage(
            items=[ImportErrorOut.of(error) for error in errors.items],
            total=errors.total,
            page=errors.page,
            per_page=errors.per_page,
        ),
    )


@api_route(
    f"{IMPORT}/apply",
    methods=["POST"],
    body=ImportApplyIn,
    response=ImportOut,
    status=202,
    roles=EDITORS,
    description="Once the rows are checked (`validated`): `good_only` imports the good rows as drafts in the "
    "background (poll `status_url` until `completed`); `nothing` discards the upload. 409 while the rows are "
    "still being checked, after a decision, or when no row is good.",
    tags=TAGS,
    field_names={"decision": "mode"},
    errors=(409,),
)
def apply_product_import(import_id: int, body: ImportApplyIn) -> ImportOut:
    """Import the good rows, or nothing."""
    record = services.decide_import(actor=api_user(), import_id=import_id, decision=body.mode)
    return ImportOut.of(record)
