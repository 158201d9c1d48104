"""The demo logins as a short text table: the operator, a few cooperatives and every work unit in full, and the
pattern for the other cooperatives. Read from the database, so it shows the current membership statuses."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts.models import Role, User, UserRole
from marketplace.agencies.models import Agency, WorkUnit
from marketplace.cooperatives.models import Cooperative, Membership
from marketplace.demo import DEMO_DOMAIN, DEMO_PASSWORD
from marketplace.demo.organisations import AGENCY_NAME
from marketplace.extensions import db

#: Cooperatives listed in full, one per kecamatan.
FEATURED = ("gununggedangan", "kranggan", "prajuritkulon")
WIDTH = 38
ROLE_ORDER = (Role.PP, Role.PPK, Role.BENDAHARA)


def _row(email: str, what: str, detail: str = "") -> str:
    return f"  {email:<{WIDTH}} {what:<17} {detail}".rstrip()


def _demo_users():
    return select(User).where(User.email.like(f"%@{DEMO_DOMAIN}")).order_by(User.email)


def operator_rows() -> list[str]:
    """The operator accounts of the demo."""
    query = _demo_users().join(UserRole).where(UserRole.role == Role.OPERATOR)
    return [_row(user.email, "operator", user.full_name) for user in db.session.scalars(query)]


def cooperative_rows(cooperative: Cooperative) -> list[str]:
    """The cooperative's managers, then its members with their membership status and business."""
    rows = [f"{cooperative.name}"]
    for user in db.session.scalars(_demo_users().where(User.cooperative_id == cooperative.id)):
        rows.append(_row(user.email, "pengurus", user.full_name))
    members = _demo_users().join(Membership, Membership.user_id == User.id)
    for user in db.session.scalars(members.where(Membership.cooperative_id == cooperative.id)):
        business = user.seller_profile.business_name if user.seller_profile else user.full_name
        rows.append(_row(user.email, f"seller, {user.membership.status}", business))
    return rows


def work_unit_rows(unit: WorkUnit) -> list[str]:
    """A work unit's buyers: PP, PPK, bendahara."""
    rows = [f"{unit.agency.name}, {unit.name} (satker {unit.kode_satker})"]
    users = db.session.scalars(_demo_users().where(User.work_unit_id == unit.id)).all()
    for user in sorted(users, key=lambda u: min((ROLE_ORDER.index(r) for r in u.roles if r in ROLE_ORDER), default=9)):
        roles = ", ".join(r for r in ROLE_ORDER if r in user.roles)
        rows.append(_row(user.email, roles, user.full_name))
    return rows


def login_table() -> str:
    """The text `flask demo-logins` and `make run` print; a hint when the demo is not loaded."""
    operators = operator_rows()
    cooperatives = db.session.scalars(select(Cooperative).where(Cooperative.email.like(f"%@{DEMO_DOMAIN}"))).all()
    if not operators and not cooperatives:
        return "No demo data in this database. Load it into an empty database with: flask --app marketplace seed-demo"
    lines = [f"Demo logins (password for every account: {DEMO_PASSWORD})", "", "Operator", *operators]
    by_code = {c.code: c for c in cooperatives}
    shown = [by_code[f"kkmp-{name}"] for name in FEATURED if f"kkmp-{name}" in by_code]
    for cooperative in shown:
        lines += ["", *cooperative_rows(cooperative)]
    units = db.session.scalars(
        select(WorkUnit).join(Agency).where(Agency.name == AGENCY_NAME).order_by(WorkUnit.name)
    ).all()
    for unit in units:
        lines += ["", *work_unit_rows(unit)]
    others = [c for c in cooperatives if c not in shown]
    if others:
        lines += ["", *pattern_rows(others)]
    return "\n".join(lines)


def pattern_rows(cooperatives: list[Cooperative]) -> list[str]:
    """The login pattern for cooperatives not listed in full, naming any suspended member."""
    suspended = db.session.scalars(
        _demo_users()
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.status == "suspended", Membership.cooperative_id.in_([c.id for c in cooperatives]))
    ).all()
    note = f"; suspended: {', '.join(user.email for user in suspended)}" if suspended else ""
    return [
        f"The other {len(cooperatives)} cooperatives follow the same pattern (n from 1; the last one or two of each",
        f"wait for approval{note}):",
        f"  pengurus.<kelurahan>@{DEMO_DOMAIN}    penjual.<kelurahan>.<n>@{DEMO_DOMAIN}",
        *_wrap("  <kelurahan>: ", sorted(c.code.removeprefix("kkmp-") for c in cooperatives)),
    ]


def _wrap(prefix: str, words: list[str], width: int = 110) -> list[str]:
    lines, current = [], prefix
    for word in words:
        piece = word if current.endswith(": ") else f", {word}"
        if len(current) + len(piece) > width:
            lines.append(current + ",")
            current = " " * len(prefix) + word
        else:
            current += piece
    return [*lines, current]
