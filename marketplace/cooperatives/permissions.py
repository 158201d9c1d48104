"""Who may see and change cooperatives and memberships: small named checks, used by services and pages."""

from __future__ import annotations

from marketplace.accounts.models import Role, User
from marketplace.cooperatives.models import Cooperative, Membership


def is_operator(user: User | None) -> bool:
    """Whether the user is a platform operator."""
    return user is not None and user.has_role(Role.OPERATOR)


def is_manager_of(user: User | None, cooperative_id: int | None) -> bool:
    """Whether the user is a pengurus (coop_manager) of the cooperative with this id."""
    return (
        user is not None
        and cooperative_id is not None
        and user.has_role(Role.COOP_MANAGER)
        and user.cooperative_id == cooperative_id
    )


def can_view_cooperative(user: User | None, cooperative: Cooperative) -> bool:
    """Operators see every cooperative; a manager only their own."""
    return is_operator(user) or is_manager_of(user, cooperative.id)


def can_manage_cooperative(user: User | None, cooperative: Cooperative) -> bool:
    """Edit the cooperative's data and rotate its datafeed key: its managers and operators."""
    return can_view_cooperative(user, cooperative)


def can_rename_cooperative(user: User | None) -> bool:
    """Only operators change a cooperative's name (it is its identity towards e-Katalog)."""
    return is_operator(user)


def can_create_cooperative(user: User | None) -> bool:
    """Only operators open new cooperatives."""
    return is_operator(user)


def can_set_cooperative_active(user: User | None) -> bool:
    """Only operators close or reopen a cooperative."""
    return is_operator(user)


def can_invite_manager(user: User | None, cooperative: Cooperative) -> bool:
    """Operators, and the managers of that cooperative, invite further managers."""
    return can_manage_cooperative(user, cooperative)


def can_view_membership(user: User | None, membership: Membership) -> bool:
    """A membership is visible to the managers of its cooperative and to operators."""
    return is_operator(user) or is_manager_of(user, membership.cooperative_id)


def can_decide_membership(user: User | None, membership: Membership) -> bool:
    """Approve, reject, suspend or reactivate: the managers of its cooperative and operators."""
    return can_view_membership(user, membership)
