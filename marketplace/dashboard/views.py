"""The home page: a welcome for visitors, and for a signed-in user their dashboard (beranda); operators' views of
one cooperative's sales and one work unit's purchases."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.agencies.models import WorkUnit
from marketplace.cooperatives.models import Cooperative
from marketplace.core.permissions import roles_required
from marketplace.dashboard.services import dashboard_for, sales_overview
from marketplace.extensions import db
from marketplace.procurement.services.sales import SalesScope

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    """The welcome page; signed in, what waits for the user and how sales (or purchases) go, a section per role."""
    if not current_user.is_authenticated:
        return render_template("dashboard/welcome.html")
    return render_template("dashboard/index.html", board=dashboard_for(current_user))


@bp.get("/operator/koperasi/<int:cooperative_id>/penjualan")
@roles_required(Role.OPERATOR)
def cooperative_sales(cooperative_id: int):
    """An operator's view of one cooperative's sales, as its managers see them."""
    cooperative = db.get_or_404(Cooperative, cooperative_id)
    overview = sales_overview(SalesScope(cooperative_id=cooperative.id), by_member=True)
    return render_template("dashboard/sales.html", subject=cooperative.name, overview=overview, kind="cooperative")


@bp.get("/operator/satker/<int:work_unit_id>/pembelian")
@roles_required(Role.OPERATOR)
def work_unit_purchases(work_unit_id: int):
    """An operator's view of one work unit's purchases, as its officers see them."""
    work_unit = db.get_or_404(WorkUnit, work_unit_id)
    overview = sales_overview(SalesScope(work_unit_id=work_unit.id))
    return render_template("dashboard/sales.html", subject=work_unit.name, overview=overview, kind="work_unit")
