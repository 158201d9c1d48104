"""Schemas of people: the signed-in user, the seller's UMKM profile and personal access tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, computed_field, field_validator

from marketplace.accounts.models import SkalaUsaha
from marketplace.api.schemas.common import (
    BankAccountIn,
    InModel,
    KbliCodes,
    Nib,
    Nik,
    Npwp,
    OutModel,
    Phone,
    VillageCode,
    WithBankOut,
    optional,
)
from marketplace.core.templating import region_name

Locale = Literal["id", "en"]


class TokenCreate(InModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field("API", min_length=1, max_length=80, description="A label to tell your tokens apart")


class TokenOut(OutModel):
    id: int
    name: str
    prefix: str = Field(description="First characters of the token")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The token itself; shown only once, keep it secret")


class SellerProfileOut(WithBankOut):
    business_name: str
    nib: str
    npwp: str
    nik: str
    skala_usaha: SkalaUsaha
    kbli_codes: list[str]
    address: str
    region_code: str

    @computed_field
    def region_name(self) -> str:
        return region_name(self.region_code)


class BusinessUpdate(InModel):
    """Fields of the UMKM profile to change; the others keep their value. `bank: null` removes the account."""

    business_name: Annotated[str, Field(min_length=1, max_length=200)] = optional()
    nib: Nib = optional()
    npwp: Npwp = optional()
    nik: Nik = optional()
    skala_usaha: SkalaUsaha = optional()
    kbli_codes: KbliCodes = optional()
    address: Annotated[str, Field(min_length=1, max_length=500)] = optional()
    region_code: VillageCode = optional(description="Kemendagri code of the kelurahan/desa")
    bank: BankAccountIn | None = None


class MeUpdate(InModel):
    full_name: Annotated[str, Field(min_length=1, max_length=120)] = optional()
    phone: Phone | None = None
    locale: Locale = optional(description="Interface and API language")


class CooperativeRef(OutModel):
    id: int
    code: str
    name: str


class MembershipRef(OutModel):
    id: int
    status: str
    status_reason: str | None
    cooperative: CooperativeRef


class AgencyRef(OutModel):
    id: int
    name: str


class WorkUnitRef(OutModel):
    id: int
    name: str
    short_code: str
    kode_satker: str
    agency: AgencyRef


class UserOut(OutModel):
    id: int
    email: str
    full_name: str
    phone: str | None
    locale: str
    roles: list[str]
    created_at: datetime
    last_login_at: datetime | None

    @field_validator("roles", mode="before")
    @classmethod
    def _sorted_roles(cls, value: Any) -> list[str]:
        return sorted(str(role) for role in value)


class MeOut(UserOut):
    """The signed-in user with their organisation: the cooperative they manage, their work unit or membership."""

    managed_cooperative: CooperativeRef | None = Field(None, description="For a coop_manager")
    work_unit: WorkUnitRef | None = Field(None, description="For pp, ppk and bendahara")
    membership: MembershipRef | None = Field(None, description="For a seller")
    seller_profile: SellerProfileOut | None = Field(None, description="For a seller")
