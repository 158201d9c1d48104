"""Schemas of agencies (pemda), their work units (satker/OPD) and buyer invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, computed_field

from marketplace.accounts.models import BUYER_ROLES
from marketplace.agencies.services import AGENCY_KINDS
from marketplace.api.schemas.accounts import AgencyRef
from marketplace.api.schemas.common import Email, InModel, Name, Npwp, OutModel, PageQuery, RegionCode, optional
from marketplace.core.templating import region_name

AgencyKind = Literal[tuple(AGENCY_KINDS)]
BuyerRole = Literal[tuple(sorted(str(role) for role in BUYER_ROLES))]
ShortCode = Annotated[str, Field(min_length=1, max_length=30, description="Lowercase code in the agency, e.g. dinsos")]
KodeSatker = Annotated[str, Field(min_length=1, max_length=20, description="Digits, unique")]
Address = Annotated[str, Field(max_length=500)]


class _WithRegion(OutModel):
    region_code: str

    @computed_field
    def region_name(self) -> str:
        return region_name(self.region_code)


class AgencyOut(_WithRegion):
    id: int
    name: str
    kind: AgencyKind
    created_at: datetime


class AgencyQuery(PageQuery):
    search: Annotated[str, Field(max_length=100)] | None = None


class AgencyCreate(InModel):
    name: Name
    kind: AgencyKind
    region_code: RegionCode = Field(description="Province or kab/kota governed by the agency")


class AgencyUpdate(InModel):
    name: Name = optional()
    kind: AgencyKind = optional()
    region_code: RegionCode = optional(description="Province or kab/kota governed by the agency")


class WorkUnitOut(_WithRegion):
    id: int
    agency: AgencyRef
    name: str
    short_code: str
    kode_satker: str
    npwp: str | None
    address: str | None
    created_at: datetime


class WorkUnitCreate(InModel):
    name: Name
    short_code: ShortCode
    kode_satker: KodeSatker
    npwp: Npwp | None = None
    address: Address | None = None
    region_code: RegionCode


class WorkUnitUpdate(InModel):
    name: Name = optional()
    short_code: ShortCode = optional()
    kode_satker: KodeSatker = optional()
    npwp: Npwp | None = None
    address: Address | None = None
    region_code: RegionCode = optional()


class BuyerInvite(InModel):
    """A buyer account in the work unit; the person gets an email to set a password."""

    email: Email
    full_name: Annotated[str, Field(min_length=1, max_length=120)]
    roles: list[BuyerRole] = Field(min_length=1, description="One or more of pp, ppk, bendahara")
