"""Pages for the cooperative's review of listings."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/koperasi/tinjauan")
