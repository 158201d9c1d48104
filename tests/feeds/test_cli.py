"""`flask feeds export`: queue a feed for a worker, or build it here with --now, printing progress."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from marketplace.feeds.models import Feed
from marketplace.feeds.storage import feed_storage
from tests.factories import CooperativeFactory


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def feeds(db) -> list[Feed]:
    return list(db.session.scalars(select(Feed).order_by(Feed.id)))


def test_export_queues_a_feed_for_a_worker(db, runner, sent_tasks) -> None:
    cooperative = CooperativeFactory(code="kkmp-balongsari")
    result = runner.invoke(args=["feeds", "export", "--cooperative", "kkmp-balongsari", "--shape", "xlsx"])

    assert result.exit_code == 0, result.output
    (feed,) = feeds(db)
    assert (feed.cooperative_id, feed.shape, feed.mode, feed.trigger, feed.status) == (
        cooperative.id, "xlsx", "full", "cli", "queued",
    )  # fmt: skip
    assert feed.requested_by_id is None
    assert result.output == f"Feed {feed.id} queued for a worker.\n"
    assert sent_tasks == [("feeds.build", {"feed_id": feed.id})]


def test_export_now_builds_here_and_prints_progress(db, runner, feed_catalog, sent_tasks) -> None:
    code = feed_catalog.cooperative.code
    result = runner.invoke(
        args=["feeds", "export", "--cooperative", code, "--shape", "csv", "--mode", "delta", "--now"]
    )

    assert result.exit_code == 0, result.output
    (feed,) = feeds(db)
    assert feed.status == "succeeded" and feed.mode == "delta" and feed.trigger == "cli"
    assert sent_tasks == []  # built here: nothing for a worker
    lines = result.output.splitlines()
    assert lines[0] == f"Feed {feed.id}: building it here."
    total = feed.total_rows
    assert f"{total:,} / {total:,} products (100 %)" in lines
    assert re.fullmatch(rf"Feed {feed.id} succeeded: {re.escape(feed.filename)} \(\d+\.\d KB\)", lines[-4])
    assert lines[-3] == (
        f"  products {feed.product_count} (withdrawn {feed.withdrawn_count}), with errors {feed.error_count}, "
        f"warnings {feed.warning_count}"
    )
    assert lines[-2] == f"  sha256 {feed.sha256}"
    assert re.fullmatch(r"  took \d+\.\d s", lines[-1])
    stored = b"".join(feed_storage().open_stream(feed.storage_key))
    assert feed.filename.startswith(f"{code}_csv_delta_") and zipfile.ZipFile(io.BytesIO(stored)).testzip() is None


def test_export_now_for_all_cooperatives(db, runner, feed_catalog, sent_tasks) -> None:
    result = runner.invoke(args=["feeds", "export", "--all", "--shape", "datafeed", "--now"])
    assert result.exit_code == 0, result.output
    combined = db.session.scalars(select(Feed).where(Feed.parent_id.is_(None))).one()
    assert combined.cooperative_id is None and combined.status == "succeeded"
    assert combined.product_count >= len(feed_catalog.exported_keys) + 1  # and the other cooperative's product
    assert sent_tasks == []


def test_export_wait_follows_the_worker_until_it_is_done(db, runner, feed_catalog, monkeypatch, run_tasks) -> None:
    """--wait looks at the feed's row every second; here the worker's work happens during the first pause."""
    from marketplace.feeds import cli

    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        run_tasks()  # the worker builds the queued feed meanwhile

    monkeypatch.setattr(cli.time, "sleep", pause)
    code = feed_catalog.cooperative.code
    result = runner.invoke(args=["feeds", "export", "--cooperative", code, "--shape", "xlsx", "--wait"])

    assert result.exit_code == 0, result.output
    (feed,) = feeds(db)
    assert feed.status == "succeeded" and pauses == [1.0]
    lines = result.output.splitlines()
    assert lines[0] == f"Feed {feed.id} queued for a worker."
    assert lines[1] == "0 / 0 products (0 %)"
    assert lines[2] == f"{feed.total_rows:,} / {feed.total_rows:,} products (100 %)"
    assert lines[3].startswith(f"Feed {feed.id} succeeded: {feed.filename}")


def test_a_failed_feed_ends_the_command_with_an_error(db, runner, feed_catalog, monkeypatch) -> None:
    from marketplace.feeds import cli

    def fail_meanwhile(seconds: float) -> None:
        feed = feeds(db)[0]
        feed.status, feed.failure = "failed", "The storage is full."
        db.session.commit()

    monkeypatch.setattr(cli.time, "sleep", fail_meanwhile)
    result = runner.invoke(args=["feeds", "export", "--all", "--shape", "csv", "--wait"])
    assert result.exit_code == 1
    assert f"Feed {feeds(db)[0].id} failed: The storage is full." in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shape", "csv"], "Give either --cooperative CODE or --all."),
        (["--all", "--cooperative", "x", "--shape", "csv"], "Give either --cooperative CODE or --all."),
        (["--all", "--shape", "pdf"], "'pdf' is not one of 'datafeed', 'csv', 'xlsx'"),
        (["--all", "--shape", "csv", "--mode", "half"], "'half' is not one of 'full', 'delta'"),
        (["--all", "--shape", "csv", "--now", "--wait"], "--now builds the feed here; --wait follows a worker."),
        (["--cooperative", "tidak-ada", "--shape", "csv"], "no cooperative has the code 'tidak-ada'"),
    ],
)
def test_export_refuses_wrong_arguments(db, runner, args, message, sent_tasks) -> None:
    result = runner.invoke(args=["feeds", "export", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert feeds(db) == [] and sent_tasks == []
