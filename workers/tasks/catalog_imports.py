"""Bulk upload of listings in the background: check every row of an upload, then import the good rows as drafts.

Both tasks are idempotent (a guarded status move lets one run take an upload; the import commits each batch of
drafts with its progress), so they are acknowledged late and retried on transient database errors; a retry resumes
its own unfinished run.
"""

from __future__ import annotations

from celery import Task, shared_task

from marketplace.catalog.imports import processing
from marketplace.catalog.imports.processing import TRANSIENT_ERRORS

MAX_RETRIES = 5


def _retry(task: Task, import_id: int, error: Exception) -> Exception:
    """Retry with a growing delay; after the last attempt mark the upload failed."""
    if task.request.retries >= MAX_RETRIES:
        processing.give_up(import_id=import_id)
        return error
    return task.retry(exc=error, countdown=5 * 2**task.request.retries)


@shared_task(name="catalog.validate_import", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def validate_import(self: Task, import_id: int) -> str:
    """Check every row of an upload and store the problems; return its status."""
    try:
        return processing.validate_import(import_id=import_id, resume=self.request.retries > 0)
    except TRANSIENT_ERRORS as error:
        raise _retry(self, import_id, error) from error


@shared_task(name="catalog.apply_import", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def apply_import(self: Task, import_id: int) -> str:
    """Create the good rows of a checked upload as drafts; return its status."""
    try:
        return processing.apply_import(import_id=import_id, resume=self.request.retries > 0)
    except TRANSIENT_ERRORS as error:
        raise _retry(self, import_id, error) from error
