"""Runs of a feed build, fenced so that only one worker's run can change a feed.

Every start of a build takes the feed with a guarded UPDATE that also counts the attempt (`attempts + 1`); that
number is the run's token. Every later write of the run (progress, snapshot rows, success, failure) is conditional
on the feed still carrying that token, so when a redelivered task takes a feed over from a worker believed dead,
the old run (if it was in fact alive) fails its next write with `Superseded` and stops without touching anything.

A running feed is taken over only when its heartbeat (`updated_at`, moved by every progress write) is older than
`FEEDS_STALE_SECONDS`: a duplicate delivery while a live worker builds the feed changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from marketplace.core.timeutil import utcnow
from marketplace.feeds.models import Feed
from marketplace.feeds.states import FEED, FeedStatus

#: A heartbeat this far in the past marks a run given up by its own worker (it will be retried) as abandoned.
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


class Superseded(Exception):
    """Another run took the feed over, or the feed was deleted: this run must stop and leave it alone."""


@dataclass(frozen=True)
class Run:
    """One worker's run of a feed build: the feed and the attempt number that fences its writes."""

    feed_id: int
    attempt: int


def guarded_move(
    feed: Feed,
    action: str,
    *,
    actor_id: int | None = None,
    where: Iterable[Any] = (),
    values: dict[str, Any] | None = None,
    reason: str | None = None,
    extra: dict[str, Any] | None = None,
) -> bool:
    """Perform the lifecycle move `action` if the feed is (still) in a source state and `where` holds, set `values`
    and record the audit event; return False, changing nothing, otherwise. Flushes, never commits."""
    return FEED.move_where(feed, action, actor_id=actor_id, where=where, values=values, reason=reason, extra=extra)


def begin_run(feed: Feed, *, stale_after: timedelta, restart_progress: bool = True) -> Run | None:
    """Start a queued feed, or take over a running one whose heartbeat is stale; None when neither may happen (it
    finished, or a live run holds it). `restart_progress=False` keeps the start time and progress (the join of a
    combined feed taking over from a join that died). The caller commits."""
    now = utcnow()
    values: dict[str, Any] = {"attempts": Feed.attempts + 1, "failure": None, "finished_at": None}
    if restart_progress or feed.status == FeedStatus.QUEUED:
        values.update(started_at=now, processed_rows=0)
    if feed.status == FeedStatus.QUEUED:
        moved = guarded_move(feed, "start", values=values)
    elif feed.status == FeedStatus.RUNNING:
        moved = guarded_move(feed, "restart", values=values, where=[Feed.updated_at < now - stale_after])
    else:
        return None
    return Run(feed.id, feed.attempts) if moved else None


def heartbeat(session: Session, run: Run, **values: Any) -> None:
    """Write the run's progress (`values`) and move its heartbeat, in `session`'s transaction; Superseded when the
    feed is no longer this run's."""
    result = session.execute(
        update(Feed)
        .where(Feed.id == run.feed_id, Feed.attempts == run.attempt, Feed.status == FeedStatus.RUNNING)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Superseded(run.feed_id)


def finish_run(
    feed: Feed, run: Run, action: str, *, values: dict[str, Any], reason: str | None = None, extra: dict | None = None
) -> bool:
    """Move the run's feed to succeeded or failed (`action`), only while it is still this run's. Flushes."""
    return guarded_move(feed, action, where=[Feed.attempts == run.attempt], values=values, reason=reason, extra=extra)


def release_run(session: Session, run: Run) -> None:
    """Date the run's heartbeat back, so its retried task may take the feed over at once (after a transient error)."""
    session.execute(
        update(Feed)
        .where(Feed.id == run.feed_id, Feed.attempts == run.attempt, Feed.status == FeedStatus.RUNNING)
        .values(updated_at=LONG_AGO)
        .execution_options(synchronize_session=False)
    )
