"""Cooperatives: list, create (operator), view and edit (its managers and operators), rotate the datafeed key."""

from __future__ import annotations

from flask_babel import gettext as _

from marketplace.accounts.models import Role
from marketplace.api.auth import api_user
from marketplace.api.errors import ApiError
from marketplace.api.framework import api_route, paginated
from marketplace.api.schemas.common import BANK_FIELD_NAMES, bank_columns, page_of
from marketplace.api.schemas.cooperatives import (
    CooperativeCreate,
    CooperativeOut,
    CooperativeQuery,
    CooperativeSummary,
    CooperativeUpdate,
    DatafeedKeyOut,
)
from marketplace.cooperatives import services
from marketplace.cooperatives.models import Cooperative
from marketplace.core.pagination import Page

TAGS = ["cooperatives"]
#: Who may open a cooperative's own data (managers see only theirs: another cooperative is 404).
MANAGERS = (Role.COOP_MANAGER, Role.OPERATOR)
CREATE_FIELD_NAMES = {**BANK_FIELD_NAMES, "manager_email": "manager.email", "manager_name": "manager.full_name"}


def _service_data(body: CooperativeUpdate | CooperativeCreate, *, exclude: tuple[str, ...] = ()) -> dict:
    """The body as the services' `data` dict: only the fields sent, the bank account flattened."""
    data = body.model_dump(exclude_unset=True, exclude={"bank", *exclude})
    if "bank" in body.model_fields_set:
        data.update(bank_columns(body.bank))
    return data


@api_route(
    "/cooperatives",
    query=CooperativeQuery,
    response=page_of(CooperativeSummary),
    description="Active cooperatives, sorted by name; operators may add `include_inactive=true` (403 for others).",
    tags=TAGS,
    errors=(403,),
)
def list_cooperatives(query: CooperativeQuery) -> Page:
    """List cooperatives."""
    if query.include_inactive and not api_user().has_role(Role.OPERATOR):
        raise ApiError(403, "forbidden", _("Only operators can list closed cooperatives."))
    statement = services.cooperatives_query(search=query.search, include_inactive=query.include_inactive)
    return paginated(statement, query)


@api_route(
    "/cooperatives",
    methods=["POST"],
    body=CooperativeCreate,
    response=CooperativeOut,
    status=201,
    roles=[Role.OPERATOR],
    tags=TAGS,
    field_names=CREATE_FIELD_NAMES,
)
def create_cooperative(body: CooperativeCreate) -> Cooperative:
    """Create a cooperative and invite its first manager."""
    return services.create_cooperative(
        actor=api_user(),
        data=_service_data(body, exclude=("manager",)),
        manager_email=body.manager.email,
        manager_name=body.manager.full_name,
    )


@api_route(
    "/cooperatives/<int:cooperative_id>",
    response=CooperativeOut,
    roles=MANAGERS,
    description="A manager sees only their own cooperative.",
    tags=TAGS,
)
def get_cooperative(cooperative_id: int) -> Cooperative:
    """Show a cooperative."""
    return services.visible_cooperative(actor=api_user(), cooperative_id=cooperative_id)


@api_route(
    "/cooperatives/<int:cooperative_id>",
    methods=["PATCH"],
    body=CooperativeUpdate,
    response=CooperativeOut,
    roles=MANAGERS,
    description="Fields left out keep their value; `bank: null` removes the bank account. Only operators may "
    "change the name.",
    tags=TAGS,
    field_names=BANK_FIELD_NAMES,
)
def update_cooperative(cooperative_id: int, body: CooperativeUpdate) -> Cooperative:
    """Change a cooperative's data."""
    user = api_user()
    cooperative = services.visible_cooperative(actor=user, cooperative_id=cooperative_id)
    return services.update_cooperative(actor=user, cooperative=cooperative, data=_service_data(body))


@api_route(
    "/cooperatives/<int:cooperative_id>/datafeed-key",
    methods=["POST"],
    response=DatafeedKeyOut,
    roles=MANAGERS,
    description="Returns the new key once; the old key stops working at once.",
    tags=TAGS,
)
def rotate_datafeed_key(cooperative_id: int) -> DatafeedKeyOut:
    """Replace the datafeed secret key."""
    user = api_user()
    cooperative = services.visible_cooperative(actor=user, cooperative_id=cooperative_id)
    key = services.rotate_datafeed_key(actor=user, cooperative=cooperative)
    return DatafeedKeyOut(datafeed_key=key, datafeed_key_rotated_at=cooperative.datafeed_key_rotated_at)
