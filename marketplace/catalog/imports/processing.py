"""The background work on an upload (the `catalog.validate_import` and `catalog.apply_import` tasks).

Both are idempotent: each starts with a guarded move (only one run may take the import), and reports progress by
committing every PROGRESS_EVERY rows. Validation reads the file once and writes the cleaned values of the good rows
beside it (`…checked.jsonl`); it is read-only towards the catalog, so a resumed run starts again. The import reads
those values (re-checking what may have changed since: the SKU and the price validity) and commits each batch of
drafts together with its progress, so a resumed run skips the rows already handled and nothing is imported twice.
Messages are written in the uploader's language.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import case, delete, insert, select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from marketplace.accounts.models import User
from marketplace.catalog.imports.checks import SKU_COLUMN, CheckedRow, RowChecker, RowError
from marketplace.catalog.imports.reader import CsvSource, ImportFileError, XlsxSource, open_source
from marketplace.catalog.imports.sheet import PRODUK
from marketplace.catalog.imports.states import ImportDecision, ImportStatus, guarded_move
from marketplace.catalog.models import Product, ProductImport, ProductImportError, ProductRevision, RegionalPrice
from marketplace.catalog.permissions import is_active_member
from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import record_event
from marketplace.core.storage import storage
from marketplace.core.timeutil import today_wib, utcnow
from marketplace.extensions import db

logger = logging.getLogger(__name__)

#: Rows between two progress reports (each one a commit; for the import, one batch of drafts).
PROGRESS_EVERY = 100
#: Products one upload may hold.
MAX_PRODUCT_ROWS = 10_000
#: Database errors worth retrying (lost connection, SQLite busy); the task retries on them.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@dataclass
class _Batch:
    """What the rows since the last progress report add."""

    drafts: list[CheckedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    good: int = 0
    bad: int = 0

    def refuse(self, rows: list[CheckedRow]) -> None:
        """Rows found bad at import time although they were good when checked."""
        for row in rows:
            self.errors += row.errors
            self.good -= 1
            self.bad += 1


def validate_import(*, import_id: int, resume: bool = False) -> str:
    """Check every row of an upload, store each problem, count good and bad rows; return the final status."""
    record = db.session.get(ProductImport, import_id)
    if record is None:
        return "missing"
    counters = {"total_rows": 0, "processed_rows": 0, "good_rows": 0, "bad_rows": 0}
    if not guarded_move(record, "validate", actor_id=None, resume=resume, values=counters):
        return record.status
    db.session.execute(delete(ProductImportError).where(ProductImportError.import_id == record.id))
    db.session.commit()
    return _run(record, _validate)


def apply_import(*, import_id: int, resume: bool = False) -> str:
    """Create the good rows of a checked upload as drafts, in batches; return the final status."""
    record = db.session.get(ProductImport, import_id)
    if record is None:
        return "missing"
    restart = case((ProductImport.status == ImportStatus.VALIDATED, 0), else_=ProductImport.processed_rows)
    moved = guarded_move(
        record,
        "start_import",
        actor_id=None,
        resume=resume,
        where=[ProductImport.decision == ImportDecision.GOOD_ONLY],
        values={"processed_rows": restart},
    )
    if not moved:
        return record.status
    db.session.commit()
    return _run(record, _apply)


def give_up(*, import_id: int) -> None:
    """Mark an import failed after its task exhausted its retries."""
    record = db.session.get(ProductImport, import_id)
    if record is not None:
        uploader = db.session.get(User, record.uploaded_by_id)
        with force_locale(uploader.locale if uploader else "id"):
            _fail(record, _("The database was not available for too long. Please upload the file again."))


def _run(record: ProductImport, work: Callable[[ProductImport], None]) -> str:
    uploader = db.session.get(User, record.uploaded_by_id)
    with force_locale(uploader.locale if uploader else "id"):
        try:
            work(record)
        except TRANSIENT_ERRORS:
            db.session.rollback()
            raise
        except ImportFileError as error:
            db.session.rollback()
            _fail(record, error.message)
        except Exception:  # a bug or an unreadable file: the page must not wait forever
            logger.exception("product import %s failed", record.id)
            db.session.rollback()
            _fail(record, _("An unexpected error stopped the work on this file. Please try again later."))
    return record.status


def _fail(record: ProductImport, message: str) -> None:
    values = {"failure": message, "finished_at": utcnow()}
    if guarded_move(record, "fail", actor_id=None, values=values, reason=message):
        db.session.commit()
        remove_files(record)


def checked_key(record: ProductImport) -> str:
    """Storage key of the cleaned values of the good rows, beside the upload."""
    return record.storage_key.rsplit(".", 1)[0] + ".checked.jsonl"


def remove_files(record: ProductImport) -> None:
    """Delete the upload and its checked rows (nothing more will be read from them)."""
    for key in (record.storage_key, checked_key(record)):
        storage().delete(key)


def _taken_skus(cooperative_id: int) -> set[str]:
    return set(db.session.scalars(select(Product.sku).where(Product.cooperative_id == cooperative_id)))


def _checker(source: XlsxSource | CsvSource, record: ProductImport) -> RowChecker:
    cooperative = db.session.get(Cooperative, record.cooperative_id)
    return RowChecker(source, is_pkp=cooperative.is_pkp, today=today_wib(), taken_skus=_taken_skus(cooperative.id))


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(n)s products. Split it into smaller files.", n=f"{MAX_PRODUCT_ROWS:,}")
    )


# Validation ------------------------------------------------------------------------------------------------------


def _validate(record: ProductImport) -> None:
    good_rows: list[str] = []
    with storage().open(record.storage_key) as stream, open_source(stream, record.file_format) as source:
        hint = source.count_hint(PRODUK)
        if hint and hint > MAX_PRODUCT_ROWS:
            raise _too_many_rows()
        record.total_rows = hint or 0
        db.session.commit()
        checker = _checker(source, record)
        batch, count = _Batch(), 0
        for count, (number, cells) in enumerate(checker.rows(), 1):
            if count > MAX_PRODUCT_ROWS:
                raise _too_many_rows()
            checked = checker.check(number, cells)
            if checked.errors:
                batch.errors += checked.errors
                batch.bad += 1
            else:
                batch.good += 1
                good_rows.append(_dump(count, checked))
            if count % PROGRESS_EVERY == 0:
                _save_checks(record, batch, count)
                batch = _Batch()
        batch.errors += checker.orphan_errors()
        _save_checks(record, batch, count)
    storage().save(checked_key(record), "".join(good_rows).encode("utf-8"))
    record.total_rows = count
    extra = {"good_rows": record.good_rows, "bad_rows": record.bad_rows}
    guarded_move(record, "finish_validation", actor_id=None, extra=extra)
    db.session.commit()


def _dump(count: int, checked: CheckedRow) -> str:
    """One line of the checked rows file: the row's place, its spreadsheet row number and its cleaned values."""
    return json.dumps({"n": count, "row": checked.row_number, "values": checked.values}, default=date.isoformat) + "\n"


