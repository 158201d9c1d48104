"""Demo feeds: each cooperative's first full datafeed, built here, so the feed pages have history and e-Katalog's
`/lkpp/v1/…` answers with each cooperative's products from the start (the nightly schedule takes over from there).
"""

from __future__ import annotations

from sqlalchemy import select

from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.feeds.services.build import build_feed
from marketplace.feeds.services.requests import request_feed
from marketplace.feeds.states import FeedMode, FeedShape, FeedStatus, FeedTrigger


def seed_feeds() -> int:
    """Build a full datafeed of every active cooperative; return how many succeeded."""
    cooperative_ids = db.session.scalars(
        select(Cooperative.id).where(Cooperative.is_active.is_(True)).order_by(Cooperative.id)
    ).all()
    built = 0
    for cooperative_id in cooperative_ids:
        feed = request_feed(
            cooperative_id=cooperative_id,
            shape=FeedShape.DATAFEED,
            mode=FeedMode.FULL,
            requested_by_id=None,
            trigger=FeedTrigger.SCHEDULE,
            enqueue=False,
        )
        db.session.commit()
        built += build_feed(feed.id).status == FeedStatus.SUCCEEDED
    return built
