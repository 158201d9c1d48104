"""Users, their roles, the seller's UMKM profile, API tokens and sign-in attempts."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import TimestampMixin
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class Role(enum.StrEnum):
    SELLER = "seller"
    COOP_MANAGER = "coop_manager"
    PP = "pp"
    PPK = "ppk"
    BENDAHARA = "bendahara"
    OPERATOR = "operator"


BUYER_ROLES = frozenset({Role.PP, Role.PPK, Role.BENDAHARA})


class SkalaUsaha(enum.StrEnum):
    MIKRO = "mikro"
    KECIL = "kecil"
    MENENGAH = "menengah"


#: The scale of a maker without a business profile (a member a manager added), the same in search and feeds.
DEFAULT_SKALA_USAHA = SkalaUsaha.MIKRO


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased; unique.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: None until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    #: Preferred interface language (`id` or `en`).
    locale: Mapped[str] = mapped_column(String(5), default="id", server_default="id")
    #: False when an operator deactivated the account; such a user cannot sign in.
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    #: The cooperative a `coop_manager` manages (sellers belong through their membership).
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    #: The work unit (satker) of a buyer (pp, ppk, bendahara).
    work_unit_id: Mapped[int | None] = mapped_column(ForeignKey("work_units.id"), index=True)
    last_login_at: Mapped[datetime | None]

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    seller_profile: Mapped[SellerProfile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", uselist=False
    )
    membership = relationship("Membership", back_populates="user", uselist=False, foreign_keys="Membership.user_id")
    managed_cooperative = relationship("Cooperative", foreign_keys=[cooperative_id])
    work_unit = relationship("WorkUnit", foreign_keys=[work_unit_id])

    @property
    def password_fingerprint(self) -> str:
        """A short digest of the password hash: sessions and emailed links made before a password change
        carry the old one and stop working."""
        return hashlib.sha256((self.password_hash or "no-password").encode()).hexdigest()[:16]

    def get_id(self) -> str:  # Flask-Login: the session remembers the password it was opened with
        return f"{self.id}:{self.password_fingerprint}"

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled or password-less accounts cannot hold a session
        return self.is_enabled and self.password_hash is not None

    @property
    def cooperative(self):
        """The cooperative this person manages or belongs to as a member."""
        if self.managed_cooperative is not None:
            return self.managed_cooperative
        return self.membership.cooperative if self.membership is not None else None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class SellerProfile(TimestampMixin, db.Model):
    """The UMKM business data e-Katalog needs about the maker of a product."""

    __tablename__ = "seller_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    business_name: Mapped[str] = mapped_column(String(200))
    #: Nomor Induk Berusaha, 13 digits; unique: one business, one seller account (and so one cooperative).
    nib: Mapped[str] = mapped_column(String(13), unique=True)
    #: 16-digit NPWP (legacy 15-digit numbers are stored in their 16-digit form). Not unique: it names a taxpayer,
    #: not a business, and a household may share one (a wife taxed jointly reports her husband's NPWP/NIK).
    npwp: Mapped[str] = mapped_column(String(16))
    #: NIK of the owner, 16 digits; unique: one person, one seller account.
    nik: Mapped[str] = mapped_column(String(16), unique=True)
    skala_usaha: Mapped[str] = mapped_column(String(10))
    #: KBLI business activity codes (5 digits each).
    kbli_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    address: Mapped[str] = mapped_column(Text)
    #: Kemendagri code of the kelurahan/desa, e.g. 35.76.02.1001.
    region_code: Mapped[str] = mapped_column(String(13))
    bank_name: Mapped[str | None] = mapped_column(String(80))
    bank_account_number: Mapped[str | None] = mapped_column(String(34))
    bank_account_name: Mapped[str | None] = mapped_column(String(120))

    user: Mapped[User] = relationship(back_populates="seller_profile")


class ApiToken(db.Model):
    """A personal access token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: First characters of the token, shown so the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """Each sign-in attempt, kept to throttle guessing per account and per IP address."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_time", "email", "created_at"),
        Index("ix_login_attempts_ip_time", "ip_address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(45))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = [
    "BUYER_ROLES",
    "ApiToken",
    "LoginAttempt",
    "Role",
    "SellerProfile",
    "SkalaUsaha",
    "User",
    "UserRole",
]
