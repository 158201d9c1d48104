"""HTML pages of the cooperatives domain."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cooperatives", __name__)
