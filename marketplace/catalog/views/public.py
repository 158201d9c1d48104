"""Pages for the public catalog and product pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("catalog", __name__, url_prefix="/katalog")
