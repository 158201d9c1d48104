"""HTML pages of the agencies domain."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("agencies", __name__)
