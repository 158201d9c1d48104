"""Helpers for seeding through the services: drop the tasks they enqueue, commit without waiting for the disk, and
date each step back (services stamp `now`; a demo needs a history).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace.core.audit import AuditEvent
from marketplace.core.tasks import PENDING_KEY
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


@contextmanager
def tasks_dropped() -> Iterator[None]:
    """Drop the Celery tasks services enqueue while the block runs (they would otherwise run after each commit)."""

    def drop(session: Session) -> None:
        session.info.pop(PENDING_KEY, None)

    event.listen(Session, "before_commit", drop)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", drop)


@contextmanager
def sqlite_commits_without_fsync() -> Iterator[None]:
    """SQLite: let commits return before the disk has them while the block runs (`synchronous=NORMAL`; WAL stays
    consistent, only a power cut could lose the last commits of a demo that can be loaded again). The seed commits
    after every step of every product and would otherwise wait for the disk a thousand times. The setting belongs
    to the connection: it is set on the pooled connection the session reuses. Other databases: nothing changes."""
    if db.engine.dialect.name != "sqlite":
        yield
        return
    db.session.commit()  # SQLite refuses the change inside a transaction
    _set_sqlite_synchronous("NORMAL")
    try:
        yield
    finally:
        db.session.rollback()  # everything is committed by then, unless the block failed
        _set_sqlite_synchronous("FULL")


def _set_sqlite_synchronous(level: str) -> None:
    raw = db.engine.raw_connection()
    try:
        raw.driver_connection.execute(f"PRAGMA synchronous={level}")
    finally:
        raw.close()


class Timeline:
    """The moments of one product's story, in order, back-dated and never later than a few minutes ago."""

    def __init__(self, start: datetime) -> None:
        self.limit = utcnow() - timedelta(minutes=5)
        self.current = min(start, self.limit)

    def after(self, gap: timedelta) -> datetime:
        """The next moment, `gap` after the previous one."""
        self.current = min(self.current + max(gap, timedelta(minutes=1)), self.limit)
        return self.current

    def at_least(self, moment: datetime) -> datetime:
        """The next moment: `moment`, or an hour after the previous one if that is later."""
        self.current = min(max(moment, self.current + timedelta(hours=1)), self.limit)
        return self.current


class AuditClock:
    """Dates the audit events written since the last `stamp` (collected as they are created)."""

    def __init__(self) -> None:
        self.pending: list[AuditEvent] = []

    def collect(self, target: AuditEvent, args: tuple, kwargs: dict) -> None:
        self.pending.append(target)

    def stamp(self, moment: datetime) -> None:
        for audit_event in self.pending:
            audit_event.created_at = moment
        self.pending.clear()


@contextmanager
def audit_clock() -> Iterator[AuditClock]:
    """An AuditClock that sees every AuditEvent created while the block runs."""
    clock = AuditClock()
    event.listen(AuditEvent, "init", clock.collect)
    try:
        yield clock
    finally:
        event.remove(AuditEvent, "init", clock.collect)
