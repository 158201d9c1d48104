"""Audit events: who did what to which subject, with the state before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, Index, String, Text, insert
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Dotted verb, e.g. `membership.approve`, `auth.login_failed`, `user.roles_changed`.
    action: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    actor = relationship("User", foreign_keys=[actor_id], lazy="joined")


def client_ip() -> str | None:
    """The requesting client's address, when inside a request."""
    return request.remote_addr if has_request_context() else None


def record_event(
    action: str,
    *,
    subject_type: str,
    subject_id: int | None,
    actor_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current unit of work (flushed, not committed)."""
    event = AuditEvent(
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        actor_id=actor_id,
        before=before,
        after=after,
        reason=reason,
        ip_address=client_ip(),
    )
    db.session.add(event)
    return event


def record_events(
    action: str,
    *,
    subject_type: str,
    subject_ids: list[int],
    actor_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """Record the same event for many subjects in one INSERT (not committed): a set-based move's audit trail."""
    if not subject_ids:
        return
    shared = {
        "created_at": utcnow(),
        "action": action,
        "subject_type": subject_type,
        "actor_id": actor_id,
        "before": before,
        "after": after,
        "reason": reason,
        "ip_address": client_ip(),
    }
    db.session.execute(insert(AuditEvent), [{**shared, "subject_id": subject_id} for subject_id in subject_ids])


def apply_changes(subject: object, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set the attributes whose value differs; return their values before and after (changed fields only)."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in values.items():
        old = getattr(subject, name)
        if old != value:
            before[name], after[name] = old, value
            setattr(subject, name, value)
    return before, after


def record_changes(action: str, *, subject: Any, subject_type: str, actor_id: int | None, values: dict) -> dict:
    """Apply `values` to `subject` and audit the changed fields as `action`; return them (empty: nothing changed)."""
    before, after = apply_changes(subject, values)
    if after:
        record_event(
            action, subject_type=subject_type, subject_id=subject.id, actor_id=actor_id, before=before, after=after
        )
    return after
