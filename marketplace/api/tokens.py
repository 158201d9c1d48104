"""Personal access tokens: create one with email and password, list and revoke your own."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from marketplace.accounts import services as accounts
from marketplace.accounts.throttle import TooManyAttempts
from marketplace.api.auth import REALM, api_user
from marketplace.api.errors import ApiError
from marketplace.api.framework import api_route, page_size
from marketplace.api.schemas.accounts import TokenCreate, TokenCreated, TokenOut
from marketplace.api.schemas.common import PageQuery, page_of
from marketplace.core.pagination import Page

TAGS = ["tokens"]


@api_route(
    "/tokens",
    methods=["POST"],
    body=TokenCreate,
    response=TokenCreated,
    status=201,
    auth=False,
    description="Signs in with email and password (throttled like the sign-in page) and returns a new token once. "
    "Send it as `Authorization: Bearer <token>`.",
    tags=TAGS,
    errors=(401, 429),
)
def create_token(body: TokenCreate) -> dict:
    """Create a personal access token."""
    try:
        user = accounts.authenticate(email=body.email, password=body.password, ip_address=request.remote_addr or "")
    except TooManyAttempts as exc:
        message = _("Too many failed attempts. Try again in %(n)d minutes.", n=exc.retry_after_minutes)
        raise ApiError(
            429, "too_many_attempts", message, headers={"Retry-After": str(exc.retry_after_seconds)}
        ) from exc
    except accounts.InvalidCredentials as exc:  # unknown email, wrong password, disabled: one answer
        raise ApiError(401, "invalid_credentials", exc.message, headers={"WWW-Authenticate": REALM}) from exc
    token, raw = accounts.create_api_token(user=user, name=body.name)
    return {**TokenOut.model_validate(token).model_dump(), "token": raw}


@api_route("/tokens", query=PageQuery, response=page_of(TokenOut), tags=TAGS)
def list_tokens(query: PageQuery) -> Page:
    """List my access tokens."""
    return accounts.api_tokens_page(api_user(), query.page, page_size(query))


@api_route("/tokens/<int:token_id>", methods=["DELETE"], tags=TAGS)
def revoke_token(token_id: int) -> None:
    """Revoke one of my access tokens."""
    accounts.revoke_api_token(user=api_user(), token_id=token_id)
