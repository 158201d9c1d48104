"""Agencies (pemda, kementerian) and their work units (satker / OPD)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import TimestampMixin
from marketplace.extensions import db


class Agency(TimestampMixin, db.Model):
    """A buying government, e.g. Pemerintah Kota Mojokerto."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: `pemda_provinsi`, `pemda_kabupaten`, `pemda_kota`, `kementerian`, `lembaga`.
    kind: Mapped[str] = mapped_column(String(30))
    #: Kemendagri code of the governed region (province or kab/kota).
    region_code: Mapped[str] = mapped_column(String(13))

    work_units: Mapped[list[WorkUnit]] = relationship(back_populates="agency", order_by="WorkUnit.name")


class WorkUnit(TimestampMixin, db.Model):
    """A satker / OPD that places orders, e.g. Dinas Sosial."""

    __tablename__ = "work_units"
    __table_args__ = (UniqueConstraint("agency_id", "short_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Short lowercase code inside the agency, e.g. `dinsos`.
    short_code: Mapped[str] = mapped_column(String(30))
    kode_satker: Mapped[str] = mapped_column(String(20), unique=True)
    npwp: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(String(13))

    agency: Mapped[Agency] = relationship(back_populates="work_units")
