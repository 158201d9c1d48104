"""Explicit state machines: a map of allowed moves and one function that performs a move (`move`, on a loaded
object; `move_where`, as one conditional UPDATE for rows that several processes may move at once; `move_many`, one
UPDATE for every row that matches, e.g. all the products of a closed cooperative)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, update

from marketplace.core.audit import record_event, record_events
from marketplace.core.errors import IllegalTransition
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class HasStatus(Protocol):
    id: int
    status: str


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str


class Lifecycle:
    """A named set of moves `action -> (allowed source states, target state)`."""

    def __init__(self, subject_type: str, moves: dict[str, tuple[set[str], str]]) -> None:
        self.subject_type = subject_type
        self.moves = {action: Move(frozenset(src), dst) for action, (src, dst) in moves.items()}

    @property
    def states(self) -> set[str]:
        found: set[str] = set()
        for move in self.moves.values():
            found |= move.sources | {move.target}
        return found

    def can(self, subject: HasStatus, action: str) -> bool:
        """Whether `action` is allowed from the subject's current state."""
        move = self.moves.get(action)
        return move is not None and subject.status in move.sources

    def allowed_actions(self, subject: HasStatus) -> list[str]:
        return [action for action in self.moves if self.can(subject, action)]

    def move(
        self,
        subject: HasStatus,
        action: str,
        *,
        actor_id: int | None,
        reason: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Perform `action` on `subject`, record an audit event and return the new state."""
        if not self.can(subject, action):
            raise IllegalTransition(self.subject_type, subject.status, action)
        before = subject.status
        subject.status = self.moves[action].target
        record_event(
            f"{self.subject_type}.{action}",
            subject_type=self.subject_type,
            subject_id=subject.id,
            actor_id=actor_id,
            before={"status": before},
            after={"status": subject.status, **(extra or {})},
            reason=reason,
        )
        return subject.status

    def move_where(
        self,
        subject: Any,
        action: str,
        *,
        actor_id: int | None,
        allowed: ColumnElement[bool] | None = None,
        where: Iterable[Any] = (),
        values: dict[str, Any] | None = None,
        reason: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> bool:
        """Perform `action` on a row with one conditional UPDATE: only if it is (still) in a source state (or
        matches `allowed`, which replaces that condition) and `where` holds; set `values` and `updated_at`, refresh
        `subject` and record the audit event. Return False, changing nothing, otherwise. Flushes, never commits."""
        model = type(subject)
        move = self.moves[action]
        condition = model.status.in_(sorted(move.sources)) if allowed is None else allowed
        before = subject.status
        db.session.flush()
        result = db.session.execute(
            update(model)
            .where(model.id == subject.id, condition, *where)
            .values(status=move.target, updated_at=utcnow(), **(values or {}))
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(subject)
        if result.rowcount != 1:
            return False
        record_event(
            f"{self.subject_type}.{action}",
            subject_type=self.subject_type,
            subject_id=subject.id,
            actor_id=actor_id,
            before={"status": before},
            after={"status": subject.status, **(extra or {})},
            reason=reason,
        )
        return True

    def move_many(
        self,
        model: Any,
        action: str,
        *,
        where: Iterable[Any],
        actor_id: int | None,
        values: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> list[int]:
        """Perform `action` with one UPDATE per source state on every row of `model` that is in that state and
        matches `where`; set `values` and `updated_at`, record an audit event per row and return the moved ids in
        order. Rows loaded in the session are updated too. Flushes, never commits; lock the rows first (in id
        order) where other transactions may lock several of them."""
        move = self.moves[action]
        conditions = list(where)
        db.session.flush()
        moved: list[int] = []
        for source in sorted(move.sources):
            ids = list(
                db.session.scalars(
                    update(model)
                    .where(model.status == source, *conditions)
                    .values(status=move.target, updated_at=utcnow(), **(values or {}))
                    .returning(model.id)
                    .execution_options(synchronize_session="fetch")
                )
            )
            record_events(
                f"{self.subject_type}.{action}",
                subject_type=self.subject_type,
                subject_ids=ids,
                actor_id=actor_id,
                before={"status": source},
                after={"status": move.target},
                reason=reason,
            )
            moved += ids
        return sorted(moved)
