"""The signed-in user: account data, organisation and, for sellers, the UMKM business profile."""

from __future__ import annotations

from marketplace.accounts import services as accounts
from marketplace.accounts.models import Role, SellerProfile, User
from marketplace.accounts.services.validation import PROFILE_FIELDS
from marketplace.api.auth import api_user
from marketplace.api.framework import api_route
from marketplace.api.schemas.accounts import BusinessUpdate, MeOut, MeUpdate, SellerProfileOut
from marketplace.api.schemas.common import BANK_FIELD_NAMES, bank_columns

TAGS = ["me"]


@api_route("/me", response=MeOut, tags=TAGS)
def get_me() -> User:
    """Show the signed-in user and their organisation."""
    return api_user()


@api_route(
    "/me",
    methods=["PATCH"],
    body=MeUpdate,
    response=MeOut,
    description="Fields left out keep their value; a seller must keep a phone number.",
    tags=TAGS,
)
def update_me(body: MeUpdate) -> User:
    """Change my name, phone or language."""
    user = api_user()
    values = {"full_name": user.full_name, "phone": user.phone, "locale": user.locale}
    values.update(body.model_dump(exclude_unset=True))
    return accounts.update_account(user=user, **values)


@api_route(
    "/me/business",
    methods=["PATCH"],
    body=BusinessUpdate,
    response=SellerProfileOut,
    roles=[Role.SELLER],
    description="Sellers only. Fields left out keep their value; `bank: null` removes the bank account. The same "
    "rules as the profile page apply (NIB, NPWP, NIK, KBLI, region down to kelurahan/desa).",
    tags=TAGS,
    field_names=BANK_FIELD_NAMES,
)
def update_business(body: BusinessUpdate) -> SellerProfile:
    """Change my UMKM business profile."""
    user = api_user()
    current = user.seller_profile
    profile = {name: getattr(current, name) for name in PROFILE_FIELDS} if current is not None else {}
    changes = body.model_dump(exclude_unset=True, exclude={"bank"})
    profile.update(changes)
    if "bank" in body.model_fields_set:
        profile.update(bank_columns(body.bank))
    return accounts.update_business_profile(user=user, profile=profile)
