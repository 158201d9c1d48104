"""Use cases of the accounts domain: registration, sign-in, passwords, profile and API tokens."""

from marketplace.accounts.services.passwords import (
    InvalidLink,
    accept_invitation,
    change_password,
    request_password_reset,
    reset_password,
    user_for_link,
)
from marketplace.accounts.services.profile import (
    api_tokens_page,
    create_api_token,
    revoke_api_token,
    update_account,
    update_business_profile,
)
from marketplace.accounts.services.registration import cooperative_label, register_seller
from marketplace.accounts.services.signin import InvalidCredentials, authenticate, record_logout
from marketplace.accounts.services.validation import active_cooperatives

__all__ = [
    "InvalidCredentials",
    "InvalidLink",
    "accept_invitation",
    "active_cooperatives",
    "api_tokens_page",
    "authenticate",
    "change_password",
    "cooperative_label",
    "create_api_token",
    "record_logout",
    "register_seller",
    "request_password_reset",
    "reset_password",
    "revoke_api_token",
    "update_account",
    "update_business_profile",
    "user_for_link",
]
