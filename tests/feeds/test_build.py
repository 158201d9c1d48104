"""Building feeds through the services: files and reports published whole with their counts and SHA-256, the
datafeed snapshot, deltas, idempotent and fenced runs, failures, and feeds of every cooperative built from parts."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from marketplace.catalog.services import update_stock, withdraw_product
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import NotFound
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.feeds.models import DatafeedItem, Feed
from marketplace.feeds.services.build import build_feed, fail_feed
from marketplace.feeds.services.queries import progress
from marketplace.feeds.storage import feed_storage
from tests.feeds.conftest import build_feed_catalog
from tests.feeds.helpers import (  # noqa: F401
    aws_environment,
    built,
    configured,
    csv_skus,
    datafeed_skus,
    feed_files,
    hidden_files,
    new_feed,
    read_bytes,
    s3_bucket,
    s3_endpoint,
    set_heartbeat,
    snapshot_rows,
    visible_files,
)


@pytest.fixture(autouse=True)
def _files(feed_files):  # noqa: F811
    """Every test here writes to a storage folder of its own."""
    return feed_files


def skus(catalog, keys) -> list[str]:
    return [catalog.sku(key) for key in keys]


def zip_members(feed: Feed) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(read_bytes(feed.storage_key))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# One cooperative ------------------------------------------------------------------------------------------------


def test_a_full_datafeed_is_published_with_its_report_counts_and_snapshot(feed_catalog, feed_files) -> None:  # noqa: F811
    catalog = feed_catalog
    feed = built(catalog.cooperative.id, "datafeed")
    assert feed.status == "succeeded", feed.failure
    code = catalog.cooperative.code
    stamp = feed.snapshot_at.strftime("%Y%m%dT%H%M%SZ")
    assert feed.filename == f"{code}_datafeed_full_{stamp}.json"
    assert feed.storage_key == f"{code}/{feed.id}/{feed.filename}"
    assert feed.report_key == f"{code}/{feed.id}/{code}_datafeed_full_{stamp}_laporan.csv"
    assert visible_files(feed_files) == sorted([feed.storage_key, feed.report_key])
    assert hidden_files(feed_files) == []
    content = read_bytes(feed.storage_key)
    assert (feed.byte_size, feed.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    # A full datafeed is the whole snapshot: every published product, withdrawn ones too; the expired one is out.
    expected = [key for key in catalog.published_keys if key != "expired"]
    assert datafeed_skus(feed) == skus(catalog, expected)
    assert (feed.product_count, feed.withdrawn_count, feed.error_count) == (7, 1, 1)
    assert feed.warning_count > 0
    assert feed.total_rows == feed.processed_rows == 8
    assert feed.finished_at >= feed.started_at and feed.duration_ms >= 0
    assert catalog.sku("expired") in read_bytes(feed.report_key).decode("utf-8-sig")
    rows = snapshot_rows(feed)
    assert [position for position, _sku, _active in rows] == list(range(1, 8))
    assert [sku for _position, sku, _active in rows] == skus(catalog, expected)
    assert [sku for _position, sku, active in rows if not active] == [catalog.sku("withdrawn")]
    stored = db.session.scalar(select(DatafeedItem.document).where(DatafeedItem.feed_id == feed.id).limit(1))
    assert json.loads(stored) == json.loads(content)["produk"][0]
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == feed.id)).all()
    assert {"feed.request", "feed.start", "feed.succeed"} <= set(actions)


def test_a_full_csv_holds_the_products_on_sale_of_that_cooperative_only(feed_catalog) -> None:
    catalog = feed_catalog
    feed = built(catalog.cooperative.id, "csv")
    assert feed.status == "succeeded", feed.failure
    assert csv_skus(feed) == skus(catalog, catalog.exported_keys)
    assert catalog.sku("other") not in csv_skus(feed)
    assert (feed.product_count, feed.withdrawn_count, feed.error_count) == (6, 0, 1)
    assert db.session.scalar(select(func.count()).select_from(DatafeedItem)) == 0  # only datafeeds keep snapshots


def test_a_full_xlsx_is_a_workbook_of_the_three_sheets(feed_catalog) -> None:
    feed = built(feed_catalog.cooperative.id, "xlsx")
    assert feed.status == "succeeded", feed.failure
    workbook = load_workbook(io.BytesIO(read_bytes(feed.storage_key)), read_only=True)
    assert len(workbook.sheetnames) == 3
    rows = list(workbook[workbook.sheetnames[0]].iter_rows(min_row=2, values_only=True))
    workbook.close()
    assert [row[0] for row in rows] == skus(feed_catalog, feed_catalog.exported_keys)


def test_progress_is_saved_as_the_build_goes_and_reported(app, feed_catalog) -> None:
    seen: list[tuple[int, int]] = []
    with configured(app, FEEDS_PROGRESS_EVERY=2):
        feed = new_feed(feed_catalog.cooperative.id, "csv", enqueue=False)
        assert progress(feed)["percent"] == 0
        feed = build_feed(feed.id, on_progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 7) and seen[-1] == (7, 7)  # the products on sale, the expired one included
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)
    assert len(seen) >= 4
    state = progress(feed)
    assert (state["status"], state["processed"], state["total"], state["percent"]) == ("succeeded", 7, 7, 100)
    assert state["counts"] == {"products": 6, "withdrawn": 0, "errors": 1, "warnings": feed.warning_count}


def test_an_unknown_feed_is_not_found(db) -> None:
    with pytest.raises(NotFound):
        build_feed(987654)


# Idempotent, fenced runs -----------------------------------------------------------------------------------------


def test_building_a_finished_feed_again_changes_nothing(feed_catalog, feed_files) -> None:  # noqa: F811
    feed = built(feed_catalog.cooperative.id, "datafeed")
    path = feed_files / feed.storage_key
    before = (path.stat().st_mtime_ns, feed.sha256, feed.attempts, feed.finished_at)
    again = build_feed(feed.id)
    assert again is feed and again.status == "succeeded"
    assert (path.stat().st_mtime_ns, again.sha256, again.attempts, again.finished_at) == before
    assert db.session.scalar(select(func.count()).select_from(Feed)) == 1
    assert len(snapshot_rows(feed)) == 7


def test_a_running_feed_whose_worker_still_reports_is_left_alone(feed_catalog, feed_files) -> None:  # noqa: F811
    feed = new_feed(feed_catalog.cooperative.id, "csv", enqueue=False)
    feed.status, feed.attempts, feed.snapshot_at = "running", 1, utcnow()
    db.session.commit()
    again = build_feed(feed.id, redelivered=True)  # a duplicate delivery while a live worker builds it
    assert (again.status, again.attempts) == ("running", 1)
    assert visible_files(feed_files) == []


@pytest.mark.parametrize("shape", ["datafeed", "csv", "xlsx"])
def test_a_feed_whose_worker_died_is_rebuilt_from_scratch_into_the_same_file(
    app,
    feed_catalog,
    feed_files,  # noqa: F811
    shape,
) -> None:
    first = built(feed_catalog.cooperative.id, shape)
    name, key, digest, stamp = first.filename, first.storage_key, first.sha256, first.snapshot_at
    first_bytes = read_bytes(key)
    # A worker died after publishing, before recording the success: the row is running, the heartbeat old, and a
    # staging file of its own is left behind.
    db.session.execute(update(Feed).where(Feed.id == first.id).values(status="running", sha256=None))
    db.session.commit()
    leftover = feed_storage().staging_path(key)
    leftover.write_bytes(b"half a file")
    set_heartbeat(first, utcnow() - timedelta(seconds=app.config["FEEDS_STALE_SECONDS"] + 1))
    again = build_feed(first.id, redelivered=True)
    assert again.status == "succeeded" and again.attempts == 2
    assert (again.filename, again.storage_key, again.snapshot_at) == (name, key, stamp)
    assert not leftover.exists() and hidden_files(feed_files) == []
    assert db.session.scalar(select(func.count()).select_from(Feed)) == 1
    # The same snapshot gives the same bytes in every shape (zip and workbook metadata carry the snapshot time).
    assert again.sha256 == digest and read_bytes(key) == first_bytes
    if shape == "datafeed":
        assert len(snapshot_rows(again)) == 7  # the earlier run's rows were replaced, not added to


def test_a_run_taken_over_by_another_stops_without_publishing(app, committed_db, feed_files) -> None:  # noqa: F811
    """Committed data: the other worker writes through a connection of its own, as it would."""
    catalog = build_feed_catalog()
    feed = new_feed(catalog.cooperative.id, "datafeed", enqueue=False)

    def another_worker_takes_over(done: int, total: int) -> None:
        if done == 2:
            with db.engine.begin() as connection:
                connection.execute(update(Feed).where(Feed.id == feed.id).values(attempts=Feed.attempts + 1))

    with configured(app, FEEDS_PROGRESS_EVERY=2):
        result = build_feed(feed.id, on_progress=another_worker_takes_over)
    assert (result.status, result.attempts) == ("running", 2)  # the other run's, untouched
    assert result.storage_key is None and result.sha256 is None
    assert visible_files(feed_files) == [] and hidden_files(feed_files) == []
    assert db.session.scalar(select(func.count()).select_from(DatafeedItem)) == 2  # the other run's to replace


def test_an_unreachable_storage_is_transient_the_retry_takes_over(app, feed_catalog, s3_endpoint, s3_bucket) -> None:  # noqa: F811
    from botocore.exceptions import EndpointConnectionError

    feed = new_feed(feed_catalog.cooperative.id, "csv", enqueue=False)
    with configured(app, FEEDS_S3_ENDPOINT_URL="http://127.0.0.1:9"), pytest.raises(EndpointConnectionError):
        build_feed(feed.id)
    db.session.refresh(feed)
    assert feed.status == "running" and feed.attempts == 1
    assert feed.updated_at < utcnow() - timedelta(days=365)  # released: the retry need not wait for staleness
    again = build_feed(feed.id, redelivered=True)
    assert (again.status, again.attempts) == ("succeeded", 2)
    assert csv_skus(again) == skus(feed_catalog, feed_catalog.exported_keys)


def test_a_permanent_error_fails_the_feed_with_its_reason(app, feed_catalog, s3_bucket) -> None:  # noqa: F811
    feed = new_feed(feed_catalog.cooperative.id, "csv", enqueue=False, requested_by_id=feed_catalog.manager.id)
    with configured(app, FEEDS_S3_BUCKET="no-such-bucket"):
        result = build_feed(feed.id)
    assert result.status == "failed"
    assert "NoSuchBucket" in result.failure
    assert result.finished_at is not None and result.storage_key is None
    fail = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "feed.fail")).one()
    assert fail.subject_id == feed.id and "NoSuchBucket" in fail.reason


# Deltas ----------------------------------------------------------------------------------------------------------


def test_a_delta_without_an_earlier_feed_holds_everything_published(feed_catalog) -> None:
    feed = built(feed_catalog.cooperative.id, "csv", "delta")
    assert feed.base_feed_id is None and feed.changed_since is None
    expected = [key for key in feed_catalog.published_keys if key != "expired"]
    assert csv_skus(feed) == skus(feed_catalog, expected)
    assert feed.withdrawn_count == 1


def test_a_delta_carries_the_changes_since_the_last_feed_and_completes_the_snapshot(app, feed_catalog) -> None:
    catalog = feed_catalog
    base = built(catalog.cooperative.id, "datafeed")
    built(catalog.cooperative.id, "csv")  # another shape: not a base for datafeeds
    update_stock(actor=catalog.maker, product=catalog.products["tricky"], stock=3)
    withdraw_product(actor=catalog.manager, product=catalog.products["beras"], reason="Stok habis")
    html = catalog.products["html"]
    html.valid_until = catalog.today - timedelta(days=2)  # now an error: exported before, so withdrawn
    html.feed_changed_at = utcnow()
    db.session.commit()

    delta = built(catalog.cooperative.id, "datafeed", "delta")
    assert delta.status == "succeeded", delta.failure
    assert delta.base_feed_id == base.id
    assert delta.changed_since == base.snapshot_at - timedelta(seconds=app.config["FEEDS_DELTA_OVERLAP_SECONDS"])
    assert datafeed_skus(delta) == skus(catalog, ["tricky", "beras", "html"])
    assert (delta.product_count, delta.withdrawn_count, delta.error_count) == (3, 2, 1)
    document = json.loads(read_bytes(delta.storage_key))["produk"]
    assert [product["informasi"]["produk_aktif"] for product in document] == [1, 0, 0]
    # The snapshot: the base's untouched products in their order, then the changed ones; html is withdrawn.
    untouched = [key for key in catalog.published_keys if key not in ("tricky", "beras", "html", "expired")]
    rows = snapshot_rows(delta)
    assert [sku for _position, sku, _active in rows] == skus(catalog, [*untouched, "tricky", "beras", "html"])
    assert [position for position, _sku, _active in rows] == list(range(1, len(rows) + 1))
    active = {sku: active for _position, sku, active in rows}
    assert active[catalog.sku("beras")] is False and active[catalog.sku("html")] is False
    assert len(snapshot_rows(base)) == 7  # the base snapshot is unchanged

    with configured(app, FEEDS_DELTA_OVERLAP_SECONDS=0):  # else it repeats what changed just before (see below)
        nothing = built(catalog.cooperative.id, "datafeed", "delta")
    assert nothing.base_feed_id == delta.id
    assert datafeed_skus(nothing) == []
    assert [sku for _position, sku, _active in snapshot_rows(nothing)] == [sku for _p, sku, _a in rows]


def test_a_delta_repeats_changes_made_just_before_the_last_feed(feed_catalog) -> None:
    """A change committed late, with a time just before the previous feed's snapshot, is not lost."""
    catalog = feed_catalog
    base = built(catalog.cooperative.id, "csv")
    catalog.products["kbki_zero"].feed_changed_at = base.snapshot_at - timedelta(seconds=30)
    db.session.commit()
    delta = built(catalog.cooperative.id, "csv", "delta")
    assert csv_skus(delta) == skus(catalog, ["kbki_zero"])


