"""The feed tasks run through Celery's `apply()`: the real task code in process, retries included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.feeds.models import Feed
from tests.feeds.helpers import (  # noqa: F401
    aws_environment,
    built,
    configured,
    csv_skus,
    feed_files,
    new_feed,
    s3_bucket,
    s3_endpoint,
    set_heartbeat,
)


@pytest.fixture(autouse=True)
def _files(feed_files):  # noqa: F811
    return feed_files


def task(app, name: str):
    return app.extensions["celery"].tasks[name]


def test_the_build_task_builds_the_feed(app, feed_catalog) -> None:
    feed = new_feed(feed_catalog.cooperative.id, "csv", enqueue=False)
    assert task(app, "feeds.build").apply(kwargs={"feed_id": feed.id}).get() == "succeeded"
    db.session.refresh(feed)
    assert csv_skus(feed) == [feed_catalog.sku(key) for key in feed_catalog.exported_keys]


def test_the_build_task_of_a_removed_feed_does_nothing(app, db) -> None:
    assert task(app, "feeds.build").apply(kwargs={"feed_id": 987654}).get() is None


def test_the_build_task_queues_the_parts_for_the_workers(app, feed_catalog, sent_tasks, run_tasks) -> None:
    feed = new_feed(None, "datafeed", enqueue=False)
    with configured(app, FEEDS_PART_ROWS=1):
        assert task(app, "feeds.build").apply(kwargs={"feed_id": feed.id}).get() == "running"
        assert [name for name, _kwargs in sent_tasks] == ["feeds.build", "feeds.build"]
        results = run_tasks()
    assert results == ["succeeded", "succeeded", "succeeded"]  # two parts, then the join
    db.session.refresh(feed)
    assert feed.status == "succeeded" and feed.product_count == 8


def test_transient_errors_are_retried_then_the_feed_fails(app, feed_catalog, s3_endpoint, s3_bucket) -> None:  # noqa: F811
    feed = new_feed(feed_catalog.cooperative.id, "csv", enqueue=False)
    with configured(app, FEEDS_S3_ENDPOINT_URL="http://127.0.0.1:9"):
        result = task(app, "feeds.build").apply(kwargs={"feed_id": feed.id})
    assert result.failed()
    db.session.refresh(feed)
    assert feed.status == "failed"
    assert feed.attempts == 6  # the first try and five retries, each taking the released run over
    assert "EndpointConnectionError" in feed.failure


def test_the_join_task_joins_with_the_token_of_the_last_part(app, feed_catalog, sent_tasks) -> None:
    feed = new_feed(None, "csv", enqueue=False)
    with configured(app, FEEDS_PART_ROWS=1):
        task(app, "feeds.build").apply(kwargs={"feed_id": feed.id})
        for part in db.session.scalars(select(Feed).where(Feed.parent_id == feed.id)).all():
            task(app, "feeds.build").apply(kwargs={"feed_id": part.id})
    name, kwargs = sent_tasks[-1]
    assert name == "feeds.join" and kwargs["feed_id"] == feed.id
    stale = task(app, "feeds.join").apply(kwargs={"feed_id": feed.id, "attempt": kwargs["attempt"] - 1}).get()
    assert stale == "running"  # an old token joins nothing while the join is fresh
    assert task(app, "feeds.join").apply(kwargs=kwargs).get() == "succeeded"
    assert task(app, "feeds.join").apply(kwargs=kwargs).get() == "succeeded"  # again: nothing more happens


def test_the_scheduled_tasks_queue_feeds_of_every_active_cooperative(app, feed_catalog, sent_tasks) -> None:
    with configured(app, FEEDS_SCHEDULED_SHAPES="datafeed,csv"):
        ids = task(app, "feeds.nightly_delta").apply().get()
        full_ids = task(app, "feeds.weekly_full").apply().get()
    feeds = [db.session.get(Feed, feed_id) for feed_id in ids + full_ids]
    cooperatives = {feed_catalog.cooperative.id, feed_catalog.other_cooperative.id}
    assert {(feed.cooperative_id, feed.shape, feed.mode) for feed in feeds} == {
        (cooperative, shape, mode)
        for cooperative in cooperatives
        for shape in ("datafeed", "csv")
        for mode in ("delta", "full")
    }
    assert {feed.trigger for feed in feeds} == {"schedule"}
    assert sorted(kwargs["feed_id"] for _name, kwargs in sent_tasks) == sorted(ids + full_ids)


def test_the_cleanup_task_keeps_the_configured_number(app, feed_catalog) -> None:
    ids = [built(feed_catalog.cooperative.id, "csv").id for _ in range(3)]
    with configured(app, FEEDS_KEEP=2):
        assert task(app, "feeds.cleanup").apply().get() == 1
    assert db.session.scalars(select(Feed.id).order_by(Feed.id)).all() == ids[1:]


def test_the_recover_task_rebuilds_a_feed_whose_worker_died(app, feed_catalog, sent_tasks, run_tasks) -> None:
    feed = new_feed(feed_catalog.cooperative.id, "datafeed", enqueue=False)
    feed.status, feed.attempts, feed.snapshot_at = "running", 1, utcnow() - timedelta(minutes=20)
    db.session.commit()
    set_heartbeat(feed, utcnow() - timedelta(minutes=15))
    assert task(app, "feeds.recover").apply().get() == [feed.id]
    assert sent_tasks == [("feeds.build", {"feed_id": feed.id, "redelivered": True})]
    assert run_tasks() == ["succeeded"]
    db.session.refresh(feed)
    assert feed.attempts == 2 and feed.product_count == 7
