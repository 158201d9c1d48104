"""Pages for reference data (categories, units, KBKI) for operators."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reference", __name__, url_prefix="/operator/referensi")
