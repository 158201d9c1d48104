"""Schemas of cooperatives and their members."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, computed_field, model_validator

from marketplace.api.schemas.accounts import SellerProfileOut
from marketplace.api.schemas.common import (
    BankAccountIn,
    Email,
    InModel,
    Name,
    Nib,
    Npwp,
    OutModel,
    PageQuery,
    Phone,
    Reason,
    VillageCode,
    WithBankOut,
    optional,
)
from marketplace.cooperatives.states import MEMBERSHIP, MembershipStatus
from marketplace.core.templating import region_name

Search = Annotated[str, Field(max_length=100, description="Text to look for")]
PersonName = Annotated[str, Field(min_length=1, max_length=120)]


class CooperativeSummary(OutModel):
    """What every signed-in user may see of an active cooperative."""

    id: int
    code: str
    name: str
    region_code: str
    is_pkp: bool
    is_active: bool

    @computed_field
    def region_name(self) -> str:
        return region_name(self.region_code)


class CooperativeOut(WithBankOut, CooperativeSummary):
    """A cooperative's full data, for its managers and operators (never the datafeed key itself)."""

    nib: str | None
    npwp: str | None
    address: str | None
    phone: str | None
    email: str | None
    datafeed_key_rotated_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CooperativeQuery(PageQuery):
    search: Search | None = None
    include_inactive: bool = Field(False, description="Operators only: list closed cooperatives too")


class CooperativeUpdate(InModel):
    """Fields to change; the others keep their value. Only operators may change the name."""

    name: Name = optional()
    nib: Nib | None = None
    npwp: Npwp | None = None
    is_pkp: bool = optional(description="Pengusaha Kena Pajak: charges PPN")
    address: Annotated[str, Field(max_length=2000)] | None = None
    region_code: VillageCode = optional(description="Kemendagri code of the kelurahan/desa")
    phone: Phone | None = None
    email: Email | None = None
    bank: BankAccountIn | None = Field(None, description="`null` removes the bank account")


class ManagerIn(InModel):
    email: Email
    full_name: PersonName


class CooperativeCreate(InModel):
    """A new cooperative and its first manager (pengurus), who receives an invitation email."""

    name: Name
    region_code: VillageCode
    nib: Nib | None = None
    npwp: Npwp | None = None
    is_pkp: bool = False
    address: Annotated[str, Field(max_length=2000)] | None = None
    phone: Phone | None = None
    email: Email | None = None
    bank: BankAccountIn | None = None
    manager: ManagerIn


class DatafeedKeyOut(OutModel):
    datafeed_key: str = Field(description="The new secret e-Katalog sends as `secretkey`; the old one stops working")
    datafeed_key_rotated_at: datetime


class PersonRef(OutModel):
    id: int
    full_name: str
    email: str
    phone: str | None = None


class MembershipOut(OutModel):
    id: int
    cooperative_id: int
    status: MembershipStatus
    status_reason: str | None = Field(description="Reason of the last rejection or suspension")
    applied_at: datetime
    decided_at: datetime | None
    decided_by: PersonRef | None
    user: PersonRef
    seller_profile: SellerProfileOut | None
    allowed_actions: list[str] = Field(description="Decisions possible from the current status")

    @model_validator(mode="before")
    @classmethod
    def _from_membership(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return value
        return {
            "id": value.id,
            "cooperative_id": value.cooperative_id,
            "status": value.status,
            "status_reason": value.status_reason,
            "applied_at": value.created_at,
            "decided_at": value.decided_at,
            "decided_by": value.decided_by,
            "user": value.user,
            "seller_profile": value.user.seller_profile,
            "allowed_actions": MEMBERSHIP.allowed_actions(value),
        }


class MemberQuery(PageQuery):
    status: MembershipStatus | None = None
    search: Search | None = Field(None, description="Name, email, business name or NIB")


class ReasonIn(InModel):
    reason: Reason
