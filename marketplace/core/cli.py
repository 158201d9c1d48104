"""Command-line commands registered on the app (`flask --app marketplace ...`)."""

from __future__ import annotations

from flask import Flask


def install_cli(app: Flask) -> None:
    """Register each domain's commands."""
