"""Feeds through real Celery workers (`celery -A workers.celery_app worker`) on the test database and a real broker
(Redis when CELERY_BROKER_URL is set, else the filesystem transport): a feed requested as a page would is built and
published; a feed of every cooperative is built by parts and joined; a worker killed in the middle of an export
leaves no file, and the build is redelivered (Redis: visibility timeout) or recovered (filesystem: `feeds.recover`,
as beat runs it) and rebuilt by the next worker."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select

from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.feeds.models import DatafeedItem, Feed
from marketplace.feeds.services.requests import request_feed
from tests.feeds.conftest import build_feed_catalog
from tests.feeds.helpers import hidden_files, many_products, visible_files
from tests.support.worker import CeleryWorker, broker_url, wait_for, worker_publisher

pytestmark = pytest.mark.worker

#: Worker settings: small parts, and a build that stops reporting is taken over after 3 s. With Redis, a message
#: a dead worker took comes back 10 s after it was delivered (restore checks every second): by then the killed
#: run's heartbeat, a few seconds younger, is stale.
WORKER_ENV = {
    "FEEDS_PART_ROWS": "1",
    "FEEDS_STALE_SECONDS": "3",
    "FEEDS_PROGRESS_EVERY": "50",
    "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps(
        {"visibility_timeout": 10, "unacked_restore_interval": 1, "unacked_restore_throttle": 1}
    ),
}
#: The worker that is killed reads one product per round trip, so the export lasts a few seconds.
SLOW_ENV = {**WORKER_ENV, "FEEDS_BATCH_SIZE": "1"}
MANY = 5000


@pytest.fixture(scope="module")
def worker_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("feeds-worker-instance")


@pytest.fixture(scope="module")
def worker_app(app: Flask, worker_instance: Path, database_url: str) -> Iterator[Flask]:
    """An app publishing to the workers' broker (queues purged before and after)."""
    with worker_publisher(app, instance_path=worker_instance, database_url=database_url) as flask_app:
        yield flask_app


def start_worker(worker_instance: Path, database_url: str, name: str, env: dict[str, str]) -> CeleryWorker:
    worker = CeleryWorker(
        database_url=database_url,
        broker=broker_url(),
        instance_path=worker_instance,
        log_path=worker_instance / f"{name}.log",
        extra_env=env,
    )
    return worker.start()


@pytest.fixture(scope="module")
def celery_worker(worker_app: Flask, worker_instance: Path, database_url: str) -> Iterator[CeleryWorker]:
    worker = start_worker(worker_instance, database_url, "worker", WORKER_ENV)
    try:
        yield worker
    finally:
        worker.stop()


def ask(worker_app: Flask, cooperative_id: int | None, shape: str, mode: str = "full") -> int:
    """Request a feed as the pages do (the task leaves with the commit); return its id."""
    with worker_app.app_context():
        feed = request_feed(
            cooperative_id=cooperative_id, shape=shape, mode=mode, requested_by_id=None, trigger="manual"
        )
        db.session.commit()
        return feed.id


def look(worker_app: Flask, feed_id: int) -> Feed:
    """The feed's row as the workers left it (a fresh read)."""
    with worker_app.app_context():
        feed = db.session.get(Feed, feed_id)
        db.session.expunge(feed)
        db.session.remove()
        return feed


def finished(worker_app: Flask, feed_id: int):
    feed = look(worker_app, feed_id)
    return feed if feed.status in ("succeeded", "failed") else None


def test_a_requested_feed_is_built_by_a_worker(committed_db, worker_app, celery_worker, worker_instance) -> None:
    with worker_app.app_context():
        catalog = build_feed_catalog()
        expected = [catalog.sku(key) for key in catalog.exported_keys]
        cooperative_id = catalog.cooperative.id
    feed_id = ask(worker_app, cooperative_id, "datafeed")
    feed = wait_for(lambda: finished(worker_app, feed_id), timeout=60, what="the feed", worker=celery_worker)
    assert feed.status == "succeeded", feed.failure
    document = json.loads((worker_instance / "feeds" / feed.storage_key).read_bytes())
    active = [
        item["informasi"]["no_produk_penyedia"] for item in document["produk"] if item["informasi"]["produk_aktif"]
    ]
    assert active == expected
    assert (worker_instance / "feeds" / feed.report_key).is_file()
    assert feed.processed_rows == feed.total_rows == 8


