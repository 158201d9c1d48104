"""A person's own account data, the seller's UMKM profile and personal API tokens."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from marketplace.accounts import api_tokens
from marketplace.accounts.models import ApiToken, Role, SellerProfile, User
from marketplace.accounts.services.validation import (
    FieldErrors,
    check_identifiers_free,
    check_locale,
    clean_business_profile,
    clean_phone,
    identifiers_claimed,
)
from marketplace.core.audit import record_changes, record_event
from marketplace.core.pagination import Page, paginate
from marketplace.extensions import db


def update_account(*, user: User, full_name: str, phone: str | None, locale: str) -> User:
    """Change the person's name, phone and interface language (a seller must keep a phone number)."""
    errors = FieldErrors()
    values = {
        "full_name": errors.text("full_name", full_name),
        "phone": clean_phone(phone, errors, required=user.has_role(Role.SELLER)),
        "locale": errors.check("locale", check_locale, locale),
    }
    errors.raise_if_any()
    if record_changes("user.update", subject=user, subject_type="user", actor_id=user.id, values=values):
        db.session.commit()
    return user


def update_business_profile(*, user: User, profile: dict[str, Any]) -> SellerProfile:
    """Change the seller's UMKM data; the audit event holds the changed fields before and after.

    A NIB or NIK that another seller registered is refused as a field error, also when that happens between the
    check and the write (ValidationFailed; nothing is saved).
    """
    errors = FieldErrors()
    values = clean_business_profile(profile, errors)
    current = user.seller_profile
    check_identifiers_free(values, errors, profile_id=current.id if current is not None else None)
    errors.raise_if_any()
    with identifiers_claimed():
        seller_profile, changed = _save_business_profile(user, current, values)
    if changed:
        db.session.commit()
    return seller_profile


def _save_business_profile(
    user: User, seller_profile: SellerProfile | None, values: dict[str, Any]
) -> tuple[SellerProfile, bool]:
    """Create or change the profile and audit it (not committed); return it and whether anything changed."""
    if seller_profile is None:
        seller_profile = SellerProfile(user_id=user.id, **values)
        db.session.add(seller_profile)
        db.session.flush()
        record_event(
            "seller_profile.update",
            subject_type="seller_profile",
            subject_id=seller_profile.id,
            actor_id=user.id,
            after=values,
        )
        return seller_profile, True
    changed = record_changes(
        "seller_profile.update", subject=seller_profile, subject_type="seller_profile", actor_id=user.id, values=values
    )
    return seller_profile, bool(changed)


def api_tokens_page(user: User, page: int, per_page: int) -> Page:
    """One page of the user's tokens, live ones first, newest first."""
    statement = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return paginate(statement, page, per_page)


def create_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a named token; the raw value is returned once and only its hash is kept."""
    errors = FieldErrors()
    cleaned = errors.text("name", name, limit="token_name")
    errors.raise_if_any()
    return api_tokens.issue_api_token(user, cleaned)


def revoke_api_token(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; another person's token is NotFound."""
    return api_tokens.revoke_api_token(user, token_id)
