"""The home page: a welcome for visitors, and for a signed-in user their dashboard (beranda)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from marketplace.dashboard.services import dashboard_for

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    """The welcome page; signed in, what waits for the user and how sales (or purchases) go, a section per role."""
    if not current_user.is_authenticated:
        return render_template("dashboard/welcome.html")
    return render_template("dashboard/index.html", board=dashboard_for(current_user))