def test_an_xlsx_feed_built_by_a_worker_keeps_codes_as_text_and_formulas_inert(
    committed_db, worker_app, celery_worker, worker_instance
) -> None:
    with worker_app.app_context():
        catalog = build_feed_catalog()
        expected = [catalog.sku(key) for key in catalog.exported_keys]
        cooperative_id = catalog.cooperative.id
    feed_id = ask(worker_app, cooperative_id, "xlsx")
    feed = wait_for(lambda: finished(worker_app, feed_id), timeout=60, what="the feed", worker=celery_worker)
    assert feed.status == "succeeded", feed.failure
    path = worker_instance / "feeds" / feed.storage_key
    assert hashlib.sha256(path.read_bytes()).hexdigest() == feed.sha256
    sheet = load_workbook(path)["Produk"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2)}
    assert list(rows) == expected
    tricky, zero, big = rows["TRICKY-001"], rows["KBKI-ZERO-001"], rows["BIG-PRICE-001"]
    assert (tricky["nama_produk"].data_type, tricky["nama_produk"].value) == ("s", '=SUM(A1:A2) Beras, "Spesial"')
    assert "\n" in tricky["deskripsi_lengkap"].value and "🍚" in tricky["deskripsi_lengkap"].value
    assert (zero["kbki_id"].data_type, zero["kbki_id"].value) == ("s", "0111100001")
    assert big["harga_pemerintah"].value == 9_999_999_999_999
    assert rows["NO-IMAGE-001"]["gambar_utama"].value is None


def test_a_feed_of_every_cooperative_is_built_by_parts_and_joined(
    committed_db, worker_app, celery_worker, worker_instance
) -> None:
    with worker_app.app_context():
        catalog = build_feed_catalog()
        expected = [catalog.sku(key) for key in catalog.exported_keys] + [catalog.sku("other")]
    feed_id = ask(worker_app, None, "csv")
    feed = wait_for(lambda: finished(worker_app, feed_id), timeout=60, what="the joined feed", worker=celery_worker)
    assert feed.status == "succeeded", feed.failure
    assert feed.product_count == 7
    with worker_app.app_context():
        parts = db.session.scalars(select(Feed).where(Feed.parent_id == feed_id)).all()
        assert len(parts) == 2 and all(part.status == "succeeded" for part in parts)
        db.session.remove()
    with zipfile.ZipFile(worker_instance / "feeds" / feed.storage_key) as archive:
        name = next(name for name in archive.namelist() if name.endswith("_produk.csv"))
        rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"), newline="")))
    assert [row[0] for row in rows[1:]] == expected
    assert visible_files(worker_instance / "feeds") and hidden_files(worker_instance / "feeds") == []


def test_a_worker_killed_mid_export_leaves_no_file_and_the_next_worker_rebuilds_it(
    committed_db, worker_app, worker_instance, database_url, celery_worker
) -> None:
    celery_worker.stop()  # the worker to kill must be the only one to take the task
    folder = worker_instance / "feeds"
    with worker_app.app_context():
        catalog = build_feed_catalog()
        many_products(catalog.products["beras"], MANY)
        cooperative_id = catalog.cooperative.id
    before = set(visible_files(folder))

    slow = start_worker(worker_instance, database_url, "killed", SLOW_ENV)
    try:
        feed_id = ask(worker_app, cooperative_id, "datafeed")
        wait_for(
            lambda: look(worker_app, feed_id).processed_rows >= 100,
            timeout=60,
            interval=0.05,
            what="the export to be under way",
            worker=slow,
        )
        slow.kill()
    finally:
        slow.stop()

    killed = look(worker_app, feed_id)
    assert killed.status == "running" and 0 < killed.processed_rows < killed.total_rows
    assert killed.storage_key is None
    assert set(visible_files(folder)) == before  # nothing under the final key, no partial file in sight
    assert hidden_files(folder)  # the half-written staging file, hidden

    started = time.monotonic()
    worker = start_worker(worker_instance, database_url, "next", WORKER_ENV)
    try:
        if broker_url().startswith("filesystem://"):  # the transport does not redeliver: beat's recovery does
            wait_for(
                lambda: utcnow() - look(worker_app, feed_id).updated_at > timedelta(seconds=4),
                timeout=30,
                what="the heartbeat to go stale",
                worker=worker,
            )
            worker_app.extensions["celery"].send_task("feeds.recover")
        feed = wait_for(lambda: finished(worker_app, feed_id), timeout=60, what="the rebuilt feed", worker=worker)
    finally:
        worker.stop()
    assert time.monotonic() - started < 60
    assert feed.status == "succeeded", feed.failure
    assert feed.attempts == 2
    assert feed.snapshot_at == killed.snapshot_at
    assert feed.product_count == MANY + 7
    with worker_app.app_context():
        assert db.session.scalar(select(func.count()).where(DatafeedItem.feed_id == feed_id)) == MANY + 7
        db.session.remove()
    document = json.loads((folder / feed.storage_key).read_bytes())
    assert document["total"] == len(document["produk"]) == MANY + 7
    assert hidden_files(folder) == []  # the rebuild removed what the killed run left
