"""Bulk uploads of listings (CSV or XLSX in the e-Katalog sheet layout), checked and imported in the background."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from marketplace.api.schemas.catalog.listings import external_url
from marketplace.api.schemas.common import InModel, OutModel, PageBase
from marketplace.catalog.imports.sheet import split_error_column
from marketplace.catalog.imports.states import ImportStatus
from marketplace.catalog.models import ProductImport, ProductImportError


class ImportOut(OutModel):
    """An upload and how far its check (then its import) has come."""

    id: int
    status: ImportStatus = Field(
        description="queued → validating → validated (waiting for your decision) → importing → completed; "
        "validated → discarded; failed"
    )
    decision: Literal["good_only", "nothing"] | None
    filename: str
    file_format: str
    cooperative_id: int
    seller_id: int = Field(description="The member whose products these are")
    total_rows: int
    processed_rows: int
    good_rows: int
    bad_rows: int
    imported_rows: int
    failure: str | None = Field(description="Why the upload failed")
    created_at: datetime
    finished_at: datetime | None
    status_url: str | None = Field(description="Poll this URL for progress and the problems found")

    @classmethod
    def of(cls, record: ProductImport) -> ImportOut:
        """From the upload's row."""
        return cls(
            **{name: getattr(record, name) for name in cls.model_fields if name != "status_url"},
            status_url=external_url("api.get_product_import", import_id=record.id),
        )


class ImportErrorOut(OutModel):
    """A problem of one row: the sheet and row as the spreadsheet shows them (header = row 1)."""

    sheet: str = Field(description="Produk, Harga Wilayah or Spesifikasi")
    row_number: int
    column: str = Field(description="The column name of the e-Katalog sheet")
    message: str

    @classmethod
    def of(cls, error: ProductImportError) -> ImportErrorOut:
        """From a stored problem (its column may name an item sheet: `Harga Wilayah!kode_wilayah`)."""
        sheet, column = split_error_column(error.column)
        return cls(sheet=sheet, row_number=error.row_number, column=column, message=error.message)


class ImportErrorPage(PageBase):
    items: list[ImportErrorOut]


class ImportDetailOut(ImportOut):
    errors: ImportErrorPage = Field(description="The problems found, one page (`page`, `per_page`)")


class ImportApplyIn(InModel):
    mode: Literal["good_only", "nothing"] = Field(
        description="`good_only`: import the good rows as drafts (in the background); `nothing`: discard the upload"
    )
