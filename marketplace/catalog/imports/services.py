"""Bulk upload use cases for pages and the API: upload a file, see an upload and its problems, and decide to import
the good rows as drafts or nothing. The rows are checked and imported by tasks (see `processing`).

Who sees an upload: its uploader, the managers of its cooperative and operators (anyone else: NotFound). Who
decides: its uploader and the managers.
"""

from __future__ import annotations

import os
import posixpath
import uuid
from typing import Any, BinaryIO

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update

from marketplace.accounts.models import Role, User
from marketplace.catalog.imports.processing import remove_files
from marketplace.catalog.imports.reader import ImportFileError, check_layout, open_source, sniff_format
from marketplace.catalog.imports.states import ImportDecision, ImportStatus, guarded_move
from marketplace.catalog.models import ProductImport, ProductImportError
from marketplace.catalog.permissions import is_active_member, manages_cooperative
from marketplace.catalog.services.listings import _seller_for
from marketplace.cooperatives.models import Membership
from marketplace.cooperatives.states import MembershipStatus
from marketplace.core.audit import record_event
from marketplace.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.core.storage import storage
from marketplace.core.tasks import enqueue_after_commit
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

#: Largest file accepted (the app refuses requests over MAX_CONTENT_LENGTH, 25 MB, before they reach us).
MAX_FILE_BYTES = 20 * 1024 * 1024
VALIDATE_TASK = "catalog.validate_import"
APPLY_TASK = "catalog.apply_import"
PROGRESS_FIELDS = ("status", "processed_rows", "total_rows", "good_rows", "bad_rows", "imported_rows")


def can_view_import(user: User, record: ProductImport) -> bool:
    """The uploader, the cooperative's managers and operators."""
    return (
        record.uploaded_by_id == user.id
        or manages_cooperative(user, record.cooperative_id)
        or user.has_role(Role.OPERATOR)
    )


def can_decide_import(user: User, record: ProductImport) -> bool:
    """The uploader and the cooperative's managers."""
    return record.uploaded_by_id == user.id or manages_cooperative(user, record.cooperative_id)


def visible_import(*, actor: User, import_id: int) -> ProductImport:
    """The upload if `actor` may see it; NotFound otherwise (other cooperatives' uploads included)."""
    record = db.session.get(ProductImport, import_id)
    if record is None or not can_view_import(actor, record):
        raise NotFound(_("This upload does not exist."))
    return record


def imports_query(*, actor: User) -> Select:
    """Rows of (upload, member's name) `actor` may see, newest first: a manager's cooperative's and own uploads,
    a seller's own uploads, every upload for operators."""
    statement = (
        select(ProductImport, User.full_name)
        .join(User, User.id == ProductImport.seller_id)
        .order_by(ProductImport.created_at.desc(), ProductImport.id.desc())
    )
    if actor.has_role(Role.OPERATOR):
        return statement
    if actor.has_role(Role.COOP_MANAGER) and actor.cooperative_id is not None:
        return statement.where(
            (ProductImport.cooperative_id == actor.cooperative_id) | (ProductImport.uploaded_by_id == actor.id)
        )
    return statement.where(ProductImport.uploaded_by_id == actor.id)


def people_of(record: ProductImport) -> dict[str, str | None]:
    """Names of the member whose products the upload holds and of the uploader."""
    names = dict(
        db.session.execute(
            select(User.id, User.full_name).where(User.id.in_({record.seller_id, record.uploaded_by_id}))
        ).all()
    )
    return {"seller": names.get(record.seller_id), "uploader": names.get(record.uploaded_by_id)}


def import_errors_query(*, record: ProductImport) -> Select:
    """The upload's problems in the order they were found (by product, then the item sheets)."""
    return (
        select(ProductImportError)
        .where(ProductImportError.import_id == record.id)
        .order_by(ProductImportError.id.asc())
    )


def progress(record: ProductImport) -> dict[str, Any]:
    """What the progress bar polls."""
    return {name: getattr(record, name) for name in PROGRESS_FIELDS}


def member_choices(*, actor: User) -> list[tuple[int, str]]:
    """Active members a manager may upload for, by name."""
    if not actor.has_role(Role.COOP_MANAGER) or actor.cooperative_id is None:
        return []
    rows = db.session.execute(
        select(User.id, User.full_name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cooperative_id == actor.cooperative_id, Membership.status == MembershipStatus.ACTIVE)
        .order_by(func.lower(User.full_name), User.id)
    )
    return [(user_id, name) for user_id, name in rows]


