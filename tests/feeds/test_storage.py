"""The feed storage: a local folder and S3 (moto's server, a real S3 API over HTTP) behave the same; files appear
only when complete; staging files are hidden and swept."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from marketplace.feeds.storage import (
    LocalFeedStorage,
    S3FeedStorage,
    check_key,
    feed_storage,
    is_transient_storage_error,
)
from tests.feeds.helpers import aws_environment, feed_files, s3_bucket, s3_endpoint, s3_keys  # noqa: F401

KEY = "kkmp-uji/7/kkmp-uji_csv_full_20261128T010000Z.zip"
CONTENT = b"PK" + bytes(range(256)) * 4000  # a megabyte or so, several chunks


@pytest.fixture(params=["local", "s3"])
def storage(request, app, feed_files):  # noqa: F811
    """Each storage, as the app configures it."""
    if request.param == "s3":
        request.getfixturevalue("s3_bucket")
    return feed_storage()


def publish(storage, key: str, content: bytes) -> None:
    staging = storage.staging_path(key)
    staging.write_bytes(content)
    storage.publish(staging, key)


def test_the_app_picks_the_storage_from_its_configuration(app, feed_files, s3_endpoint, aws_environment) -> None:  # noqa: F811
    local = feed_storage()
    assert isinstance(local, LocalFeedStorage) and local.root == feed_files
    app.config.update(FEEDS_S3_BUCKET="feeds-config", FEEDS_S3_ENDPOINT_URL=s3_endpoint, FEEDS_S3_PREFIX="arsip/")
    try:
        remote = feed_storage()
        assert isinstance(remote, S3FeedStorage)
        assert (remote.bucket, remote.prefix) == ("feeds-config", "arsip/")
        assert remote.object_key(KEY) == f"arsip/{KEY}"
        assert feed_storage() is remote  # one client per configuration
    finally:
        app.config.update(FEEDS_S3_BUCKET=None, FEEDS_S3_ENDPOINT_URL=None, FEEDS_S3_PREFIX="feeds/")


def test_a_published_file_is_read_back_whole_in_chunks(storage) -> None:
    assert not storage.exists(KEY)
    publish(storage, KEY, CONTENT)
    assert storage.exists(KEY)
    assert storage.size(KEY) == len(CONTENT)
    chunks = list(storage.open_stream(KEY, chunk_size=100_000))
    assert len(chunks) > 1 and max(len(chunk) for chunk in chunks) <= 100_000
    assert b"".join(chunks) == CONTENT


def test_publishing_again_replaces_the_file(storage) -> None:
    publish(storage, KEY, b"first")
    publish(storage, KEY, b"second")
    assert b"".join(storage.open_stream(KEY)) == b"second"


def test_nothing_is_visible_before_publishing_and_a_discarded_staging_file_leaves_nothing(storage) -> None:
    staging = storage.staging_path(KEY)
    staging.write_bytes(CONTENT[:1000])  # a worker in the middle of writing
    assert not storage.exists(KEY)
    with pytest.raises(FileNotFoundError):
        storage.size(KEY)
    with pytest.raises(FileNotFoundError):
        storage.open_stream(KEY)
    storage.discard(staging)
    assert not staging.exists()
    assert not storage.exists(KEY)


def test_delete_removes_the_file_and_tolerates_a_missing_one(storage) -> None:
    publish(storage, KEY, CONTENT)
    storage.delete(KEY)
    assert not storage.exists(KEY)
    storage.delete(KEY)  # nothing there: no error


def test_fetch_gives_a_local_copy(storage, tmp_path: Path) -> None:
    publish(storage, KEY, CONTENT)
    assert storage.fetch(KEY, tmp_path).read_bytes() == CONTENT
    with pytest.raises(FileNotFoundError):
        storage.fetch("kkmp-uji/8/missing.zip", tmp_path)


def test_a_staging_file_is_hidden_beside_its_key_and_published_by_rename(app, feed_files) -> None:  # noqa: F811
    storage = feed_storage()
    staging = storage.staging_path(KEY)
    target = feed_files / KEY
    assert staging.parent == target.parent  # same folder, so the rename is atomic
    assert staging.name.startswith(".partial-") and staging.name != target.name
    staging.write_bytes(CONTENT)
    inode = staging.stat().st_ino
    storage.publish(staging, KEY)
    assert not staging.exists()
    assert target.stat().st_ino == inode  # renamed, not copied
    assert target.read_bytes() == CONTENT


def test_removing_a_keys_staging_files_spares_other_keys(app, feed_files) -> None:  # noqa: F811
    storage = feed_storage()
    left = [storage.staging_path(KEY), storage.staging_path(KEY)]
    other = storage.staging_path("kkmp-uji/7/kkmp-uji_csv_full_20261128T010000Z_laporan.csv")
    publish(storage, KEY, b"done")
    assert storage.remove_staging(KEY) == 2
    assert not any(path.exists() for path in left)
    assert other.exists()
    assert storage.exists(KEY)


def test_sweeping_removes_only_old_staging_files(app, feed_files) -> None:  # noqa: F811
    storage = feed_storage()
    old = storage.staging_path(KEY)
    recent = storage.staging_path("kkmp-lain/9/kkmp-lain_xlsx_full_20261128T010000Z.xlsx")
    publish(storage, "kkmp-lain/10/kkmp-lain_xlsx_full_20261129T010000Z.xlsx", b"kept")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    assert storage.sweep_staging(older_than=86400) == 1
    assert not old.exists() and recent.exists()
    assert storage.exists("kkmp-lain/10/kkmp-lain_xlsx_full_20261129T010000Z.xlsx")


def test_deleting_the_last_file_of_a_feed_removes_its_folder(app, feed_files) -> None:  # noqa: F811
    storage = feed_storage()
    report = "kkmp-uji/7/kkmp-uji_csv_full_20261128T010000Z_laporan.csv"
    publish(storage, KEY, b"file")
    publish(storage, report, b"report")
    storage.delete(KEY)
    assert (feed_files / "kkmp-uji/7").is_dir()
    storage.delete(report)
    assert not (feed_files / "kkmp-uji").exists()
    assert feed_files.is_dir()


def test_s3_staging_files_are_local_and_uploaded_whole(app, s3_endpoint, s3_bucket) -> None:  # noqa: F811
    storage = feed_storage()
    staging = storage.staging_path(KEY)
    assert staging.is_file() and staging.name.startswith("pasar-umkm-feed-")
    staging.write_bytes(CONTENT)
    assert s3_keys(s3_endpoint, s3_bucket) == []
    storage.publish(staging, KEY)
    assert not staging.exists()
    assert s3_keys(s3_endpoint, s3_bucket) == [f"feeds/{KEY}"]
    storage.delete(KEY)
    assert s3_keys(s3_endpoint, s3_bucket) == []


@pytest.mark.parametrize(
    "key",
    ["../etc/passwd", "kkmp/../../x", "/absolute/path", "kkmp/7/", "", "kkmp/7/nama file.zip", "kkmp/.hidden"],
)
def test_keys_are_generated_names_only(key: str) -> None:
    with pytest.raises(ValueError):
        check_key(key)


def test_unreachable_object_storage_is_a_transient_error(app, aws_environment) -> None:  # noqa: F811
    with pytest.raises(Exception) as caught:  # whatever botocore raises for a refused connection
        S3FeedStorage(bucket="feeds", endpoint_url="http://127.0.0.1:9").exists(KEY)
    assert is_transient_storage_error(caught.value)
    assert is_transient_storage_error(ConnectionError())
    assert not is_transient_storage_error(ValueError("bad key"))
    assert not is_transient_storage_error(PermissionError("read-only folder"))
