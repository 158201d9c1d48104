"""Finding builds whose worker died (the `feeds.recover` task, run by beat every `FEEDS_STALE_SECONDS`).

With acks_late, a broker that redelivers unacknowledged tasks (Redis after its visibility timeout, RabbitMQ when the
connection drops) brings a killed worker's build back by itself. The filesystem transport of the embedded setup
does not: a message is gone once a worker took it. This check covers every broker: a running feed whose heartbeat
is older than `FEEDS_STALE_SECONDS` gets its `feeds.build` queued again (the build takes it over, see `runs`), and a
feed queued for `QUEUED_RECOVER_AFTER` without being started gets its task sent once more.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import aliased

from marketplace.core.tasks import enqueue_after_commit
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.feeds.models import Feed
from marketplace.feeds.services.common import BUILD_TASK, settings
from marketplace.feeds.states import FeedStatus

logger = logging.getLogger(__name__)

#: A feed still queued after this long lost its message (a worker that took it died before starting it).
QUEUED_RECOVER_AFTER = timedelta(hours=6)


def recover_stalled_feeds() -> list[int]:
    """Queue the build of every running feed whose worker stopped reporting and of every long-forgotten queued
    feed; return their ids. A feed of every cooperative waiting for live parts is left alone. Commits."""
    now = utcnow()
    stale_before = now - settings().stale_after
    part = aliased(Feed)
    waiting_for_parts = exists().where(
        part.parent_id == Feed.id, part.status.in_((FeedStatus.QUEUED, FeedStatus.RUNNING))
    )
    stalled = list(
        db.session.scalars(
            select(Feed.id)
            .where(Feed.status == FeedStatus.RUNNING, Feed.updated_at < stale_before, ~waiting_for_parts)
            .order_by(Feed.id)
        )
    )
    forgotten = []
    for feed_id in db.session.scalars(
        select(Feed.id)
        .where(Feed.status == FeedStatus.QUEUED, Feed.updated_at < now - QUEUED_RECOVER_AFTER)
        .order_by(Feed.id)
    ).all():
        touched = db.session.execute(  # sent once per period, however many checks run
            update(Feed)
            .where(Feed.id == feed_id, Feed.status == FeedStatus.QUEUED, Feed.updated_at < now - QUEUED_RECOVER_AFTER)
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if touched.rowcount == 1:
            forgotten.append(feed_id)
    for feed_id in stalled:
        enqueue_after_commit(BUILD_TASK, feed_id=feed_id, redelivered=True)
    for feed_id in forgotten:
        enqueue_after_commit(BUILD_TASK, feed_id=feed_id)
    db.session.commit()
    if stalled or forgotten:
        logger.warning("feeds recovered: running %s, queued %s", stalled, forgotten)
    return stalled + forgotten
