"""Helpers of the accounts tests: valid input, lookups, reading pages and emails."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from tests.support.identifiers import make_nik, make_npwp

STRONG_PASSWORD = "gula aren dan kopi tubruk"
LINK = re.compile(r"https?://\S+")


def profile_data(**overrides: object) -> dict:
    """A valid seller business profile as the services take it."""
    data = {
        "business_name": "UD Tempe Bu Sri",
        "nib": "9120 0012 3456 7",
        "npwp": make_npwp(77)[1:],  # the legacy 15-digit form, stored with a leading 0
        "nik": make_nik(12),
        "skala_usaha": "mikro",
        "kbli_codes": "10793, 47111",
        "address": "Jl. Empunala No. 12",
        "region_code": "35.76.02.1001",
        "bank_name": "Bank Jatim",
        "bank_account_number": "0123-456-789",
        "bank_account_name": "Sri Wahyuni",
    }
    data.update(overrides)
    return data


def registration_data(cooperative_id: object, /, **overrides: object) -> dict:
    """Valid keyword arguments of `register_seller` (profile fields may be overridden at the top level)."""
    account = {
        "email": "Sri.Wahyuni@Tempe-Sri.co.id",
        "full_name": "Sri Wahyuni",
        "phone": "0812-3456-7890",
        "password": STRONG_PASSWORD,
        "cooperative_id": cooperative_id,
    }
    profile = profile_data()
    for key, value in overrides.items():
        (profile if key in profile else account)[key] = value
    return {**account, "profile": profile}


def registration_form(cooperative_id: object, /, **overrides: object) -> dict:
    """The registration page's form fields."""
    data = registration_data(cooperative_id)
    form = {**{k: v for k, v in data.items() if k != "profile"}, **data["profile"]}
    form["password_confirm"] = form["password"]
    form["cooperative_id"] = str(cooperative_id)
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def events(action: str, subject_id: int | None = None) -> list[AuditEvent]:
    statement = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    if subject_id is not None:
        statement = statement.where(AuditEvent.subject_id == subject_id)
    return list(db.session.scalars(statement))


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.lower()))


def link_in(body: str) -> str:
    """The first link in an email body."""
    match = LINK.search(body)
    assert match, body
    return match.group(0)


def field_error(html: str, field: str) -> str | None:
    """The error message shown next to a field, or None."""
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    return match.group(1) if match else None