# Feeds of every cooperative --------------------------------------------------------------------------------------


def test_a_feed_of_every_cooperative_is_built_by_parts_then_joined_once(
    app,
    feed_catalog,
    feed_files,  # noqa: F811
    sent_tasks,
    run_tasks,
) -> None:
    catalog = feed_catalog
    with configured(app, FEEDS_PART_ROWS=1):
        feed = new_feed(None, "csv", enqueue=False)
        feed = build_feed(feed.id, inline=False)  # what the task does
        assert feed.status == "running"
        parts = db.session.scalars(select(Feed).where(Feed.parent_id == feed.id).order_by(Feed.id)).all()
        assert [part.cooperative_id for part in parts] == [catalog.cooperative.id, catalog.other_cooperative.id]
        assert all(part.snapshot_at == feed.snapshot_at and part.status == "queued" for part in parts)
        assert sent_tasks == [("feeds.build", {"feed_id": part.id}) for part in parts]
        assert feed.total_rows == 8  # products on sale: 7 of the cooperative (one expired), 1 of the other
        run_tasks()  # the parts, then the join the last part queued
    db.session.refresh(feed)
    assert feed.status == "succeeded", feed.failure
    assert csv_skus(feed) == [*skus(catalog, catalog.exported_keys), catalog.sku("other")]
    assert (feed.product_count, feed.error_count) == (7, 1)
    assert feed.filename.startswith("semua-koperasi_csv_full_")
    joins = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "feed.succeed")).all()
    assert len([event for event in joins if event.subject_id == feed.id]) == 1
    for part in parts:
        db.session.refresh(part)
        assert part.status == "succeeded" and part.storage_key is None  # the joined file holds everything
    assert visible_files(feed_files) == sorted([feed.storage_key, feed.report_key])
    assert progress(feed)["percent"] == 100


