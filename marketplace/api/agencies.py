"""Agencies (pemda) and their work units (satker/OPD); operators manage them and invite buyers."""

from __future__ import annotations

from marketplace.accounts.models import BUYER_ROLES, Role, User
from marketplace.agencies import services
from marketplace.agencies.models import Agency, WorkUnit
from marketplace.agencies.permissions import can_view_work_unit
from marketplace.api.auth import api_user
from marketplace.api.framework import api_route, paginated, paginated_list
from marketplace.api.schemas.accounts import UserOut
from marketplace.api.schemas.agencies import (
    AgencyCreate,
    AgencyOut,
    AgencyQuery,
    AgencyUpdate,
    BuyerInvite,
    WorkUnitCreate,
    WorkUnitOut,
    WorkUnitUpdate,
)
from marketplace.api.schemas.common import PageQuery, page_of
from marketplace.core.pagination import Page

OPERATOR = (Role.OPERATOR,)
#: Operators see every agency and work unit; a buyer only their own (others are 404).
VIEWERS = (Role.OPERATOR, *sorted(BUYER_ROLES))


@api_route(
    "/agencies",
    query=AgencyQuery,
    response=page_of(AgencyOut),
    roles=OPERATOR,
    tags=["agencies"],
)
def list_agencies(query: AgencyQuery) -> Page:
    """List agencies."""
    return paginated(services.agencies_query(search=query.search), query)


@api_route(
    "/agencies",
    methods=["POST"],
    body=AgencyCreate,
    response=AgencyOut,
    status=201,
    roles=OPERATOR,
    description="The name is unique; a pemda's region is a province (pemda_provinsi) or a kab/kota.",
    tags=["agencies"],
)
def create_agency(body: AgencyCreate) -> Agency:
    """Create an agency."""
    return services.create_agency(actor=api_user(), **body.model_dump())


@api_route(
    "/agencies/<int:agency_id>",
    response=AgencyOut,
    roles=VIEWERS,
    description="A buyer sees only the agency of their own work unit.",
    tags=["agencies"],
)
def get_agency(agency_id: int) -> Agency:
    """Show an agency."""
    return services.visible_agency(actor=api_user(), agency_id=agency_id)


@api_route(
    "/agencies/<int:agency_id>",
    methods=["PATCH"],
    body=AgencyUpdate,
    response=AgencyOut,
    roles=OPERATOR,
    tags=["agencies"],
)
def update_agency(agency_id: int, body: AgencyUpdate) -> Agency:
    """Change an agency."""
    user = api_user()
    agency = services.visible_agency(actor=user, agency_id=agency_id)
    return services.update_agency(actor=user, agency=agency, data=body.model_dump(exclude_unset=True))


@api_route(
    "/agencies/<int:agency_id>/work-units",
    query=PageQuery,
    response=page_of(WorkUnitOut),
    roles=VIEWERS,
    description="A buyer sees only their own work unit.",
    tags=["work units"],
)
def list_work_units(agency_id: int, query: PageQuery) -> Page:
    """List an agency's work units."""
    user = api_user()
    agency = services.visible_agency(actor=user, agency_id=agency_id)
    return paginated_list([unit for unit in agency.work_units if can_view_work_unit(user, unit)], query)


@api_route(
    "/agencies/<int:agency_id>/work-units",
    methods=["POST"],
    body=WorkUnitCreate,
    response=WorkUnitOut,
    status=201,
    roles=OPERATOR,
    tags=["work units"],
)
def create_work_unit(agency_id: int, body: WorkUnitCreate) -> WorkUnit:
    """Create a work unit (satker/OPD)."""
    user = api_user()
    agency = services.visible_agency(actor=user, agency_id=agency_id)
    return services.create_work_unit(actor=user, agency=agency, **body.model_dump())


@api_route(
    "/work-units/<int:work_unit_id>",
    response=WorkUnitOut,
    roles=VIEWERS,
    description="A buyer sees only their own work unit.",
    tags=["work units"],
)
def get_work_unit(work_unit_id: int) -> WorkUnit:
    """Show a work unit."""
    return services.visible_work_unit(actor=api_user(), work_unit_id=work_unit_id)


@api_route(
    "/work-units/<int:work_unit_id>",
    methods=["PATCH"],
    body=WorkUnitUpdate,
    response=WorkUnitOut,
    roles=OPERATOR,
    tags=["work units"],
)
def update_work_unit(work_unit_id: int, body: WorkUnitUpdate) -> WorkUnit:
    """Change a work unit."""
    user = api_user()
    work_unit = services.visible_work_unit(actor=user, work_unit_id=work_unit_id)
    return services.update_work_unit(actor=user, work_unit=work_unit, data=body.model_dump(exclude_unset=True))


@api_route(
    "/work-units/<int:work_unit_id>/buyers",
    methods=["POST"],
    body=BuyerInvite,
    response=UserOut,
    status=201,
    roles=OPERATOR,
    description="Creates the account and emails a link to set the password.",
    tags=["work units"],
)
def invite_buyer(work_unit_id: int, body: BuyerInvite) -> User:
    """Invite a buyer (PP, PPK, bendahara) to a work unit."""
    user = api_user()
    work_unit = services.visible_work_unit(actor=user, work_unit_id=work_unit_id)
    return services.invite_buyer(
        actor=user, work_unit=work_unit, email=body.email, full_name=body.full_name, roles=[Role(r) for r in body.roles]
    )
