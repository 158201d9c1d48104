"""Pages for the seller's listings."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("listings", __name__, url_prefix="/produk-saya")
