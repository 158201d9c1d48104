"""Enqueue Celery tasks by name, only after the current transaction commits.

`marketplace` never imports `workers`: tasks are sent by registered name, and a test checks every name used
here is a task the worker registers.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

PENDING_KEY = "pending_tasks"
#: How a model instance travels in a task's arguments: {MODEL_KEY: class name, "id": primary key}.
MODEL_KEY = "__model__"


def enqueue_after_commit(task_name: str, **kwargs: Any) -> None:
    """Send `task_name(**kwargs)` to the broker once the session's transaction commits; drop it on rollback."""
    from marketplace.extensions import db

    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any query still fires the hook that drops the task
    session.info.setdefault(PENDING_KEY, []).append((current_app._get_current_object(), task_name, kwargs))


def _send_pending(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, [])
    for app, task_name, kwargs in pending:
        app.extensions["celery"].send_task(task_name, kwargs=kwargs)


def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def install_session_hooks() -> None:
    """Register the commit/rollback hooks once per process."""
    if not event.contains(Session, "after_commit", _send_pending):
        event.listen(Session, "after_commit", _send_pending)
        event.listen(Session, "after_soft_rollback", _drop_after_rollback)


def _drop_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        _drop_pending(session)


def to_task_arguments(values: dict[str, Any]) -> dict[str, Any]:
    """`values` as JSON-serialisable task arguments: model instances become references (flushed first if new);
    strings, numbers, booleans and None pass as they are."""
    from marketplace.extensions import db

    arguments: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, db.Model):
            if getattr(value, "id", None) is None:
                db.session.flush()
            arguments[name] = {MODEL_KEY: type(value).__name__, "id": value.id}
        elif value is None or isinstance(value, str | int | float | bool):
            arguments[name] = value
        else:
            raise TypeError(f"{name}={value!r} cannot travel to a task: pass a model instance or a plain value")
    return arguments


def from_task_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """The values `to_task_arguments` sent, with model references loaded again (None if the row is gone)."""
    from marketplace.extensions import db

    classes = db.Model.registry._class_registry
    values: dict[str, Any] = {}
    for name, value in arguments.items():
        if isinstance(value, dict) and MODEL_KEY in value:
            value = db.session.get(classes[value[MODEL_KEY]], value["id"])
        values[name] = value
    return values
