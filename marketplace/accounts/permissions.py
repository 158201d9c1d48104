"""Who may do what with accounts: small named checks, tested apart from the rules."""

from __future__ import annotations

from marketplace.accounts.models import Role, User


def can_edit_business_profile(user: User) -> bool:
    """Only sellers keep an UMKM business profile."""
    return user.is_authenticated and user.has_role(Role.SELLER)


def can_manage_api_tokens(user: User) -> bool:
    """Any signed-in, active person may hold personal API tokens."""
    return user.is_authenticated and user.is_active
