"""The daily task that marks products whose price validity passed: run through Celery's `apply()`, and scheduled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marketplace.core.timeutil import today_wib
from marketplace.extensions import db
from tests.factories import CooperativeFactory, catalog_reference, listing, seller
from tests.workers.test_registered_tasks import worker_tasks

TASK = "catalog.mark_expired_validity"


def test_the_task_marks_the_expired_products(app) -> None:
    maker = seller(CooperativeFactory())
    product = listing(maker, catalog_reference(), sku="EXP-TASK-1")
    product.valid_until = today_wib() - timedelta(days=1)
    product.feed_changed_at = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.commit()

    assert app.extensions["celery"].tasks[TASK].apply().get() == 1
    assert app.extensions["celery"].tasks[TASK].apply().get() == 0
    db.session.refresh(product)
    assert product.feed_changed_at > datetime(2026, 1, 1, tzinfo=UTC)


def test_beat_runs_it_daily(tmp_path) -> None:
    assert TASK in worker_tasks(tmp_path)["beat"]
