"""Removing old feeds (the `feeds.cleanup` task): rows, parts, snapshot rows and files.

Per cooperative (and for the feeds of every cooperative) and shape, the `keep` latest successful feeds stay; older
ones go. Failed feeds go once they are `FAILED_MAX_AGE` old. Never removed: a feed that is queued or running, the
snapshot /lkpp/v1 serves (a cooperative's latest successful datafeed, always among the kept ones), and a feed that
a queued or running delta continues. Staging files that dead runs left behind are swept too.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update

from marketplace.core.audit import record_event
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.feeds.models import DatafeedItem, Feed
from marketplace.feeds.states import FeedStatus
from marketplace.feeds.storage import feed_storage

logger = logging.getLogger(__name__)

#: Failed feeds are kept this long (their failure helps whoever looks into it), then removed.
FAILED_MAX_AGE = timedelta(days=7)
#: Staging files untouched this long belong to runs that died.
STAGING_MAX_AGE = timedelta(days=1)
#: Feeds removed per transaction.
BATCH = 100


def removable_feed_ids(keep: int, *, failed_max_age: timedelta = FAILED_MAX_AGE) -> list[int]:
    """The feeds `cleanup_feeds` removes (see the module doc), oldest first."""
    keep = max(1, keep)
    ranked = (
        select(
            Feed.id,
            func.row_number()
            .over(partition_by=(Feed.cooperative_id, Feed.shape), order_by=(Feed.snapshot_at.desc(), Feed.id.desc()))
            .label("rank"),
        )
        .where(Feed.parent_id.is_(None), Feed.status == FeedStatus.SUCCEEDED)
        .subquery()
    )
    too_many = select(ranked.c.id).where(ranked.c.rank > keep)
    failed_before = utcnow() - failed_max_age
    stale_failed = select(Feed.id).where(
        Feed.parent_id.is_(None),
        Feed.status == FeedStatus.FAILED,
        func.coalesce(Feed.finished_at, Feed.updated_at) < failed_before,
    )
    continued = select(Feed.base_feed_id).where(
        Feed.base_feed_id.is_not(None), Feed.status.in_((FeedStatus.QUEUED, FeedStatus.RUNNING))
    )
    statement = (
        select(Feed.id)
        .where(or_(Feed.id.in_(too_many), Feed.id.in_(stale_failed)), Feed.id.not_in(continued))
        .order_by(Feed.id)
    )
    return list(db.session.scalars(statement))


def cleanup_feeds(keep: int, *, failed_max_age: timedelta = FAILED_MAX_AGE) -> int:
    """Remove old feeds with their parts, snapshot rows and files; return how many feeds were removed."""
    ids = removable_feed_ids(keep, failed_max_age=failed_max_age)
    for start in range(0, len(ids), BATCH):
        _remove(ids[start : start + BATCH])
    swept = feed_storage().sweep_staging(STAGING_MAX_AGE.total_seconds())
    if ids or swept:
        record_event(
            "feed.cleanup",
            subject_type="feed",
            subject_id=None,
            actor_id=None,
            after={"removed": len(ids), "staging_files_removed": swept, "keep": keep},
        )
        db.session.commit()
        logger.info("feed cleanup: %s feeds and %s staging files removed", len(ids), swept)
    return len(ids)


def _remove(ids: list[int]) -> None:
    """Delete the feeds `ids`, their parts and snapshot rows in one transaction, then their files."""
    family = or_(Feed.id.in_(ids), Feed.parent_id.in_(ids))
    keys = [key for pair in db.session.execute(select(Feed.storage_key, Feed.report_key).where(family)) for key in pair]
    db.session.execute(delete(DatafeedItem).where(DatafeedItem.feed_id.in_(ids)))
    db.session.execute(
        update(Feed)
        .where(Feed.base_feed_id.in_(select(Feed.id).where(family).scalar_subquery()))
        .values(base_feed_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(Feed).where(Feed.parent_id.in_(ids)).execution_options(synchronize_session=False))
    db.session.execute(delete(Feed).where(Feed.id.in_(ids)).execution_options(synchronize_session=False))
    db.session.commit()
    storage = feed_storage()
    for key in keys:
        if key:
            storage.delete(key)
