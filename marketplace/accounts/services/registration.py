"""Registration of an UMKM seller who applies to a cooperative."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.auth import hash_password
from marketplace.accounts.invitations import email_taken
from marketplace.accounts.models import Role, SellerProfile, User, UserRole
from marketplace.accounts.services.validation import (
    FieldErrors,
    check_cooperative,
    check_identifiers_free,
    check_locale,
    clean_business_profile,
    clean_phone,
    taken_identifier,
)
from marketplace.cooperatives.models import Cooperative, Membership
from marketplace.core.audit import record_event
from marketplace.core.errors import ValidationFailed
from marketplace.core.links import external_path
from marketplace.core.mail import queue_email
from marketplace.core.unique import violated_unique_column
from marketplace.core.validators import check_email, check_password
from marketplace.extensions import db
from marketplace.reference.regions import get_region

#: Where a cooperative manager reviews applications (the cooperatives domain's `cooperatives.members`).
PENDING_MEMBERS_PATH = "/koperasi/anggota?status=pending"
EMAIL_TAKEN = _l("This email address is already registered.")


def register_seller(
    *,
    email: str,
    full_name: str,
    phone: str,
    password: str,
    cooperative_id: int | str | None,
    profile: dict[str, Any],
    locale: str = "id",
) -> User:
    """Create a seller account, its UMKM profile and a pending membership in one commit.

    Every input is checked first and all problems are raised together as ValidationFailed (field name →
    message), so nothing is saved from a bad form. The cooperative's managers are emailed after the commit.
    """
    errors = FieldErrors()
    address = errors.check("email", check_email, email)
    if address and email_taken(address):
        errors.add("email", EMAIL_TAKEN)
    name = errors.text("full_name", full_name)
    phone_number = clean_phone(phone, errors, required=True)
    errors.check("password", check_password, password, email=address)
    cooperative = errors.check("cooperative_id", check_cooperative, cooperative_id)
    business = clean_business_profile(profile, errors)
    check_identifiers_free(business, errors, profile_id=None)
    language = errors.check("locale", check_locale, locale)
    errors.raise_if_any()

    user = User(
        email=address, full_name=name, phone=phone_number, password_hash=hash_password(password), locale=language
    )
    user.role_rows = [UserRole(role=str(Role.SELLER))]
    user.seller_profile = SellerProfile(**business)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:  # registered by someone else a moment ago
        db.session.rollback()
        raise ValidationFailed("already registered", taken_by_someone_else(exc)) from exc
    membership = Membership(user_id=user.id, cooperative_id=cooperative.id, status="pending")
    db.session.add(membership)
    db.session.flush()
    record_event(
        "user.register",
        subject_type="user",
        subject_id=user.id,
        actor_id=user.id,
        after={
            "email": address,
            "roles": [str(Role.SELLER)],
            "cooperative_id": cooperative.id,
            "membership": membership.status,
            "business_name": business["business_name"],
        },
    )
    notify_cooperative_managers(cooperative, applicant=user)
    db.session.commit()
    return user


def taken_by_someone_else(error: IntegrityError) -> dict[str, str]:
    """The field error for the email, NIB or NIK whose unique constraint `error` reports; re-raise any other."""
    fields = taken_identifier(error)
    if fields is not None:
        return fields
    if violated_unique_column(error, User.__tablename__, ("email",)) is not None:
        return {"email": str(EMAIL_TAKEN)}
    raise error


def cooperative_managers(cooperative: Cooperative) -> list[User]:
    """Enabled managers (pengurus) of the cooperative."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(
                User.cooperative_id == cooperative.id,
                UserRole.role == str(Role.COOP_MANAGER),
                User.is_enabled.is_(True),
            )
            .order_by(User.id)
        )
    )


def notify_cooperative_managers(cooperative: Cooperative, *, applicant: User) -> None:
    """Queue an email to every manager about a new member application."""
    link = external_path(PENDING_MEMBERS_PATH)
    for manager in cooperative_managers(cooperative):
        queue_email(
            manager.email,
            "emails/new_member_application",
            locale=manager.locale,
            manager=manager,
            applicant=applicant,
            profile=applicant.seller_profile,
            cooperative=cooperative,
            link=link,
        )


def cooperative_label(cooperative: Cooperative) -> str:
    """`name — kelurahan, kota` for the registration select."""
    village = get_region(cooperative.region_code)
    city = get_region(".".join(cooperative.region_code.split(".")[:2]))
    place = ", ".join(region.name for region in (village, city) if region is not None)
    return f"{cooperative.name} — {place}" if place else cooperative.name
