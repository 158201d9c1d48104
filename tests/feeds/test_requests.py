"""Asking for a feed and asking again for a failed one: the row, the audit event, and the task after the commit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.feeds.models import Feed
from marketplace.feeds.services.requests import request_feed, retry_feed
from tests.factories import CooperativeFactory, UserFactory


@pytest.fixture
def cooperative(db):
    return CooperativeFactory()


def ask(cooperative_id, **overrides) -> Feed:
    values = {"shape": "csv", "mode": "full", "requested_by_id": None, "trigger": "manual", **overrides}
    return request_feed(cooperative_id=cooperative_id, **values)


def test_a_request_creates_a_queued_feed_and_sends_its_build_only_after_the_commit(cooperative, sent_tasks) -> None:
    manager = UserFactory()
    feed = ask(cooperative.id, shape="xlsx", mode="delta", requested_by_id=manager.id, trigger="api")
    assert (feed.status, feed.shape, feed.mode, feed.trigger) == ("queued", "xlsx", "delta", "api")
    assert (feed.cooperative_id, feed.requested_by_id, feed.parent_id) == (cooperative.id, manager.id, None)
    assert feed.snapshot_at is None and feed.total_rows == 0
    assert sent_tasks == []
    db.session.commit()
    assert sent_tasks == [("feeds.build", {"feed_id": feed.id})]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "feed.request")).one()
    assert (event.subject_id, event.actor_id) == (feed.id, manager.id)
    assert event.after["shape"] == "xlsx" and event.after["cooperative_id"] == cooperative.id


def test_a_rolled_back_request_sends_nothing(cooperative, sent_tasks) -> None:
    ask(cooperative.id)
    db.session.rollback()
    db.session.commit()
    assert sent_tasks == []
    assert db.session.scalars(select(Feed)).all() == []


def test_a_feed_of_every_cooperative_has_no_cooperative(db, sent_tasks) -> None:
    feed = ask(None, shape="datafeed")
    db.session.commit()
    assert feed.cooperative_id is None
    assert sent_tasks == [("feeds.build", {"feed_id": feed.id})]


def test_without_enqueue_the_caller_builds_it(cooperative, sent_tasks) -> None:
    ask(cooperative.id, enqueue=False)
    db.session.commit()
    assert sent_tasks == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"shape": "pdf"}, "shape"), ({"mode": "weekly"}, "mode"), ({"trigger": "cron"}, "trigger")],
)
def test_unknown_choices_are_refused_with_the_field(cooperative, sent_tasks, overrides, field) -> None:
    with pytest.raises(ValidationFailed) as caught:
        ask(cooperative.id, **overrides)
    assert list(caught.value.fields) == [field]
    assert db.session.scalars(select(Feed)).all() == []


def test_an_unknown_cooperative_is_not_found(db) -> None:
    with pytest.raises(NotFound):
        ask(987654)


def test_a_failed_feed_is_queued_again_from_scratch(cooperative, sent_tasks) -> None:
    feed = ask(cooperative.id, enqueue=False)
    feed.status = "failed"
    feed.failure = "disk full"
    feed.processed_rows = feed.total_rows = 40
    feed.error_count = 2
    db.session.flush()
    operator = UserFactory()
    retry_feed(feed, operator.id)
    db.session.commit()
    assert feed.status == "queued"
    assert (feed.failure, feed.processed_rows, feed.total_rows, feed.error_count, feed.snapshot_at) == (
        None, 0, 0, 0, None,
    )  # fmt: skip
    assert sent_tasks == [("feeds.build", {"feed_id": feed.id})]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "feed.retry")).one()
    assert event.actor_id == operator.id and event.before == {"status": "failed"}


@pytest.mark.parametrize("status", ["queued", "running", "succeeded"])
def test_only_a_failed_feed_can_be_retried(cooperative, sent_tasks, status) -> None:
    feed = ask(cooperative.id, enqueue=False)
    feed.status = status
    db.session.flush()
    with pytest.raises(Conflict):
        retry_feed(feed, None)
    db.session.commit()
    assert feed.status == status
    assert sent_tasks == []
