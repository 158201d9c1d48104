"""e-Katalog feeds in the background: build one feed (or one part), join the parts of a feed of every cooperative,
the scheduled feeds, the cleanup and the recovery of builds whose worker died.

`feeds.build` and `feeds.join` are idempotent (fenced runs, see `marketplace.feeds.services.runs`), so they are
acknowledged late and given back to the broker when their worker is lost; they retry transient database and
storage errors with a growing delay, and the last failure marks the feed failed.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from flask import current_app

from marketplace.core.errors import NotFound
from marketplace.feeds.services.build import build_feed, give_up
from marketplace.feeds.services.cleanup import cleanup_feeds
from marketplace.feeds.services.combined import join_feed
from marketplace.feeds.services.common import is_transient
from marketplace.feeds.services.recovery import recover_stalled_feeds
from marketplace.feeds.services.schedule import queue_scheduled_feeds
from marketplace.feeds.states import FeedMode

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


def _redelivered(task: Task) -> bool:
    """Whether this message may have been delivered before (broker redelivery or our own retry)."""
    info = task.request.delivery_info or {}
    return bool(info.get("redelivered")) or task.request.retries > 0


def _retry_or_give_up(task: Task, feed_id: int, error: Exception) -> Exception:
    """Retry after 5, 10, 20, 40, 80 s; after the last attempt mark the feed failed."""
    if task.request.retries >= MAX_RETRIES:
        give_up(feed_id, error)
        return error
    return task.retry(exc=error, countdown=5 * 2**task.request.retries)


@shared_task(name="feeds.build", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def build(self: Task, feed_id: int, redelivered: bool = False) -> str | None:
    """Build a feed (or a part of a feed of every cooperative); return its status."""
    try:
        return build_feed(feed_id, redelivered=redelivered or _redelivered(self), inline=False).status
    except NotFound:
        logger.warning("feeds.build: feed %s no longer exists", feed_id)
        return None
    except Exception as error:
        if not is_transient(error):
            raise
        raise _retry_or_give_up(self, feed_id, error) from error


@shared_task(name="feeds.join", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def join(self: Task, feed_id: int, attempt: int | None = None) -> str | None:
    """Join the parts of a feed of every cooperative into its file; return its status."""
    try:
        return join_feed(feed_id, attempt=attempt, redelivered=_redelivered(self)).status
    except NotFound:
        logger.warning("feeds.join: feed %s no longer exists", feed_id)
        return None
    except Exception as error:
        if not is_transient(error):
            raise
        raise _retry_or_give_up(self, feed_id, error) from error


@shared_task(name="feeds.nightly_delta")
def nightly_delta() -> list[int]:
    """Queue the delta feed of every active cooperative (beat: FEEDS_DELTA_CRON)."""
    return [feed.id for feed in queue_scheduled_feeds(FeedMode.DELTA)]


@shared_task(name="feeds.weekly_full")
def weekly_full() -> list[int]:
    """Queue the full feed of every active cooperative (beat: FEEDS_FULL_CRON)."""
    return [feed.id for feed in queue_scheduled_feeds(FeedMode.FULL)]


@shared_task(name="feeds.cleanup")
def cleanup() -> int:
    """Remove feeds beyond the FEEDS_KEEP latest per cooperative and shape (beat: FEEDS_CLEANUP_CRON)."""
    return cleanup_feeds(keep=current_app.config["FEEDS_KEEP"])


@shared_task(name="feeds.recover")
def recover() -> list[int]:
    """Queue again the builds whose worker died (beat: every FEEDS_STALE_SECONDS)."""
    return recover_stalled_feeds()
