"""Removing old feeds: the latest per cooperative and shape stay; rows, parts, snapshots and files of the others go."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.core.audit import AuditEvent
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.feeds.models import DatafeedItem, Feed
from marketplace.feeds.services.cleanup import cleanup_feeds
from marketplace.feeds.services.queries import latest_datafeed
from marketplace.feeds.storage import feed_storage
from tests.feeds.helpers import built, configured, feed_files, hidden_files, new_feed, visible_files  # noqa: F401


@pytest.fixture(autouse=True)
def _files(feed_files):  # noqa: F811
    return feed_files


def ids(cooperative_id, shape: str) -> list[int]:
    statement = select(Feed.id).where(Feed.cooperative_id == cooperative_id, Feed.shape == shape).order_by(Feed.id)
    return db.session.scalars(statement).all()


def test_the_latest_feeds_of_each_cooperative_and_shape_stay(feed_catalog, feed_files) -> None:  # noqa: F811
    cooperative, other = feed_catalog.cooperative.id, feed_catalog.other_cooperative.id
    csv = [built(cooperative, "csv").id for _ in range(3)]
    datafeeds = [built(cooperative, "datafeed", mode).id for mode in ("full", "delta", "delta")]
    other_csv = [built(other, "csv").id for _ in range(2)]
    removed_keys = [db.session.get(Feed, feed_id).storage_key for feed_id in (csv[0], datafeeds[0])]

    assert cleanup_feeds(keep=2) == 2
    assert ids(cooperative, "csv") == csv[1:]
    assert ids(cooperative, "datafeed") == datafeeds[1:]
    assert ids(other, "csv") == other_csv
    assert db.session.scalar(select(func.count()).where(DatafeedItem.feed_id == datafeeds[0])) == 0
    assert db.session.get(Feed, datafeeds[1]).base_feed_id is None  # it continued the removed feed
    assert latest_datafeed(cooperative).id == datafeeds[2]
    storage = feed_storage()
    assert not any(storage.exists(key) for key in removed_keys)
    assert len(visible_files(feed_files)) == 2 * (2 + 2 + 2)  # each kept feed's file and report
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "feed.cleanup")).one()
    assert event.after["removed"] == 2

    assert cleanup_feeds(keep=2) == 0  # nothing more to do


def test_the_served_snapshot_stays_even_with_keep_zero(feed_catalog) -> None:
    served = built(feed_catalog.cooperative.id, "datafeed")
    assert cleanup_feeds(keep=0) == 0
    assert latest_datafeed(feed_catalog.cooperative.id).id == served.id


def test_failed_feeds_go_after_a_week_and_pending_ones_never(feed_catalog) -> None:
    cooperative = feed_catalog.cooperative.id
    old_failed, new_failed, queued, running = (new_feed(cooperative, enqueue=False) for _ in range(4))
    for feed, status in ((old_failed, "failed"), (new_failed, "failed"), (running, "running")):
        feed.status = status
    old_failed.finished_at = utcnow() - timedelta(days=8)
    new_failed.finished_at = utcnow() - timedelta(days=2)
    running.updated_at = queued.updated_at = utcnow() - timedelta(days=30)
    db.session.commit()
    old_id = old_failed.id
    assert cleanup_feeds(keep=1) == 1
    assert db.session.get(Feed, old_id) is None
    assert {feed.status for feed in db.session.scalars(select(Feed))} == {"failed", "queued", "running"}


def test_a_feed_a_running_delta_continues_stays(feed_catalog) -> None:
    cooperative = feed_catalog.cooperative.id
    base = built(cooperative, "datafeed")
    built(cooperative, "datafeed")
    built(cooperative, "datafeed")
    delta = new_feed(cooperative, "datafeed", "delta", enqueue=False)
    delta.status, delta.base_feed_id = "running", base.id
    db.session.commit()
    assert cleanup_feeds(keep=1) == 1  # the middle one; the base stays for the delta's snapshot
    assert db.session.get(Feed, base.id) is not None
    assert db.session.scalar(select(func.count()).where(DatafeedItem.feed_id == base.id)) == 7


def test_a_feed_of_every_cooperative_goes_with_its_parts(app, feed_catalog) -> None:
    with configured(app, FEEDS_PART_ROWS=1):
        old = built(None, "csv")
        built(None, "csv")
    assert db.session.scalar(select(func.count()).where(Feed.parent_id == old.id)) == 2
    old_id = old.id
    assert cleanup_feeds(keep=1) == 1
    assert db.session.get(Feed, old_id) is None
    assert db.session.scalar(select(func.count()).select_from(Feed)) == 3  # the kept one and its two parts


def test_staging_files_left_by_dead_runs_are_swept(feed_catalog, feed_files) -> None:  # noqa: F811
    storage = feed_storage()
    old = storage.staging_path("kkmp-uji/1/kkmp-uji_csv_full_20261101T010000Z.zip")
    fresh = storage.staging_path("kkmp-uji/2/kkmp-uji_csv_full_20261128T010000Z.zip")
    long_ago = time.time() - 2 * 86400
    os.utime(old, (long_ago, long_ago))
    cleanup_feeds(keep=30)
    assert hidden_files(feed_files) == [fresh.name]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "feed.cleanup")).one()
    assert event.after["staging_files_removed"] == 1
