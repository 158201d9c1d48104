"""The scheduled feeds: a delta of every active cooperative each night and a full feed every week (the
`feeds.nightly_delta` and `feeds.weekly_full` tasks, run by beat), in each shape of `FEEDS_SCHEDULED_SHAPES`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery.schedules import crontab
from sqlalchemy import exists, select

from marketplace.catalog.models import Product
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.feeds.models import Feed
from marketplace.feeds.services.common import settings
from marketplace.feeds.services.requests import request_feed
from marketplace.feeds.states import FeedMode, FeedStatus, FeedTrigger


def queue_scheduled_feeds(mode: str) -> list[Feed]:
    """Queue a `mode` feed per active cooperative that has published products and per scheduled shape, skipping
    a cooperative and shape whose feed of that mode is still queued or running (workers that fall behind do not
    pile feeds up). Commits; the build tasks leave after the commit."""
    mode = FeedMode(mode)
    published = exists().where(Product.cooperative_id == Cooperative.id, Product.live_revision_id.is_not(None))
    cooperative_ids = db.session.scalars(
        select(Cooperative.id).where(Cooperative.is_active.is_(True), published).order_by(Cooperative.id)
    ).all()
    pending = {
        (cooperative_id, shape)
        for cooperative_id, shape in db.session.execute(
            select(Feed.cooperative_id, Feed.shape).where(
                Feed.parent_id.is_(None),
                Feed.mode == mode,
                Feed.status.in_((FeedStatus.QUEUED, FeedStatus.RUNNING)),
            )
        )
    }
    feeds = [
        request_feed(
            cooperative_id=cooperative_id,
            shape=shape,
            mode=mode,
            requested_by_id=None,
            trigger=FeedTrigger.SCHEDULE,
        )
        for cooperative_id in cooperative_ids
        for shape in settings().scheduled_shapes
        if (cooperative_id, shape) not in pending
    ]
    db.session.commit()
    return feeds


def crontab_from(expression: str) -> crontab:
    """A Celery crontab from `minute hour day-of-month month day-of-week` (evaluated in Celery's time zone, WIB)."""
    minute, hour, day_of_month, month_of_year, day_of_week = expression.split()
    return crontab(
        minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year, day_of_week=day_of_week
    )


def beat_schedule(config: Any) -> dict[str, dict]:
    """The feed entries of the beat schedule, from the app's configuration."""
    return {
        "feeds-nightly-delta": {"task": "feeds.nightly_delta", "schedule": crontab_from(config["FEEDS_DELTA_CRON"])},
        "feeds-weekly-full": {"task": "feeds.weekly_full", "schedule": crontab_from(config["FEEDS_FULL_CRON"])},
        "feeds-cleanup": {"task": "feeds.cleanup", "schedule": crontab_from(config["FEEDS_CLEANUP_CRON"])},
        "feeds-recover": {
            "task": "feeds.recover",
            "schedule": timedelta(seconds=int(config["FEEDS_STALE_SECONDS"])),
        },
    }
