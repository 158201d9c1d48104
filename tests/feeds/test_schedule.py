"""The scheduled feeds and their beat entries; the feed settings are checked when the app starts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from config import ConfigError
from marketplace.extensions import db
from marketplace.feeds.models import Feed
from marketplace.feeds.services.schedule import beat_schedule, crontab_from, queue_scheduled_feeds
from tests.factories import CooperativeFactory, catalog_reference, listing, seller
from tests.feeds.helpers import configured, new_feed


@pytest.fixture
def cooperatives(db) -> dict:
    """Two active cooperatives with a published product, one closed with one, one active without any."""
    reference = catalog_reference()
    found = {}
    for name, active in (("pasar", True), ("tani", True), ("tutup", False)):
        cooperative = CooperativeFactory()
        listing(seller(cooperative), reference, sku=f"{name.upper()}-1")
        cooperative.is_active = active  # closed with a product still on sale: the schedule skips it all the same
        found[name] = cooperative
    found["kosong"] = CooperativeFactory()
    db.session.commit()
    return found


def queued(mode: str) -> set[tuple[int, str]]:
    feeds = db.session.scalars(select(Feed).where(Feed.mode == mode, Feed.trigger == "schedule")).all()
    return {(feed.cooperative_id, feed.shape) for feed in feeds}


def test_one_feed_per_active_cooperative_with_products_and_shape(app, cooperatives, sent_tasks) -> None:
    feeds = queue_scheduled_feeds("delta")
    pasar, tani = cooperatives["pasar"].id, cooperatives["tani"].id
    expected = {(cooperative, shape) for cooperative in (pasar, tani) for shape in ("datafeed", "csv", "xlsx")}
    assert queued("delta") == expected
    assert all(feed.status == "queued" and feed.requested_by_id is None for feed in feeds)
    assert sorted(kwargs["feed_id"] for _name, kwargs in sent_tasks) == sorted(feed.id for feed in feeds)


def test_the_scheduled_shapes_come_from_the_settings(app, cooperatives) -> None:
    with configured(app, FEEDS_SCHEDULED_SHAPES="datafeed"):
        queue_scheduled_feeds("full")
    assert queued("full") == {(cooperatives["pasar"].id, "datafeed"), (cooperatives["tani"].id, "datafeed")}


def test_a_feed_still_waiting_is_not_queued_twice(app, cooperatives, sent_tasks) -> None:
    pasar = cooperatives["pasar"].id
    waiting = new_feed(pasar, "csv", "delta", enqueue=False)
    other_mode = new_feed(pasar, "xlsx", "full", enqueue=False)
    other_mode.status = "running"
    db.session.commit()
    feeds = queue_scheduled_feeds("delta")
    assert (pasar, "csv") not in {(feed.cooperative_id, feed.shape) for feed in feeds}
    assert (pasar, "xlsx") in {(feed.cooperative_id, feed.shape) for feed in feeds}
    assert len(feeds) == 5
    waiting.status = "succeeded"
    db.session.commit()
    assert [(feed.cooperative_id, feed.shape) for feed in queue_scheduled_feeds("delta")] == [(pasar, "csv")]


def test_beat_runs_the_feeds_at_the_configured_times_in_wib(app) -> None:
    entries = beat_schedule(app.config)
    delta = entries["feeds-nightly-delta"]["schedule"]
    full = entries["feeds-weekly-full"]["schedule"]
    assert entries["feeds-nightly-delta"]["task"] == "feeds.nightly_delta"
    assert (delta.hour, delta.minute, delta.day_of_week) == ({1}, {0}, set(range(7)))
    assert (full.hour, full.day_of_week) == ({3}, {0})  # Sunday
    assert entries["feeds-cleanup"]["task"] == "feeds.cleanup"
    assert entries["feeds-recover"]["schedule"] == timedelta(seconds=app.config["FEEDS_STALE_SECONDS"])
    assert app.extensions["celery"].conf.timezone == "Asia/Jakarta"  # crontabs are read in WIB


def test_cron_expressions_read_like_crontab(db) -> None:
    schedule = crontab_from("15 22 1-7 * 5")
    assert (schedule.minute, schedule.hour, schedule.day_of_month, schedule.day_of_week) == (
        {15}, {22}, set(range(1, 8)), {5},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"FEEDS_DELTA_CRON": "every night"}, "FEEDS_DELTA_CRON"),
        ({"FEEDS_FULL_CRON": "0 25 * * *"}, "FEEDS_FULL_CRON"),
        ({"FEEDS_SCHEDULED_SHAPES": "csv,pdf"}, "FEEDS_SCHEDULED_SHAPES"),
        ({"FEEDS_KEEP": 0}, "FEEDS_KEEP"),
        ({"CELERY_BROKER_TRANSPORT_OPTIONS": "{visibility"}, "CELERY_BROKER_TRANSPORT_OPTIONS"),
    ],
)
def test_bad_feed_settings_stop_the_app_at_start(instance_path, overrides, named) -> None:
    from marketplace import create_app

    with pytest.raises(ConfigError, match=named):
        create_app("testing", {"INSTANCE_PATH": instance_path, **overrides})


def test_broker_options_are_added_to_the_transport_settings(app, instance_path) -> None:
    from marketplace import create_app

    options = {"visibility_timeout": 7200}
    other = create_app(
        "testing",
        {"INSTANCE_PATH": instance_path, "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps(options)},
    )
    app.extensions["celery"].set_default()  # the suite's app stays Celery's default app
    assert other.config["CELERY"]["broker_transport_options"] == options
    assert other.config["FEEDS_STORAGE_DIR"] == str(instance_path / "feeds")
