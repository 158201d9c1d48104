"""Tasks leave for the broker only when the unit of work commits (in process; the real worker is in
test_real_worker.py)."""

from __future__ import annotations

from marketplace.core.tasks import enqueue_after_commit


def test_task_enqueued_before_any_query_is_dropped_by_rollback(db, sent_tasks) -> None:
    enqueue_after_commit("accounts.purge_login_attempts")
    db.session.rollback()
    db.session.commit()
    assert sent_tasks == []


def test_task_is_sent_once_at_commit(db, sent_tasks) -> None:
    enqueue_after_commit("accounts.purge_login_attempts")
    assert sent_tasks == []
    db.session.commit()
    db.session.commit()
    assert [name for name, _ in sent_tasks] == ["accounts.purge_login_attempts"]


def test_app_publishes_to_its_configured_broker_whatever_the_environment(app, monkeypatch) -> None:
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://broker.invalid:6379/9")  # Celery would prefer it to broker_url
    celery = app.extensions["celery"]
    assert celery.connection_for_write().as_uri().startswith("memory://")
    assert celery.connection_for_read().as_uri().startswith("memory://")
