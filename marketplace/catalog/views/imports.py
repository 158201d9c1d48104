"""Pages for bulk upload of listings."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/produk-saya/unggah")
