"""The lifecycle of a bulk upload, with guarded moves: a move happens only while the import is still in an allowed
state (a conditional UPDATE), so two workers or two clicks can never both perform it."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_

from marketplace.catalog.models import ProductImport
from marketplace.core.lifecycle import Lifecycle
from marketplace.core.timeutil import utcnow


class ImportStatus(enum.StrEnum):
    QUEUED = "queued"
    VALIDATING = "validating"
    #: Every row checked; waiting for the uploader's decision.
    VALIDATED = "validated"
    IMPORTING = "importing"
    COMPLETED = "completed"
    DISCARDED = "discarded"
    FAILED = "failed"


class ImportDecision(enum.StrEnum):
    GOOD_ONLY = "good_only"
    NOTHING = "nothing"


#: queued → validating → validated → (the uploader decides) importing → completed, or validated → discarded;
#: any state before completed → failed (by the tasks only: a file that cannot be read, a member who left, retries
#: exhausted). Audited as `product_import.<action>`.
IMPORT = Lifecycle(
    "product_import",
    {
        "validate": ({ImportStatus.QUEUED}, ImportStatus.VALIDATING),
        "finish_validation": ({ImportStatus.VALIDATING}, ImportStatus.VALIDATED),
        "start_import": ({ImportStatus.VALIDATED}, ImportStatus.IMPORTING),
        "complete": ({ImportStatus.IMPORTING}, ImportStatus.COMPLETED),
        "discard": ({ImportStatus.VALIDATED}, ImportStatus.DISCARDED),
        "fail": (
            {ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.VALIDATED, ImportStatus.IMPORTING},
            ImportStatus.FAILED,
        ),
    },
)

#: A worker is (or should be) busy with the import.
RUNNING_STATES = frozenset({ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING})
#: Nothing more happens to the import.
FINAL_STATES = frozenset({ImportStatus.COMPLETED, ImportStatus.DISCARDED, ImportStatus.FAILED})
#: A running import whose worker has not reported progress for this long was abandoned (the worker died); a
#: redelivered task may take it over. Workers report at least every PROGRESS_EVERY rows, i.e. every few seconds.
STALE_AFTER = timedelta(minutes=10)

STATUS_LABELS = {
    ImportStatus.QUEUED: _l("Waiting to be checked"),
    ImportStatus.VALIDATING: _l("Checking rows"),
    ImportStatus.VALIDATED: _l("Checked"),
    ImportStatus.IMPORTING: _l("Importing"),
    ImportStatus.COMPLETED: _l("Imported"),
    ImportStatus.DISCARDED: _l("Nothing imported"),
    ImportStatus.FAILED: _l("Failed"),
}


def guarded_move(
    record: ProductImport,
    action: str,
    *,
    actor_id: int | None,
    where: Iterable[Any] = (),
    values: dict[str, Any] | None = None,
    resume: bool = False,
    reason: str | None = None,
    extra: dict[str, Any] | None = None,
) -> bool:
    """Perform `action` if the import is (still) in one of its source states, set `values`, and audit it; return
    False, changing nothing, otherwise. Flushes, never commits.

    `resume`: the task retrying its own run may take the import over in the move's target state; without it, only
    an abandoned run (no progress for STALE_AFTER) may be taken over.
    """
    move = IMPORT.moves[action]
    now = utcnow()
    allowed = ProductImport.status.in_(sorted(move.sources))
    if resume:
        allowed = or_(allowed, ProductImport.status == move.target)
    elif move.target in RUNNING_STATES:
        allowed = or_(allowed, and_(ProductImport.status == move.target, ProductImport.updated_at < now - STALE_AFTER))
    return IMPORT.move_where(
        record, action, actor_id=actor_id, allowed=allowed, where=where, values=values, reason=reason, extra=extra
    )
