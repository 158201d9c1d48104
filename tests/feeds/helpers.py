"""Helpers of the feed service, task and worker tests (H2b): a feed storage per test (a folder, or a real S3 API
served by moto), requesting and building feeds, reading feed files back, and many products inserted at once.

Fixtures defined here are imported by the test modules that use them.
"""

from __future__ import annotations

import io
import json
import os
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import bindparam, insert, select

from marketplace.catalog.models import Product, ProductRevision
from marketplace.core.timeutil import today_wib
from marketplace.extensions import db
from marketplace.feeds.models import DatafeedItem, Feed
from marketplace.feeds.services.build import build_feed
from marketplace.feeds.services.requests import request_feed
from marketplace.feeds.storage import feed_storage


@pytest.fixture
def feed_files(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """A feed storage folder of the test's own (FEEDS_STORAGE_DIR), so no test sees another's files."""
    folder = tmp_path / "feeds"
    previous = app.config["FEEDS_STORAGE_DIR"]
    app.config["FEEDS_STORAGE_DIR"] = str(folder)
    try:
        yield folder
    finally:
        app.config["FEEDS_STORAGE_DIR"] = previous


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3 API over HTTP on loopback (moto's server), for the module's tests."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials and region as the standard AWS variables give them (moto accepts any)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


@pytest.fixture
def s3_bucket(app: Flask, s3_endpoint: str, aws_environment: None) -> Iterator[str]:
    """A new bucket on the S3 server, configured as the app's feed storage for the test."""
    import boto3

    bucket = f"feeds-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    names = ("FEEDS_S3_BUCKET", "FEEDS_S3_ENDPOINT_URL", "FEEDS_S3_PREFIX")
    previous = {name: app.config.get(name) for name in names}
    app.config.update(FEEDS_S3_BUCKET=bucket, FEEDS_S3_ENDPOINT_URL=s3_endpoint, FEEDS_S3_PREFIX="feeds/")
    try:
        yield bucket
    finally:
        app.config.update(previous)


def s3_keys(endpoint: str, bucket: str) -> list[str]:
    """Every object key in the bucket, read through the S3 API."""
    import boto3

    listing = boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def new_feed(cooperative_id: int | None, shape: str = "csv", mode: str = "full", **kwargs) -> Feed:
    """A queued feed, committed (the build task would leave now)."""
    feed = request_feed(
        cooperative_id=cooperative_id,
        shape=shape,
        mode=mode,
        requested_by_id=kwargs.pop("requested_by_id", None),
        trigger=kwargs.pop("trigger", "manual"),
        **kwargs,
    )
    db.session.commit()
    return feed


def built(cooperative_id: int | None, shape: str = "csv", mode: str = "full", **kwargs) -> Feed:
    """Request a feed and build it in this process; return it."""
    feed = new_feed(cooperative_id, shape, mode, enqueue=False)
    return build_feed(feed.id, **kwargs)


def read_bytes(key: str) -> bytes:
    """A published feed file or report, read through the storage."""
    return b"".join(feed_storage().open_stream(key))


def datafeed_skus(feed: Feed) -> list[str]:
    """The SKUs of a datafeed file, in file order."""
    document = json.loads(read_bytes(feed.storage_key))
    assert document["total"] == len(document["produk"])
    return [product["informasi"]["no_produk_penyedia"] for product in document["produk"]]


def csv_skus(feed: Feed) -> list[str]:
    """The SKUs of the `Produk` sheet of a CSV feed, in file order."""
    import csv

    with zipfile.ZipFile(io.BytesIO(read_bytes(feed.storage_key))) as archive:
        name = next(name for name in archive.namelist() if name.endswith("_produk.csv"))
        text = archive.read(name).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return [row[0] for row in rows[1:]]


def snapshot_rows(feed: Feed) -> list[tuple[int, str, bool]]:
    """The datafeed snapshot of a feed as (position, SKU, active), by position."""
    statement = (
        select(DatafeedItem.position, DatafeedItem.sku, DatafeedItem.is_active)
        .where(DatafeedItem.feed_id == feed.id)
        .order_by(DatafeedItem.position)
    )
    return [tuple(row) for row in db.session.execute(statement)]


def visible_files(folder: Path) -> list[str]:
    """Files a reader of the storage folder would see (hidden staging files left out), relative to it."""
    if not folder.exists():
        return []
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def hidden_files(folder: Path) -> list[str]:
    """Staging files in the storage folder."""
    if not folder.exists():
        return []
    return sorted(path.name for path in folder.rglob(".partial-*") if path.is_file())


def set_heartbeat(feed: Feed, moment: datetime) -> None:
    """Date a feed's heartbeat (`updated_at`), as a worker that stopped reporting at `moment` leaves it."""
    from sqlalchemy import update

    db.session.execute(
        update(Feed).where(Feed.id == feed.id).values(updated_at=moment).execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(feed)


def many_products(template: Product, count: int, *, changed_at: datetime | None = None) -> list[str]:
    """Insert `count` published products copying `template`'s live revision (one INSERT per table), committed;
    return their SKUs. For tests that need a catalog large enough to take a while to export."""
    revision = db.session.get(ProductRevision, template.live_revision_id)
    changed_at = changed_at or datetime.now(UTC) - timedelta(days=1)
    valid_until = today_wib() + timedelta(days=60)
    prefix = uuid.uuid4().hex[:6].upper()
    skus = [f"M{prefix}-{number:06d}" for number in range(count)]
    product_rows = [
        {
            "cooperative_id": template.cooperative_id,
            "seller_id": template.seller_id,
            "sku": sku,
            "status": "active",
            "stock": 10,
            "valid_until": valid_until,
            "published_at": changed_at,
            "feed_changed_at": changed_at + timedelta(microseconds=number),
            "created_at": changed_at,
            "updated_at": changed_at,
        }
        for number, sku in enumerate(skus)
    ]
    db.session.execute(insert(Product), product_rows)
    ids = dict(db.session.execute(select(Product.sku, Product.id).where(Product.sku.in_(skus))).all())
    skip = {"id", "product_id", "number", "sku", "created_at", "updated_at", "valid_until"}
    copied = {
        column.key: getattr(revision, column.key)
        for column in ProductRevision.__mapper__.column_attrs
        if column.key not in skip
    }
    revision_rows = [
        {
            **copied,
            "product_id": ids[sku],
            "number": 1,
            "valid_until": valid_until,
            "created_at": changed_at,
            "updated_at": changed_at,
        }
        for sku in skus
    ]
    db.session.execute(insert(ProductRevision), revision_rows)
    revisions = dict(
        db.session.execute(
            select(ProductRevision.product_id, ProductRevision.id).where(ProductRevision.product_id.in_(ids.values()))
        ).all()
    )
    table = Product.__table__
    db.session.execute(
        table.update().where(table.c.id == bindparam("pid")).values(live_revision_id=bindparam("rid")),
        [{"pid": pid, "rid": rid} for pid, rid in revisions.items()],
    )
    db.session.commit()
    return skus


def wib_today() -> date:
    return today_wib()


@contextmanager
def configured(app: Flask, **values) -> Iterator[None]:
    """Change app settings for the duration of a block."""
    previous = {name: app.config.get(name) for name in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(previous)
