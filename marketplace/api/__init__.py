"""JSON API under /api/v1: bearer tokens, pydantic-validated bodies, one error shape and an OpenAPI document.

Routes are declared with `marketplace.api.framework.api_route`; each resource has its module here.
"""

from __future__ import annotations

from flask import Blueprint

from marketplace.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens only, never cookies: nothing for a forged cross-site request to ride on

# Route modules register themselves on `bp` when imported.
from marketplace.api import (  # noqa: E402, F401
    agencies,
    auth,
    cart,
    cooperatives,
    feeds,
    me,
    members,
    openapi,
    orders,
    payments,
    product_imports,
    products,
    regions,
    reviews,
    tokens,
)
