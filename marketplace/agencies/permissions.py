"""Who may see and manage agencies and work units: small named checks, tested apart from the rules."""

from __future__ import annotations

from marketplace.accounts.models import BUYER_ROLES, Role, User
from marketplace.agencies.models import Agency, WorkUnit


def _signed_in(user: User | None) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and hasattr(user, "has_role")


def is_operator(user: User | None) -> bool:
    """Whether `user` is a platform operator."""
    return _signed_in(user) and user.has_role(Role.OPERATOR)


def is_buyer(user: User | None) -> bool:
    """Whether `user` holds at least one buyer role (pp, ppk, bendahara)."""
    return _signed_in(user) and user.has_role(*BUYER_ROLES)


def can_manage_agencies(user: User | None) -> bool:
    """Create and edit agencies and work units, invite buyers: operators only."""
    return is_operator(user)


def can_view_work_unit(user: User | None, work_unit: WorkUnit) -> bool:
    """Operators see every work unit; a buyer sees only their own."""
    return is_operator(user) or (is_buyer(user) and user.work_unit_id == work_unit.id)


def can_view_agency(user: User | None, agency: Agency) -> bool:
    """Operators see every agency; a buyer sees only the agency of their own work unit."""
    if is_operator(user):
        return True
    return is_buyer(user) and user.work_unit is not None and user.work_unit.agency_id == agency.id
