"""What the feed services share: task names, settings, file names and keys, and the side session for progress."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from marketplace.cooperatives.models import Cooperative
from marketplace.core.timeutil import to_jakarta
from marketplace.extensions import db
from marketplace.feeds.models import Feed
from marketplace.feeds.states import EXTENSIONS, FeedShape
from marketplace.feeds.storage import is_transient_storage_error

BUILD_TASK = "feeds.build"
JOIN_TASK = "feeds.join"
#: The file-name part that stands for the cooperative in a feed of every cooperative.
ALL_COOPERATIVES = "semua-koperasi"
#: Database errors worth retrying (lost connection, SQLite busy).
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


@dataclass(frozen=True)
class FeedSettings:
    """The feed settings of the running app (see config.py)."""

    keep: int
    batch_size: int
    progress_every: int
    stale_after: timedelta
    delta_overlap: timedelta
    scheduled_shapes: tuple[str, ...]


def settings() -> FeedSettings:
    """The feed settings from the app's configuration."""
    config = current_app.config
    shapes = config["FEEDS_SCHEDULED_SHAPES"]
    if isinstance(shapes, str):
        shapes = [part.strip() for part in shapes.split(",") if part.strip()]
    return FeedSettings(
        keep=int(config["FEEDS_KEEP"]),
        batch_size=max(1, int(config["FEEDS_BATCH_SIZE"])),
        progress_every=max(1, int(config["FEEDS_PROGRESS_EVERY"])),
        stale_after=timedelta(seconds=int(config["FEEDS_STALE_SECONDS"])),
        delta_overlap=timedelta(seconds=int(config["FEEDS_DELTA_OVERLAP_SECONDS"])),
        scheduled_shapes=tuple(shapes),
    )


def is_transient(error: BaseException) -> bool:
    """Whether `error` is worth retrying later (the database or the storage briefly unavailable)."""
    return isinstance(error, TRANSIENT_DB_ERRORS) or is_transient_storage_error(error)


def scope_name(feed: Feed) -> str:
    """The cooperative's code, or `semua-koperasi` for a feed of every cooperative."""
    if feed.cooperative_id is None:
        return ALL_COOPERATIVES
    return db.session.get(Cooperative, feed.cooperative_id).code


def base_name(feed: Feed) -> str:
    """`{koperasi}_{bentuk}_{full|delta}_{YYYYMMDDTHHMMSSZ}` from the feed's snapshot moment (spec: file names)."""
    stamp = feed.snapshot_at.strftime("%Y%m%dT%H%M%SZ")
    return f"{scope_name(feed)}_{feed.shape}_{feed.mode}_{stamp}"


def file_keys(feed: Feed) -> tuple[str, str, str]:
    """The download name, and the storage keys of the file and of its report (one folder per feed)."""
    name = base_name(feed)
    filename = f"{name}.{EXTENSIONS[FeedShape(feed.shape)]}"
    folder = f"{scope_name(feed)}/{feed.id}"
    return filename, f"{folder}/{filename}", f"{folder}/{name}_laporan.csv"


def snapshot_date(feed: Feed) -> date:
    """The day in WIB the feed reflects: price validity is checked against it."""
    return to_jakarta(feed.snapshot_at).date()


def elapsed_ms(started: datetime | None, finished: datetime) -> int | None:
    """Milliseconds between two moments."""
    return None if started is None else int((finished - started).total_seconds() * 1000)


@contextmanager
def side_session() -> Iterator[Session]:
    """A session of its own for progress and snapshot rows, committed while the main session streams records.

    In production it has its own connection (its commits do not end the reading transaction, whose server-side
    cursor would close). Inside a test transaction it joins the test's connection with savepoints.
    """
    bind = db.session.get_bind(mapper=Feed.__mapper__)
    session = Session(bind=bind, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
