"""Domain exceptions that views map to HTTP answers (404, 403, 409, 422)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of errors a service raises for a caller to show."""

    code = "error"
    status = 400

    def __init__(self, message: str = "", fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class ValidationFailed(DomainError):
    """Input is invalid; `fields` maps a field path to its message."""

    code = "validation_error"
    status = 422


class Conflict(DomainError):
    code = "conflict"
    status = 409


class IllegalTransition(Conflict):
    """A lifecycle move that is not allowed from the current state."""

    code = "illegal_transition"

    def __init__(self, subject_type: str, status: str, action: str) -> None:
        super().__init__(f"{subject_type}: '{action}' is not allowed while {status}")
        self.subject_type = subject_type
        self.current_status = status
        self.action = action
