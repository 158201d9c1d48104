"""Demo fixtures: the whole demo with its products, seeded once per module (it takes about a minute)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import delete, select

from marketplace.demo import DemoSummary


@dataclass(frozen=True)
class SeededDemo:
    summary: DemoSummary
    #: Names of the Celery tasks published while seeding.
    published_tasks: list[str]
    seconds: float


@pytest.fixture(scope="module")
def demo_catalog(app: Flask) -> Iterator[SeededDemo]:
    """`seed_demo()` committed for real (the catalog services commit step by step), read by the module's tests
    through their own rolled-back `db`. Afterwards every table is emptied as `committed_db` does, and the unit the
    demo adds to the migration's list is removed, so later tests find the database as migrated."""
    from celery.signals import before_task_publish

    from marketplace.catalog.models import Unit
    from marketplace.demo import seed_demo
    from marketplace.extensions import db
    from tests.support.database import truncate_all

    published: list[str] = []

    def on_publish(sender=None, **kwargs):
        published.append(sender)

    with app.app_context():
        migrated_units = set(db.session.scalars(select(Unit.name)))
        db.session.remove()
    before_task_publish.connect(on_publish, weak=False)
    try:
        with app.app_context():
            started = time.monotonic()
            summary = seed_demo()
            seconds = time.monotonic() - started
            db.session.remove()
        before_task_publish.disconnect(on_publish)
        yield SeededDemo(summary, list(published), seconds)
    finally:
        before_task_publish.disconnect(on_publish)
        with app.app_context():
            db.session.remove()
            truncate_all(app)
            with db.engine.begin() as connection:
                connection.execute(delete(Unit).where(Unit.name.not_in(migrated_units)))
