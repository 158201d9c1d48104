"""HTML pages and the Stripe webhook endpoint of payments."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("payments", __name__)

# Page modules register their routes on `bp` when imported.
from marketplace.payments.views import ledger, operator, pay, webhook  # noqa: E402, F401
