"""Asking for a feed, and asking again for one that failed. Both queue the `feeds.build` task after the commit, which
is the caller's (a page, the API, the command line or the schedule), so a rolled-back request sends nothing.

Who may ask for which cooperative is the caller's check (managers their own cooperative, operators any or all).
An OCDS feed (the orders) is always full: a delta is refused, as is a package of no order.
"""

from __future__ import annotations

from flask_babel import gettext as _

from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import record_event
from marketplace.core.errors import IllegalTransition, NotFound, ValidationFailed
from marketplace.core.tasks import enqueue_after_commit
from marketplace.extensions import db
from marketplace.feeds.models import Feed
from marketplace.feeds.services.common import BUILD_TASK
from marketplace.feeds.services.runs import guarded_move
from marketplace.feeds.states import FeedMode, FeedShape, FeedStatus, FeedTrigger
from marketplace.procurement import ocds

#: Counters and results a retried feed starts again from.
RESET_VALUES = {
    "snapshot_at": None,
    "changed_since": None,
    "base_feed_id": None,
    "total_rows": 0,
    "processed_rows": 0,
    "product_count": 0,
    "withdrawn_count": 0,
    "error_count": 0,
    "warning_count": 0,
    "failure": None,
    "started_at": None,
    "finished_at": None,
    "duration_ms": None,
}


def request_feed(
    *,
    cooperative_id: int | None,
    shape: str,
    mode: str,
    requested_by_id: int | None,
    trigger: str,
    enqueue: bool = True,
) -> Feed:
    """Create a queued feed of one cooperative (`cooperative_id` None: of every cooperative) and queue its build.

    Raises ValidationFailed on `shape`, `mode` or `trigger` with the reason, NotFound for an unknown cooperative.
    Flushes, never commits; `enqueue=False` leaves the building to the caller (`flask feeds export --now`).
    """
    _check_choices(shape=shape, mode=mode, trigger=trigger)
    if cooperative_id is not None and db.session.get(Cooperative, cooperative_id) is None:
        raise NotFound(_("This cooperative does not exist."))
    if shape == FeedShape.OCDS:
        _check_orders(cooperative_id)
    feed = Feed(
        cooperative_id=cooperative_id,
        shape=str(shape),
        mode=str(mode),
        trigger=str(trigger),
        requested_by_id=requested_by_id,
        status=FeedStatus.QUEUED,
    )
    db.session.add(feed)
    db.session.flush()
    record_event(
        "feed.request",
        subject_type="feed",
        subject_id=feed.id,
        actor_id=requested_by_id,
        after={
            "status": feed.status,
            "cooperative_id": cooperative_id,
            "shape": feed.shape,
            "mode": feed.mode,
            "trigger": feed.trigger,
        },
    )
    if enqueue:
        enqueue_after_commit(BUILD_TASK, feed_id=feed.id)
    return feed


def retry_feed(feed: Feed, actor_id: int | None) -> Feed:
    """Queue a failed feed again, from a new snapshot of the catalog. IllegalTransition (a Conflict) unless it
    failed. Flushes, never commits."""
    if feed.parent_id is not None or not guarded_move(feed, "retry", actor_id=actor_id, values=dict(RESET_VALUES)):
        raise IllegalTransition("feed", feed.status, "retry")
    enqueue_after_commit(BUILD_TASK, feed_id=feed.id)
    return feed


def _check_choices(*, shape: str, mode: str, trigger: str) -> None:
    fields: dict[str, str] = {}
    if shape not in set(FeedShape):
        fields["shape"] = _("Choose a format: datafeed, csv, xlsx or ocds.")
    if mode not in set(FeedMode):
        fields["mode"] = _("Choose full or delta.")
    if shape == FeedShape.OCDS and mode == FeedMode.DELTA:
        fields["mode"] = _("OCDS exports always hold every order: choose Full.")
    if trigger not in set(FeedTrigger):
        fields["trigger"] = _("Unknown trigger.")
    if fields:
        raise ValidationFailed(_("The feed request is not valid."), fields=fields)


def _check_orders(cooperative_id: int | None) -> None:
    """An OCDS release package holds at least one release: refuse one of no order."""
    if not ocds.count_orders(cooperative_ids=None if cooperative_id is None else [cooperative_id]):
        message = _("There are no orders to export yet.")
        raise ValidationFailed(message, fields={"shape": message})
