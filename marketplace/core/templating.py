"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_locale
from lokal import format_rupiah

from marketplace.core.timeutil import format_wib


def rupiah(amount: int | None) -> str:
    """Format integer rupiah as `Rp1.500.000`."""
    return "" if amount is None else format_rupiah(amount)


def region_name(code: str | None) -> str:
    from marketplace.reference.regions import region_label

    return region_label(code) if code else ""


def install_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["wib"] = format_wib
    app.jinja_env.filters["rupiah"] = rupiah
    app.jinja_env.filters["region"] = region_name

    @app.context_processor
    def inject_globals() -> dict:
        return {
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
