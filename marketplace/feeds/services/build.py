"""Building a feed: the work of the `feeds.build` task (and of `flask feeds export --now`).

`build_feed` is idempotent. A succeeded or failed feed is returned as it is; a queued one is started; a running one
is restarted from scratch when its worker stopped reporting (see `runs`), keeping its snapshot moment, so the
rebuilt file is the same file under the same name. The file and its report are written to staging files, then
published (see `storage`); the counts, size, SHA-256 and duration are recorded with the success.

Progress (`processed_rows`) and the datafeed snapshot rows are committed through a side session every
`FEEDS_PROGRESS_EVERY` products while the main session streams the records with a server-side cursor.

A feed of every cooperative is built from per-cooperative parts (see `combined`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.quality import duplicate_skus
from marketplace.core.errors import NotFound
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.feeds.export import ExportResult, export_records
from marketplace.feeds.models import Feed
from marketplace.feeds.ocds_export import export_orders, feed_package_head
from marketplace.feeds.records import count_records, iter_records
from marketplace.feeds.services import combined
from marketplace.feeds.services.common import (
    base_name,
    elapsed_ms,
    file_keys,
    is_transient,
    settings,
    side_session,
    snapshot_date,
)
from marketplace.feeds.services.exported import exported_before
from marketplace.feeds.services.runs import (
    Run,
    Superseded,
    begin_run,
    finish_run,
    guarded_move,
    heartbeat,
    release_run,
)
from marketplace.feeds.services.snapshot import SnapshotWriter
from marketplace.feeds.states import FeedMode, FeedShape, FeedStatus
from marketplace.feeds.storage import FeedStorage, feed_storage
from marketplace.procurement import ocds

logger = logging.getLogger(__name__)

#: `on_progress(processed, total)`: the command line prints it.
ProgressCallback = Callable[[int, int], None]
FINAL_STATES = frozenset({FeedStatus.SUCCEEDED, FeedStatus.FAILED})


def build_feed(
    feed_id: int, *, redelivered: bool = False, on_progress: ProgressCallback | None = None, inline: bool = True
) -> Feed:
    """Build the feed `feed_id` unless it is finished or a live run holds it; return it.

    `redelivered`: the task's message may have been delivered before (only logged: whether a running feed is
    taken over depends on its heartbeat). `on_progress(processed, total)` is called as progress is saved.
    `inline`: build the parts of a feed of every cooperative here, one after the other (the command line); the
    `feeds.build` task passes False to queue them for the workers.
    Raises NotFound for an unknown feed; re-raises transient errors (the task retries) after releasing the run.
    """
    feed = db.session.get(Feed, feed_id)
    if feed is None:
        raise NotFound(f"feed {feed_id} does not exist")
    if feed.status in FINAL_STATES:
        return feed
    if feed.status == FeedStatus.RUNNING and combined.is_combined(feed) and combined.has_parts(feed):
        return combined.continue_combined(feed, inline=inline, on_progress=on_progress)
    run = begin_run(feed, stale_after=settings().stale_after)
    if run is None:
        return feed
    if redelivered or feed.attempts > 1:
        logger.info("feed %s: attempt %s (redelivered: %s)", feed.id, feed.attempts, redelivered)
    plan_snapshot(feed)
    db.session.commit()
    if feed.shape == FeedShape.OCDS:  # orders: one pass, also for every cooperative at once
        return guarded(feed, run, lambda: build_orders_file(feed, run, on_progress))
    if combined.is_combined(feed):
        return guarded(feed, run, lambda: combined.start_combined(feed, run, inline=inline, on_progress=on_progress))
    return guarded(feed, run, lambda: build_file(feed, run, on_progress))


def build_part_here(part: Feed, on_progress: ProgressCallback | None) -> Feed:
    """Build one part of a combined feed in this process, without queueing the join (the caller joins)."""
    run = begin_run(part, stale_after=settings().stale_after)
    db.session.commit()
    if run is None:
        return part
    return guarded(part, run, lambda: build_file(part, run, on_progress, notify_parent=False), notify_parent=False)


def plan_snapshot(feed: Feed) -> None:
    """Fix, at the first start, the catalog moment the feed reflects and, for a delta, the feed it continues."""
    if feed.snapshot_at is not None:
        return
    feed.snapshot_at = utcnow()
    if feed.mode == FeedMode.DELTA:
        base = base_feed(feed)
        if base is not None:
            feed.base_feed_id = base.id
            feed.changed_since = base.snapshot_at - settings().delta_overlap


def base_feed(feed: Feed) -> Feed | None:
    """The latest successful feed of the same cooperative (or of all) and shape that a delta continues."""
    if feed.cooperative_id is None:
        cooperative = Feed.cooperative_id.is_(None)
    else:
        cooperative = Feed.cooperative_id == feed.cooperative_id
    return db.session.scalars(
        select(Feed)
        .where(
            cooperative,
            Feed.parent_id.is_(None),
            Feed.shape == feed.shape,
            Feed.status == FeedStatus.SUCCEEDED,
            Feed.id != feed.id,
        )
        .order_by(Feed.snapshot_at.desc(), Feed.id.desc())
        .limit(1)
    ).first()


def guarded(feed: Feed, run: Run, work: Callable[[], Feed], *, notify_parent: bool = True) -> Feed:
    """Run `work`; on a lost race stop quietly, on a transient error release the run and re-raise (the task
    retries), on any other error mark the feed failed."""
    try:
        return work()
    except Superseded:
        db.session.rollback()
        logger.info("feed %s: attempt %s was taken over by another run", run.feed_id, run.attempt)
        return db.session.get(Feed, run.feed_id, populate_existing=True) or feed
    except Exception as error:
        db.session.rollback()
        if is_transient(error):
            _release(run)
            raise
        logger.exception("feed %s failed", feed.id)
        fail_feed(feed, run, failure_text(feed, error), notify_parent=notify_parent)
        return feed


def _release(run: Run) -> None:
    try:
        with side_session() as session:
            release_run(session, run)
            session.commit()
    except Exception:  # the database may be the thing that is down: the stale heartbeat will do
        logger.warning("feed %s: could not release attempt %s", run.feed_id, run.attempt, exc_info=True)


def failure_text(feed: Feed, error: BaseException | str) -> str:
    """Why the feed failed, in its requester's language (the error itself is technical)."""
    detail = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    requester = db.session.get(User, feed.requested_by_id) if feed.requested_by_id else None
    with force_locale(requester.locale if requester else "id"):
        return _("The feed could not be built: %(error)s", error=detail)[:2000]


