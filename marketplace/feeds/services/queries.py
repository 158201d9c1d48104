"""What the pages, the API, the command line and /lkpp/v1 read about feeds.

Who sees a feed: operators every feed; a cooperative's managers the feeds of their cooperative. Nobody else, and
nobody sees the parts of a feed of every cooperative as feeds of their own (NotFound, as for a missing feed).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.core.errors import NotFound
from marketplace.extensions import db
from marketplace.feeds.models import Feed
from marketplace.feeds.states import FeedShape, FeedStatus


def can_view_feed(user: User, feed: Feed) -> bool:
    """Operators any feed; managers their cooperative's (never a part)."""
    if feed.parent_id is not None:
        return False
    if user.has_role(Role.OPERATOR):
        return True
    return (
        feed.cooperative_id is not None
        and user.has_role(Role.COOP_MANAGER)
        and user.cooperative_id == feed.cooperative_id
    )


def get_feed_for(user: User, feed_id: int) -> Feed:
    """The feed if `user` may see it; NotFound otherwise (another cooperative's feed and parts included)."""
    feed = db.session.get(Feed, feed_id)
    if feed is None or not can_view_feed(user, feed):
        raise NotFound(_("This feed does not exist."))
    return feed


def recent_feeds(cooperative_id: int | None, limit: int = 20) -> list[Feed]:
    """The latest feeds of a cooperative, or (`cooperative_id` None) of every cooperative at once; newest first,
    parts left out. The caller checks who may see them."""
    scope = Feed.cooperative_id.is_(None) if cooperative_id is None else Feed.cooperative_id == cooperative_id
    statement = (
        select(Feed).where(scope, Feed.parent_id.is_(None)).order_by(Feed.id.desc()).limit(max(1, min(limit, 500)))
    )
    return list(db.session.scalars(statement))


def latest_datafeed(cooperative_id: int) -> Feed | None:
    """The cooperative's latest successful datafeed of its own: its snapshot is what /lkpp/v1 serves."""
    return db.session.scalars(
        select(Feed)
        .where(
            Feed.cooperative_id == cooperative_id,
            Feed.parent_id.is_(None),
            Feed.shape == FeedShape.DATAFEED,
            Feed.status == FeedStatus.SUCCEEDED,
        )
        .order_by(Feed.snapshot_at.desc(), Feed.id.desc())
        .limit(1)
    ).first()


def progress(feed: Feed) -> dict[str, Any]:
    """What the progress bar polls: status, products done of the total, percent, counts and the failure.

    A feed of every cooperative counts the products its parts have gone through while they build.
    """
    processed, total = feed.processed_rows, feed.total_rows
    if feed.status == FeedStatus.RUNNING and feed.cooperative_id is None and feed.parent_id is None:
        parts_done = select(func.coalesce(func.sum(Feed.processed_rows), 0)).where(Feed.parent_id == feed.id)
        done = db.session.scalar(parts_done)
        processed = max(processed, int(done or 0))
    if feed.status == FeedStatus.SUCCEEDED:
        processed = total = max(processed, total)
    total = max(total, processed)
    percent = 100 if feed.status == FeedStatus.SUCCEEDED else (processed * 100 // total if total else 0)
    return {
        "id": feed.id,
        "status": feed.status,
        "processed": processed,
        "total": total,
        "percent": min(percent, 100),
        "counts": {
            "products": feed.product_count,
            "withdrawn": feed.withdrawn_count,
            "errors": feed.error_count,
            "warnings": feed.warning_count,
        },
        "failure": feed.failure,
    }