def _save_checks(record: ProductImport, batch: _Batch, processed: int) -> None:
    _insert_errors(record, batch.errors)
    record.good_rows += batch.good
    record.bad_rows += batch.bad
    record.processed_rows = processed
    record.total_rows = max(record.total_rows, processed)
    db.session.commit()


def _insert_errors(record: ProductImport, errors: list[RowError]) -> None:
    if errors:
        db.session.execute(insert(ProductImportError), [{"import_id": record.id, **e.as_row()} for e in errors])


# Import ------------------------------------------------------------------------------------------------------------


def _apply(record: ProductImport) -> None:
    seller = db.session.get(User, record.seller_id)
    if not is_active_member(seller) or seller.membership.cooperative_id != record.cooperative_id:
        raise ImportFileError(_("%(name)s is no longer an active member of the cooperative.", name=seller.full_name))
    taken, today = _taken_skus(record.cooperative_id), today_wib()
    batch = _Batch()
    for count, checked in _checked_rows(record):
        problem = _no_longer_good(checked, taken, today)
        if problem is not None:
            checked.errors = [problem]
            batch.refuse([checked])
        else:
            batch.drafts.append(checked)
            taken.add(checked.sku)
        if len(batch.drafts) + len(batch.errors) >= PROGRESS_EVERY:
            _save_drafts(record, batch, count)
            batch = _Batch()
    _save_drafts(record, batch, max(record.total_rows, record.processed_rows))
    values = {"finished_at": utcnow()}
    guarded_move(record, "complete", actor_id=None, values=values, extra={"imported_rows": record.imported_rows})
    db.session.commit()
    remove_files(record)