def fail_feed(feed: Feed, run: Run | None, message: str, *, notify_parent: bool = True) -> bool:
    """Mark the feed failed (only while it is still `run`'s, when given) and commit; a part tells its combined
    feed (`notify_parent`). Returns whether it moved."""
    values = {"failure": message, "finished_at": utcnow()}
    if run is None:
        moved = guarded_move(feed, "fail", values=values, reason=message)
    else:
        values["duration_ms"] = elapsed_ms(feed.started_at, values["finished_at"])
        moved = finish_run(feed, run, "fail", values=values, reason=message)
    db.session.commit()
    if moved and notify_parent and feed.parent_id is not None:
        combined.part_finished(feed)
    return moved


# One file ------------------------------------------------------------------------------------------------------------


@dataclass
class Target:
    """Where a build writes: staging files and the keys they are published under."""

    storage: FeedStorage
    filename: str
    key: str
    report_key: str
    staging: Path | None = None
    report_staging: Path | None = None

    def open(self) -> None:
        self.storage.remove_staging(self.key)  # what runs that died left behind
        self.storage.remove_staging(self.report_key)
        self.staging = self.storage.staging_path(self.key)
        self.report_staging = self.storage.staging_path(self.report_key)

    def discard(self) -> None:
        for path in (self.staging, self.report_staging):
            if path is not None:
                self.storage.discard(path)

    def publish(self) -> tuple[int, str]:
        """Publish the report, then the file; return the file's size and SHA-256."""
        size, digest = file_digest(self.staging)
        self.storage.publish(self.report_staging, self.report_key)
        self.storage.publish(self.staging, self.key)
        return size, digest


def file_digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 (hexadecimal) of a file."""
    sha, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            sha.update(chunk)
            size += len(chunk)
    return size, sha.hexdigest()


class _Progress:
    """Saves progress (and pending snapshot rows) through the side session, fenced by the run's token."""

    def __init__(self, session, run: Run, *, total: int, snapshot: SnapshotWriter | None, echo) -> None:
        self.session, self.run, self.total, self.snapshot, self.echo = session, run, total, snapshot, echo

    def save(self, processed: int, **values) -> None:
        if self.snapshot is not None:
            self.snapshot.flush(self.session)
        heartbeat(self.session, self.run, processed_rows=processed, **values)
        self.session.commit()
        if self.echo is not None:
            self.echo(processed, max(self.total, processed))


