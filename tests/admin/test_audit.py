"""The audit log: filters of audit_query and the readable before/after rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

from marketplace.admin import services
from marketplace.core.audit import AuditEvent, record_event
from marketplace.extensions import db
from tests.factories import UserFactory


def add_event(action: str, *, at: datetime, actor=None, subject_type: str = "user", subject_id: int | None = 1, **kw):
    event = record_event(
        action, subject_type=subject_type, subject_id=subject_id, actor_id=actor.id if actor else None, **kw
    )
    event.created_at = at
    db.session.flush()
    return event


def actions(**filters) -> list[str]:
    return [event.action for event in db.session.scalars(services.audit_query(**filters))]


def test_audit_query_filters_and_orders_newest_first(db) -> None:
    ani = UserFactory(email="ani@dinsos.test")
    budi = UserFactory(email="budi@koperasi.test")
    add_event("user.disable", at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC), actor=ani, subject_id=7)
    add_event("user.roles_changed", at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC), actor=ani, subject_id=8)
    add_event("membership.approve", at=datetime(2026, 3, 3, 2, 0, tzinfo=UTC), actor=budi, subject_type="membership")
    add_event("auth.login_failed", at=datetime(2026, 3, 4, 2, 0, tzinfo=UTC), after={"email": "x@example.test"})

    assert actions() == ["auth.login_failed", "membership.approve", "user.roles_changed", "user.disable"]
    assert actions(action_prefix="user.") == ["user.roles_changed", "user.disable"]
    assert actions(action_prefix="user.dis") == ["user.disable"]
    assert actions(action_prefix="%") == []
    assert actions(actor_email="ani@dinsos.test") == ["user.roles_changed", "user.disable"]
    assert actions(actor_email="KOPERASI") == ["membership.approve"]
    assert actions(subject_type="membership") == ["membership.approve"]
    assert actions(subject_type="user", subject_id=8) == ["user.roles_changed"]
    assert actions(since=date(2026, 3, 2), until=date(2026, 3, 3)) == ["membership.approve", "user.roles_changed"]


def test_days_are_counted_in_wib(db) -> None:
    # 16:59 UTC is 23:59 WIB the same day; 17:00 UTC is already the next day in WIB.
    add_event("late.same_day", at=datetime(2026, 3, 1, 16, 59, tzinfo=UTC))
    add_event("early.next_day", at=datetime(2026, 3, 1, 17, 0, tzinfo=UTC))

    assert actions(until=date(2026, 3, 1)) == ["late.same_day"]
    assert actions(since=date(2026, 3, 2)) == ["early.next_day"]
    assert actions(since=date(2026, 3, 1), until=date(2026, 3, 1)) == ["late.same_day"]


def test_user_events_are_those_by_or_about_the_user(db) -> None:
    ani = UserFactory()
    other = UserFactory()
    add_event("by.ani", at=datetime(2026, 3, 1, tzinfo=UTC), actor=ani, subject_id=other.id)
    add_event("about.ani", at=datetime(2026, 3, 2, tzinfo=UTC), actor=other, subject_id=ani.id)
    add_event("about.other", at=datetime(2026, 3, 3, tzinfo=UTC), actor=other, subject_id=other.id)
    add_event("agency.same_id", at=datetime(2026, 3, 4, tzinfo=UTC), subject_type="agency", subject_id=ani.id)

    assert [e.action for e in services.user_events(user_id=ani.id)] == ["about.ani", "by.ani"]


def test_audit_changes_pairs_before_and_after() -> None:
    event = AuditEvent(
        action="x", subject_type="user", before={"name": "A", "phone": None}, after={"name": "B", "email": "b@x.test"}
    )

    rows = services.audit_changes(event)

    assert [(r.key, r.before, r.after, r.changed) for r in rows] == [
        ("name", "A", "B", True),
        ("phone", None, None, False),
        ("email", None, "b@x.test", True),
    ]
    assert services.audit_changes(AuditEvent(action="x", subject_type="user")) == []
