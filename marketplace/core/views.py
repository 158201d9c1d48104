"""Pages and endpoints for every visitor: language switch, health check, region lists for address pickers."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user

from marketplace.core.urls import is_safe_redirect
from marketplace.extensions import db
from marketplace.reference.regions import child_regions, get_region

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def health():
    db.session.execute(db.select(1))
    return {"status": "ok"}


@bp.route("/lang/<code>", methods=["GET", "POST"])
def set_language(code: str):
    """Switch the interface language and go back to the page the user was on (`next`, a path on this site).

    The switcher's form (POST, with its CSRF token) also saves the choice as the signed-in user's language. A link
    (GET) switches it for this session only and writes nothing, so another site cannot change the saved language.
    """
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    if request.method == "POST":
        save_language(code)
    target = request.args.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("dashboard.index"))


def save_language(code: str) -> None:
    """Make `code` the signed-in user's interface language (nothing for anonymous visitors)."""
    if current_user.is_authenticated and current_user.locale != code:
        current_user.locale = code
        db.session.commit()


@bp.get("/wilayah")
@bp.get("/wilayah/<parent>")
def regions(parent: str | None = None):
    """Children of a region as JSON, for cascading province → kab/kota → kecamatan → kelurahan selects."""
    if parent and get_region(parent) is None:
        abort(404)
    return jsonify([region.as_dict() for region in child_regions(parent)])
