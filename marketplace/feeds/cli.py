"""`flask feeds export`: build a feed from the command line, queued for a worker or right here (`--now`)."""

from __future__ import annotations

import sys
import time

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.feeds.display import format_bytes, format_duration
from marketplace.feeds.models import Feed
from marketplace.feeds.services import queries
from marketplace.feeds.services import requests as feed_requests
from marketplace.feeds.states import FeedMode, FeedShape, FeedStatus, FeedTrigger

feeds_cli = AppGroup("feeds", help="e-Katalog feeds.")

#: Seconds between two looks at a queued feed's progress (--wait).
POLL_SECONDS = 1.0
FINAL = (FeedStatus.SUCCEEDED, FeedStatus.FAILED)


@feeds_cli.command("export")
@click.option("--cooperative", "code", metavar="CODE", help="The cooperative's code, e.g. kkmp-gununggedangan.")
@click.option("--all", "all_cooperatives", is_flag=True, help="One feed of all cooperatives.")
@click.option("--shape", type=click.Choice([str(shape) for shape in FeedShape]), required=True, help="The format.")
@click.option(
    "--mode",
    type=click.Choice([str(mode) for mode in FeedMode]),
    default=str(FeedMode.FULL),
    show_default=True,
    help="Every approved product, or what changed since the previous successful feed of this format.",
)
@click.option("--now", is_flag=True, help="Build it in this process instead of queuing it for a worker.")
@click.option("--wait", is_flag=True, help="Queue it, then follow the worker's progress until it is done.")
def export_command(code: str | None, all_cooperatives: bool, shape: str, mode: str, now: bool, wait: bool) -> None:
    """Build an e-Katalog feed of one cooperative (--cooperative CODE) or of all (--all)."""
    if bool(code) == all_cooperatives:
        raise click.UsageError("Give either --cooperative CODE or --all.")
    if now and wait:
        raise click.UsageError("--now builds the feed here; --wait follows a worker. Choose one.")
    cooperative_id = None if all_cooperatives else cooperative_by_code(code).id
    trigger = FeedTrigger.CLI
    if now:
        feed = feed_requests.request_feed(
            cooperative_id=cooperative_id, shape=shape, mode=mode, requested_by_id=None, trigger=trigger, enqueue=False
        )
        db.session.commit()
        click.echo(f"Feed {feed.id}: building it here.")
        feed = build_here(feed.id)
    else:
        feed = feed_requests.request_feed(
            cooperative_id=cooperative_id, shape=shape, mode=mode, requested_by_id=None, trigger=trigger
        )
        db.session.commit()
        click.echo(f"Feed {feed.id} queued for a worker.")
        if not wait:
            return
        feed = follow(feed.id)
    summarise(feed)
    if feed.status != FeedStatus.SUCCEEDED:
        raise SystemExit(1)


def cooperative_by_code(code: str) -> Cooperative:
    """The cooperative with this code, or a clear error."""
    cooperative = db.session.scalars(select(Cooperative).where(Cooperative.code == code.strip())).one_or_none()
    if cooperative is None:
        raise click.BadParameter(f"no cooperative has the code {code!r}", param_hint="--cooperative")
    return cooperative


def build_here(feed_id: int) -> Feed:
    """Build the feed in this process, printing its progress."""
    from marketplace.feeds.services.build import build_feed

    progress = ProgressLine()
    feed = build_feed(feed_id, on_progress=progress.show, inline=True)
    progress.done()
    return feed


def follow(feed_id: int) -> Feed:
    """Print a queued feed's progress until a worker has finished it."""
    progress = ProgressLine()
    while True:
        db.session.expire_all()
        feed = db.session.get(Feed, feed_id)
        state = queries.progress(feed)
        progress.show(state["processed"], state["total"])
        if feed.status in FINAL:
            progress.done()
            return feed
        db.session.rollback()  # end the read transaction, so the next look sees the worker's commits
        time.sleep(POLL_SECONDS)


class ProgressLine:
    """`12,000 / 48,000 products (25 %)`, rewritten in place on a terminal, a line per change elsewhere."""

    def __init__(self) -> None:
        self.last: tuple[int, int] | None = None
        self.interactive = sys.stdout.isatty()

    def show(self, processed: int, total: int) -> None:
        if (processed, total) == self.last:
            return
        self.last = (processed, total)
        percent = processed * 100 // total if total else 0
        line = f"{processed:,} / {total:,} products ({percent} %)"
        if self.interactive:
            click.echo(f"\r{line}", nl=False)
        else:
            click.echo(line)

    def done(self) -> None:
        if self.interactive and self.last is not None:
            click.echo()


def summarise(feed: Feed) -> None:
    """The outcome: file, counts, checksum and duration, or why it failed (in English, as the rest of the output)."""
    with force_locale("en"):
        _summarise(feed)


def _summarise(feed: Feed) -> None:
    if feed.status == FeedStatus.FAILED:
        click.echo(f"Feed {feed.id} failed: {feed.failure or 'no reason recorded'}", err=True)
        return
    click.echo(f"Feed {feed.id} {feed.status}: {feed.filename} ({format_bytes(feed.byte_size)})")
    click.echo(
        f"  products {feed.product_count} (withdrawn {feed.withdrawn_count}), with errors "
        f"{feed.error_count}, warnings {feed.warning_count}"
    )
    click.echo(f"  sha256 {feed.sha256}")
    click.echo(f"  took {format_duration(feed.duration_ms)}")