def build_file(feed: Feed, run: Run, on_progress: ProgressCallback | None, *, notify_parent: bool = True) -> Feed:
    """Write one cooperative's feed (or one part) to staging files, publish them and record the success."""
    config = settings()
    filename, key, report_key = file_keys(feed)
    target = Target(feed_storage(), filename, key, report_key)
    standalone_datafeed = feed.shape == FeedShape.DATAFEED and feed.parent_id is None
    cooperative_ids = [feed.cooperative_id] if feed.parent_id is None else combined.part_cooperative_ids(feed)
    filters = {
        "cooperative_ids": cooperative_ids,
        "changed_since": feed.changed_since,
        "until": feed.snapshot_at,
        "include_withdrawn": feed.mode == FeedMode.DELTA or feed.shape == FeedShape.DATAFEED,
    }
    snapshot = None
    if standalone_datafeed:
        snapshot = SnapshotWriter(
            feed_id=feed.id,
            base_feed_id=feed.base_feed_id,
            is_delta=feed.mode == FeedMode.DELTA,
            today=snapshot_date(feed),
        )
    with side_session() as session:
        total = count_records(**filters)
        if snapshot is not None:
            snapshot.reset(session)
        progress = _Progress(session, run, total=total, snapshot=snapshot, echo=on_progress)
        progress.save(0, total_rows=total)
        try:
            target.open()
            records = iter_records(**filters, batch_size=config.batch_size)
            if snapshot is not None:
                records = snapshot.track(records)
            result = export_records(
                records,
                shape=feed.shape,
                file_path=target.staging,
                report_path=target.report_staging,
                base_name=base_name(feed),
                today=snapshot_date(feed),
                duplicate_skus_by_cooperative=duplicate_skus,
                on_progress=progress.save,
                on_item=snapshot.add if snapshot is not None else None,
                progress_every=config.progress_every,
                created=feed.snapshot_at,
                was_exported=exported_before(session, feed),
            )
            db.session.commit()  # end the reading transaction before writing through the main session again
            progress.save(result.processed)
            if snapshot is not None:
                snapshot.complete(session, run)
            heartbeat(session, run)  # still ours: publish
            session.commit()
            size, digest = target.publish()
        except BaseException:
            target.discard()
            raise
    return succeed(feed, run, target, result, size=size, digest=digest, total=total, notify_parent=notify_parent)


class NoOrders(Exception):
    """An OCDS feed with no order to publish (a release package holds at least one release)."""


def build_orders_file(feed: Feed, run: Run, on_progress: ProgressCallback | None) -> Feed:
    """Write the orders of the feed's cooperative (or of all) as an OCDS release package, publish it and its
    report and record the success; NoOrders (the feed fails) when there is none."""
    target = Target(feed_storage(), *file_keys(feed))
    cooperative_ids = None if feed.cooperative_id is None else [feed.cooperative_id]
    with side_session() as session:
        total = ocds.count_orders(cooperative_ids=cooperative_ids, until=feed.snapshot_at)
        if not total:
            raise NoOrders(_("There are no orders to export yet."))
        progress = _Progress(session, run, total=total, snapshot=None, echo=on_progress)
        progress.save(0, total_rows=total)
        try:
            target.open()
            orders = ocds.iter_order_facts(
                cooperative_ids=cooperative_ids, until=feed.snapshot_at, batch_size=settings().batch_size
            )
            result = export_orders(
                orders,
                file_path=target.staging,
                report_path=target.report_staging,
                head=feed_package_head(feed),
                on_progress=progress.save,
            )
            db.session.commit()  # end the reading transaction before writing through the main session again
            progress.save(result.processed)
            heartbeat(session, run)  # still ours: publish
            session.commit()
            size, digest = target.publish()
        except BaseException:
            target.discard()
            raise
    return succeed(feed, run, target, result, size=size, digest=digest, total=total)


def succeed(
    feed: Feed,
    run: Run,
    target: Target,
    result: ExportResult,
    *,
    size: int,
    digest: str,
    total: int,
    notify_parent: bool = True,
) -> Feed:
    """Record the published file, its counts and timing: the feed succeeded (only while it is still `run`'s)."""
    finished = utcnow()
    values = {
        "filename": target.filename,
        "storage_key": target.key,
        "report_key": target.report_key,
        "byte_size": size,
        "sha256": digest,
        "total_rows": max(total, result.processed),
        "processed_rows": result.processed,
        "product_count": result.product_count,
        "withdrawn_count": result.withdrawn_count,
        "error_count": result.error_count,
        "warning_count": result.warning_count,
        "finished_at": finished,
        "duration_ms": elapsed_ms(feed.started_at, finished),
    }
    extra = {"product_count": result.product_count, "error_count": result.error_count, "sha256": digest}
    if not finish_run(feed, run, "succeed", values=values, extra=extra):
        db.session.rollback()
        raise Superseded(feed.id)
    db.session.commit()
    if notify_parent and feed.parent_id is not None:
        combined.part_finished(feed)
    return feed


def give_up(feed_id: int, error: BaseException) -> Feed | None:
    """Mark a feed failed after its task exhausted its retries on transient errors."""
    feed = db.session.get(Feed, feed_id)
    if feed is None or feed.status in FINAL_STATES:
        return feed
    fail_feed(feed, None, failure_text(feed, error))
    return feed
