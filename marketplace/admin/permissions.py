"""Who may use the operator back office: small named checks, tested apart from the rules."""

from __future__ import annotations

from marketplace.accounts.models import Role, User


def is_operator(user: User | None) -> bool:
    """Whether `user` is a signed-in platform operator."""
    return user is not None and bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.OPERATOR)


def can_manage_users(user: User | None) -> bool:
    """Enable, disable, change roles and resend invitations: operators only."""
    return is_operator(user)


def can_read_audit_log(user: User | None) -> bool:
    """Read every audit event: operators only."""
    return is_operator(user)


def can_disable(actor: User, target: User) -> bool:
    """Nobody disables their own account (an operator would lock themselves out)."""
    return actor.id != target.id
