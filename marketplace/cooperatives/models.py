"""Cooperatives and the membership of UMKM sellers in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import TimestampMixin
from marketplace.extensions import db


class Cooperative(TimestampMixin, db.Model):
    """A cooperative (e.g. a KKMP); the provider (penyedia) towards e-Katalog."""

    __tablename__ = "cooperatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short unique code used in URLs and feed file names, e.g. `kkmp-gununggedangan`.
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: NIB, 13 digits; unique among cooperatives (None when unknown, never "").
    nib: Mapped[str | None] = mapped_column(String(13), unique=True)
    #: NPWP of the cooperative (a legal entity), 16 digits; unique among cooperatives (None when unknown, never "").
    npwp: Mapped[str | None] = mapped_column(String(16), unique=True)
    #: Pengusaha Kena Pajak: charges PPN on its sales.
    is_pkp: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    address: Mapped[str | None] = mapped_column(Text)
    #: Kemendagri code of the cooperative's kelurahan/desa.
    region_code: Mapped[str] = mapped_column(String(13), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    bank_name: Mapped[str | None] = mapped_column(String(80))
    bank_account_number: Mapped[str | None] = mapped_column(String(34))
    bank_account_name: Mapped[str | None] = mapped_column(String(120))
    #: Secret that e-Katalog sends as `secretkey` when pulling the datafeed; it also names the cooperative there.
    datafeed_key: Mapped[str] = mapped_column(String(64), unique=True)
    datafeed_key_rotated_at: Mapped[datetime | None]
    #: False when the operator closed the cooperative: no new members, hidden from registration.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    #: Review policy: whether a seller's stock update needs the manager's approval (default: no).
    stock_needs_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: The cooperative's fee on its members' sales, in hundredths of a percent (250 = 2.5 %); taken when an order
    #: is paid, before the members' earnings.
    fee_bps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Review policy: whether a change of price validity (`berlaku_sampai`) needs approval (default: yes).
    validity_needs_review: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    memberships: Mapped[list[Membership]] = relationship(back_populates="cooperative")

    def __repr__(self) -> str:
        return f"<Cooperative {self.code}>"


class Membership(TimestampMixin, db.Model):
    """A seller's membership in one cooperative; see `cooperatives.states.MEMBERSHIP`."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending", index=True)
    #: Reason of the last rejection or suspension.
    status_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user = relationship("User", back_populates="membership", foreign_keys=[user_id])
    cooperative: Mapped[Cooperative] = relationship(back_populates="memberships")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