def test_only_the_last_part_to_finish_queues_the_join(app, feed_catalog, sent_tasks) -> None:
    from marketplace.feeds.services.combined import part_finished

    with configured(app, FEEDS_PART_ROWS=1):
        feed = build_feed(new_feed(None, "datafeed", enqueue=False).id, inline=False)
    first, second = db.session.scalars(select(Feed).where(Feed.parent_id == feed.id).order_by(Feed.id)).all()
    sent_tasks.clear()
    build_feed(first.id)
    assert sent_tasks == []
    assert part_finished(first) is False  # asked again: still a part to go
    build_feed(second.id)
    db.session.refresh(feed)
    assert sent_tasks == [("feeds.join", {"feed_id": feed.id, "attempt": feed.attempts})]


def test_a_part_that_failed_fails_the_feed_of_every_cooperative(app, feed_catalog, run_tasks, sent_tasks) -> None:
    with configured(app, FEEDS_PART_ROWS=1):
        feed = build_feed(new_feed(None, "csv", enqueue=False).id, inline=False)
        first, second = db.session.scalars(select(Feed).where(Feed.parent_id == feed.id).order_by(Feed.id)).all()
        sent_tasks.clear()
        fail_feed(first, None, "retries exhausted")  # its task gave up
        build_feed(second.id)
        run_tasks()
    db.session.refresh(feed)
    assert feed.status == "failed"
    assert feed_catalog.cooperative.code in feed.failure and "retries exhausted" in feed.failure