def _checked_rows(record: ProductImport) -> Iterator[tuple[int, CheckedRow]]:
    """The good rows as validation wrote them, after those an earlier run already imported."""
    done = record.processed_rows
    try:
        stream = storage().open(checked_key(record))
    except FileNotFoundError:
        raise ImportFileError(_("The checked rows of this upload are missing. Please upload the file again.")) from None
    with stream:
        for line in stream:
            item = json.loads(line)
            if item["n"] > done:
                values = item["values"]
                if values.get("valid_until"):
                    values["valid_until"] = date.fromisoformat(values["valid_until"])
                yield item["n"], CheckedRow(item["row"], values["sku"], values, [])


def _no_longer_good(checked: CheckedRow, taken: set[str], today: date) -> RowError | None:
    """What changed since the check and now stops the row: its SKU was taken, or its price validity passed."""
    if checked.sku in taken:
        return RowError(PRODUK, checked.row_number, SKU_COLUMN, _("This SKU is already used in your cooperative."))
    valid_until = checked.values.get("valid_until")
    if valid_until is not None and valid_until < today:
        message = _("The price validity date has already passed.")
        return RowError(PRODUK, checked.row_number, "berlaku_sampai", message)
    return None


def _save_drafts(record: ProductImport, batch: _Batch, processed: int) -> None:
    """Commit the batch's drafts with the progress; a SKU taken meanwhile moves its row to the errors."""
    for attempt in range(3):
        try:
            _insert_drafts(record, batch.drafts)
            _insert_errors(record, batch.errors)
            record.imported_rows += len(batch.drafts)
            record.good_rows += batch.good
            record.bad_rows += batch.bad
            record.processed_rows = processed
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
            taken = _taken_skus(record.cooperative_id)
            conflicts = [row for row in batch.drafts if row.sku in taken]
            if not conflicts or attempt == 2:
                raise
            message = _("This SKU is already used in your cooperative.")
            for row in conflicts:
                row.errors = [RowError(PRODUK, row.row_number, SKU_COLUMN, message)]
                batch.drafts.remove(row)
            batch.refuse(conflicts)


def _insert_drafts(record: ProductImport, rows: list[CheckedRow]) -> None:
    """Each row as a product with its first revision, a draft, as `create_listing` makes them (bulk inserts), and
    one `product.create` audit event per product."""
    if not rows:
        return
    product_ids = db.session.scalars(
        insert(Product).returning(Product.id, sort_by_parameter_order=True),
        [
            {
                "cooperative_id": record.cooperative_id,
                "seller_id": record.seller_id,
                "sku": row.values["sku"],
                "stock": row.values["stock"],
            }
            for row in rows
        ],
    ).all()
    revision_ids = db.session.scalars(
        insert(ProductRevision).returning(ProductRevision.id, sort_by_parameter_order=True),
        [
            _revision_row(product_id, record.uploaded_by_id, row.values)
            for product_id, row in zip(product_ids, rows, strict=True)
        ],
    ).all()
    prices = [
        {"revision_id": revision_id, **price}
        for revision_id, row in zip(revision_ids, rows, strict=True)
        for price in row.values["regional_prices"]
    ]
    if prices:
        db.session.execute(insert(RegionalPrice), prices)
    for product_id, row in zip(product_ids, rows, strict=True):
        record_event(
            "product.create",
            subject_type="product",
            subject_id=product_id,
            actor_id=record.uploaded_by_id,
            after={"sku": row.values["sku"], "name": row.values["name"], "revision": 1, "import_id": record.id},
        )
    db.session.flush()


def _revision_row(product_id: int, author_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """The first revision's columns: every cleaned value but the SKU (on the product) and the regional prices."""
    columns = {key: value for key, value in values.items() if key not in ("sku", "regional_prices")}
    return {"product_id": product_id, "number": 1, "author_id": author_id, "status": "draft", **columns}
