"""HTML pages of procurement: cart and checkout, order lists and pages, the moves' forms, documents."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("procurement", __name__)

# Page modules register their routes on `bp` when imported.
from marketplace.procurement.views import cart, documents, fulfilment, moves, orders  # noqa: E402, F401