def test_one_part_holds_several_small_cooperatives(app, feed_catalog, run_tasks) -> None:
    feed = build_feed(new_feed(None, "datafeed", enqueue=False).id, inline=False)
    (part,) = db.session.scalars(select(Feed).where(Feed.parent_id == feed.id)).all()
    assert part.cooperative_id == feed_catalog.cooperative.id and part.total_rows == 9  # withdrawn ones too
    run_tasks()
    db.session.refresh(feed)
    assert datafeed_skus(feed)[-1] == feed_catalog.sku("other")
    assert db.session.scalar(select(func.count()).select_from(DatafeedItem)) == 0  # no snapshot for these


def test_the_command_line_builds_every_part_here(app, feed_catalog, sent_tasks) -> None:
    seen: list[tuple[int, int]] = []
    with configured(app, FEEDS_PART_ROWS=1):
        feed = new_feed(None, "xlsx", enqueue=False)
        feed = build_feed(feed.id, on_progress=lambda done, total: seen.append((done, total)))
    assert feed.status == "succeeded", feed.failure
    assert sent_tasks == []
    assert seen[-1] == (8, 8)
    assert feed.product_count == 7


def test_a_feed_of_every_cooperative_without_products_is_an_empty_file(db, feed_files) -> None:  # noqa: F811
    feed = built(None, "datafeed")
    assert feed.status == "succeeded", feed.failure
    assert json.loads(read_bytes(feed.storage_key)) == {"total": 0, "produk": []}
    assert db.session.scalars(select(Feed).where(Feed.parent_id == feed.id)).all() == []


@pytest.mark.parametrize(("shape", "mode"), [("csv", "full"), ("datafeed", "full"), ("csv", "delta")])
def test_parts_are_cut_from_the_same_products_the_records_hold(feed_catalog, shape, mode) -> None:
    from marketplace.feeds.records import count_records
    from marketplace.feeds.services.combined import counts_by_cooperative, include_withdrawn
    from tests.feeds.conftest import FEED_TIMES

    feed = new_feed(None, shape, mode, enqueue=False)
    feed.snapshot_at = utcnow()
    if mode == "delta":
        feed.changed_since = FEED_TIMES["kbki_zero"]
    counts = dict(counts_by_cooperative(feed))
    filters = {
        "changed_since": feed.changed_since,
        "until": feed.snapshot_at,
        "include_withdrawn": include_withdrawn(feed),
    }
    assert sum(counts.values()) == count_records(cooperative_ids=None, **filters) > 0
    for cooperative_id, count in counts.items():
        assert count == count_records(cooperative_ids=[cooperative_id], **filters)