def start_import(*, actor: User, filename: str, stream: BinaryIO, seller_id: int | None = None) -> ProductImport:
    """Check an uploaded file as a whole (type by content, size, sheets and columns), store it and queue the
    check of its rows. A seller uploads their own products; a manager uploads for an active member (`seller_id`).

    Raises ValidationFailed on `file` (with the reason) or `seller_id`; Forbidden for non-members.
    """
    seller, cooperative = _seller_for(actor, seller_id)
    file_format = check_file(stream)
    record = ProductImport(
        cooperative_id=cooperative.id,
        seller_id=seller.id,
        uploaded_by_id=actor.id,
        filename=clean_filename(filename),
        storage_key="",
        file_format=file_format,
    )
    db.session.add(record)
    db.session.flush()
    record.storage_key = f"imports/{record.id}/{uuid.uuid4().hex}.{file_format}"
    stream.seek(0)
    storage().save(record.storage_key, stream)
    record_event(
        "product_import.upload",
        subject_type="product_import",
        subject_id=record.id,
        actor_id=actor.id,
        after={"status": record.status, "filename": record.filename, "seller_id": seller.id},
    )
    enqueue_after_commit(VALIDATE_TASK, import_id=record.id)
    try:
        db.session.commit()
    except Exception:
        storage().delete(record.storage_key)
        raise
    return record


def check_file(stream: BinaryIO) -> str:
    """The file's format (`xlsx`, `zip`, `csv`) if it can be an upload; ValidationFailed on `file` otherwise."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > MAX_FILE_BYTES:
        megabytes = f"{size / 1024 / 1024:.1f}"
        message = _("The file has %(size)s MB; at most 20 MB is accepted. Split it into smaller files.", size=megabytes)
        raise ValidationFailed("file too large", {"file": message})
    try:
        file_format = sniff_format(stream)
        with open_source(stream, file_format) as source:
            check_layout(source)
    except ImportFileError as error:
        raise ValidationFailed("unusable file", {"file": error.message}) from None
    finally:
        stream.seek(0)
    return file_format


def clean_filename(filename: str | None) -> str:
    """The uploaded name without folders, for display only (files are stored under generated keys)."""
    name = posixpath.basename((filename or "").replace("\\", "/")).strip()
    return name[:200] or "upload"


def decide_import(*, actor: User, import_id: int, decision: str) -> ProductImport:
    """After the check: import the good rows as drafts (`good_only`, done by a task) or nothing (`nothing`).

    Conflict when the upload is not waiting for a decision (already decided, still being checked) or has no good
    row; Forbidden for operators (they only look).
    """
    record = visible_import(actor=actor, import_id=import_id)
    if not can_decide_import(actor, record):
        raise Forbidden(_("Only the uploader and the cooperative's managers decide about an upload."))
    if decision == ImportDecision.NOTHING:
        _discard(record, actor)
    elif decision == ImportDecision.GOOD_ONLY:
        _choose_good_rows(record, actor)
    else:
        raise ValidationFailed("unknown decision", {"decision": _("Choose what to import.")})
    return record


def _not_waiting(record: ProductImport) -> Conflict:
    """Why the upload takes no decision now."""
    if record.status in (ImportStatus.QUEUED, ImportStatus.VALIDATING):
        return Conflict(_("The rows are still being checked. Please wait until the check is finished."))
    if record.status == ImportStatus.FAILED:
        return Conflict(_("This upload failed. Please upload the file again."))
    return Conflict(_("This upload was already decided."))


def _discard(record: ProductImport, actor: User) -> None:
    values = {"decision": ImportDecision.NOTHING, "finished_at": utcnow()}
    where = [ProductImport.decision.is_(None)]
    extra = {"decision": ImportDecision.NOTHING}
    if not guarded_move(record, "discard", actor_id=actor.id, where=where, values=values, extra=extra):
        raise _not_waiting(record)
    db.session.commit()
    remove_files(record)


def _choose_good_rows(record: ProductImport, actor: User) -> None:
    if record.status != ImportStatus.VALIDATED or record.decision is not None:
        raise _not_waiting(record)
    if record.good_rows == 0:
        raise Conflict(_("Every row has errors, so there is nothing to import. Correct the file and upload it again."))
    seller = db.session.get(User, record.seller_id)
    if not is_active_member(seller) or seller.membership.cooperative_id != record.cooperative_id:
        raise Conflict(_("%(name)s is no longer an active member of the cooperative.", name=seller.full_name))
    result = db.session.execute(
        update(ProductImport)
        .where(
            ProductImport.id == record.id,
            ProductImport.status == ImportStatus.VALIDATED,
            ProductImport.decision.is_(None),
        )
        .values(decision=ImportDecision.GOOD_ONLY, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(record)
    if result.rowcount != 1:
        raise _not_waiting(record)
    record_event(
        "product_import.import_good_rows",
        subject_type="product_import",
        subject_id=record.id,
        actor_id=actor.id,
        before={"status": record.status},
        after={"status": record.status, "decision": record.decision, "good_rows": record.good_rows},
    )
    enqueue_after_commit(APPLY_TASK, import_id=record.id)
    db.session.commit()
