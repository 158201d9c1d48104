"""A feed of every cooperative: parts that workers build in parallel, then one join.

Starting the feed fixes its snapshot, counts the products of each cooperative and cuts them into parts of whole
cooperatives of about `FEEDS_PART_ROWS` products each (a large cooperative is a part of its own). A part is a feed
row (`parent_id`) whose `cooperative_id` is the first cooperative it holds; it holds every cooperative from there
up to the next part's first one (parts are created together and never change, so the ranges are fixed). Each part
is a `feeds.build` task, so idle workers build them at the same time.

No chord (the app keeps no task results): the part that finishes last queues `feeds.join`. Every finishing part
tries a compare-and-set on the combined feed's attempt counter, conditional on no part being left to build; only
one can win it, and its new attempt number is the join's token (see `runs`). The join concatenates the parts'
files (`export.join_parts`, no database read), publishes the result and removes the parts' files. A failed part
fails the combined feed. When a join dies, `feeds.recover` (or a redelivered task) takes the feed over and joins.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import aliased

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.catalog.states import ProductStatus
from marketplace.cooperatives.models import Cooperative
from marketplace.core.errors import NotFound
from marketplace.core.tasks import enqueue_after_commit
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.feeds.export import ExportResult, join_parts, join_reports
from marketplace.feeds.models import Feed
from marketplace.feeds.services.common import BUILD_TASK, JOIN_TASK, base_name, file_keys, settings
from marketplace.feeds.services.runs import Run, begin_run, heartbeat
from marketplace.feeds.states import FeedMode, FeedShape, FeedStatus
from marketplace.feeds.storage import feed_storage

#: Most cooperatives in one part (keeps the `IN (…)` lists of its queries short).
MAX_COOPERATIVES_PER_PART = 500
FINAL_STATES = frozenset({FeedStatus.SUCCEEDED, FeedStatus.FAILED})
PENDING_STATES = (FeedStatus.QUEUED, FeedStatus.RUNNING)


def is_combined(feed: Feed) -> bool:
    """Whether the feed is of every cooperative (not one cooperative's feed, not a part)."""
    return feed.cooperative_id is None and feed.parent_id is None


def parts_of(feed: Feed) -> list[Feed]:
    """The feed's parts in feed order (by first cooperative)."""
    return list(db.session.scalars(select(Feed).where(Feed.parent_id == feed.id).order_by(Feed.cooperative_id)))


def has_parts(feed: Feed) -> bool:
    return db.session.scalar(select(exists().where(Feed.parent_id == feed.id)))


def include_withdrawn(feed: Feed) -> bool:
    return feed.mode == FeedMode.DELTA or feed.shape == FeedShape.DATAFEED


def counts_by_cooperative(feed: Feed, *, lower: int | None = None, upper: int | None = None) -> list[tuple[int, int]]:
    """(cooperative id, products) of the cooperatives with products in the feed (or in its part: the range [lower,
    upper) of cooperative ids), by id. The products are those `records.count_records` counts (the spec's: published,
    on sale or also withdrawn, changed in the delta's window); a test holds the two together."""
    statuses = [ProductStatus.ACTIVE, ProductStatus.WITHDRAWN] if include_withdrawn(feed) else [ProductStatus.ACTIVE]
    conditions = [Product.live_revision_id.is_not(None), Product.status.in_(statuses)]
    if feed.changed_since is not None:
        conditions += [Product.feed_changed_at > feed.changed_since, Product.feed_changed_at <= feed.snapshot_at]
    if lower is not None:
        conditions.append(Product.cooperative_id >= lower)
    if upper is not None:
        conditions.append(Product.cooperative_id < upper)
    statement = (
        select(Product.cooperative_id, func.count())
        .where(*conditions)
        .group_by(Product.cooperative_id)
        .order_by(Product.cooperative_id)
    )
    return [(cooperative_id, count) for cooperative_id, count in db.session.execute(statement)]


def plan_groups(counts: list[tuple[int, int]], part_rows: int) -> list[tuple[int, int]]:
    """Cut (cooperative, products) pairs, in order, into parts of whole cooperatives of about `part_rows`
    products; return each part's (first cooperative id, products)."""
    groups: list[tuple[int, int]] = []
    first, rows, members = None, 0, 0
    for cooperative_id, count in counts:
        if first is not None and (rows + count > part_rows or members >= MAX_COOPERATIVES_PER_PART):
            groups.append((first, rows))
            first, rows, members = None, 0, 0
        if first is None:
            first = cooperative_id
        rows += count
        members += 1
    if first is not None:
        groups.append((first, rows))
    return groups


def part_cooperative_ids(part: Feed) -> list[int]:
    """The cooperatives a part holds: from its first cooperative up to the next part's first (see the module doc)."""
    upper = db.session.scalar(
        select(func.min(Feed.cooperative_id)).where(
            Feed.parent_id == part.parent_id, Feed.cooperative_id > part.cooperative_id
        )
    )
    counts = counts_by_cooperative(part, lower=part.cooperative_id, upper=upper)
    return [cooperative_id for cooperative_id, _count in counts]


def start_combined(feed: Feed, run: Run, *, inline: bool, on_progress) -> Feed:
    """Cut the feed into parts and queue them (or build them here, `inline`); join at once when there is none."""
    _remove_parts(feed)
    groups = plan_groups(counts_by_cooperative(feed), max(1, int(current_app.config["FEEDS_PART_ROWS"])))
    heartbeat(db.session, run, total_rows=sum(rows for _first, rows in groups))
    parts = [
        Feed(
            cooperative_id=first,
            parent_id=feed.id,
            shape=feed.shape,
            mode=feed.mode,
            trigger=feed.trigger,
            requested_by_id=feed.requested_by_id,
            status=FeedStatus.QUEUED,
            snapshot_at=feed.snapshot_at,
            changed_since=feed.changed_since,
            total_rows=rows,
        )
        for first, rows in groups
    ]
    db.session.add_all(parts)
    db.session.flush()
    if not inline:
        for part in parts:
            enqueue_after_commit(BUILD_TASK, feed_id=part.id)
    db.session.commit()
    if inline:
        _build_parts_here(feed, parts, on_progress)
    elif parts:
        return feed
    return join(feed, run)


def continue_combined(feed: Feed, *, inline: bool, on_progress) -> Feed:
    """A running combined feed that has parts: build what is left here (`inline`), and join once every part has
    finished and no live join holds the feed."""
    pending = [part for part in parts_of(feed) if part.status not in FINAL_STATES]
    if pending and not inline:
        return feed
    if pending:
        _build_parts_here(feed, pending, on_progress)
        if any(part.status not in FINAL_STATES for part in parts_of(feed)):
            return feed
    return join_feed(feed.id)


def _build_parts_here(feed: Feed, parts: list[Feed], on_progress) -> None:
    from marketplace.feeds.services.build import build_part_here

    done = sum(part.processed_rows for part in parts_of(feed) if part.status in FINAL_STATES)
    for part in parts:
        echo = None
        if on_progress is not None:
            offset = done

            def echo(processed: int, _total: int, offset: int = offset) -> None:
                on_progress(offset + processed, feed.total_rows)

        build_part_here(part, echo)
        done += part.processed_rows


def part_finished(part: Feed) -> bool:
    """Queue the join when `part` was the last part of its feed to finish; return whether it did. Commits."""
    seen = db.session.scalar(select(Feed.attempts).where(Feed.id == part.parent_id))
    sibling = aliased(Feed)
    left = exists().where(sibling.parent_id == part.parent_id, sibling.status.in_(PENDING_STATES))
    result = db.session.execute(
        update(Feed)
        .where(Feed.id == part.parent_id, Feed.status == FeedStatus.RUNNING, Feed.attempts == seen, ~left)
        .values(attempts=Feed.attempts + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        enqueue_after_commit(JOIN_TASK, feed_id=part.parent_id, attempt=seen + 1)
    db.session.commit()
    return result.rowcount == 1


def join_feed(feed_id: int, *, attempt: int | None = None, redelivered: bool = False) -> Feed:
    """Join the parts of a combined feed (the `feeds.join` task): with the token `attempt` won by the last part,
    or by taking the feed over from a join that stopped reporting. Returns the feed."""
    from marketplace.feeds.services.build import guarded

    feed = db.session.get(Feed, feed_id)
    if feed is None:
        raise NotFound(f"feed {feed_id} does not exist")
    if feed.status != FeedStatus.RUNNING or not is_combined(feed):
        return feed
    if attempt is not None and not redelivered and feed.attempts == attempt:
        run = Run(feed.id, attempt)
    else:
        run = begin_run(feed, stale_after=settings().stale_after, restart_progress=False)
        db.session.commit()
        if run is None:
            return feed
    return guarded(feed, run, lambda: join(feed, run))


def join(feed: Feed, run: Run) -> Feed:
    """Concatenate the parts' files into the feed's file and report, publish them and record the success."""
    from marketplace.feeds.services.build import Target, fail_feed, succeed

    parts = parts_of(feed)
    if any(part.status not in FINAL_STATES for part in parts):
        return feed
    failed = [part for part in parts if part.status == FeedStatus.FAILED]
    if failed:
        fail_feed(feed, run, _failed_parts_text(feed, failed))
        return feed
    storage = feed_storage()
    target = Target(storage, *file_keys(feed))
    try:
        target.open()
        with tempfile.TemporaryDirectory(prefix="pasar-umkm-join-") as folder:
            files = [storage.fetch(part.storage_key, Path(folder)) for part in parts]
            join_parts(feed.shape, files, target.staging, base_name(feed), created=feed.snapshot_at)
            reports = [storage.fetch(part.report_key, Path(folder)) for part in parts]
            join_reports(reports, target.report_staging)
        heartbeat(db.session, run)  # still ours: publish
        db.session.commit()
        size, digest = target.publish()
    except BaseException:
        target.discard()
        raise
    result = ExportResult(
        product_count=sum(part.product_count for part in parts),
        withdrawn_count=sum(part.withdrawn_count for part in parts),
        error_count=sum(part.error_count for part in parts),
        warning_count=sum(part.warning_count for part in parts),
        processed=sum(part.processed_rows for part in parts),
    )
    succeed(feed, run, target, result, size=size, digest=digest, total=feed.total_rows)
    _drop_part_files(parts)
    return feed


def _failed_parts_text(feed: Feed, failed: list[Feed]) -> str:
    codes = db.session.scalars(
        select(Cooperative.code).where(Cooperative.id.in_([part.cooperative_id for part in failed]))
    ).all()
    requester = db.session.get(User, feed.requested_by_id) if feed.requested_by_id else None
    with force_locale(requester.locale if requester else "id"):
        return _(
            "Some parts of this feed could not be built (the parts from cooperative %(codes)s): %(failure)s",
            codes=", ".join(sorted(codes)),
            failure=failed[0].failure or "",
        )[:2000]


def _remove_parts(feed: Feed) -> None:
    """Delete the parts of an earlier attempt, with their files (a retried combined feed starts from scratch)."""
    parts = parts_of(feed)
    if not parts:
        return
    _delete_files(parts)
    db.session.execute(delete(Feed).where(Feed.parent_id == feed.id).execution_options(synchronize_session=False))
    db.session.flush()


def _drop_part_files(parts: list[Feed]) -> None:
    """The joined feed holds everything: remove the parts' files (their rows stay, with their counts)."""
    _delete_files(parts)
    ids = [part.id for part in parts]
    if ids:
        db.session.execute(
            update(Feed)
            .where(Feed.id.in_(ids))
            .values(storage_key=None, report_key=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def _delete_files(parts: list[Feed]) -> None:
    storage = feed_storage()
    for part in parts:
        for key in (part.storage_key, part.report_key):
            if key:
                storage.delete(key)
