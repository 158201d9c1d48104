"""Command-line commands registered on the app (`flask --app marketplace ...`)."""

from __future__ import annotations

from flask import Flask


def install_cli(app: Flask) -> None:
    """Register each domain's commands."""
    from marketplace.demo.commands import demo_logins_command, seed_demo_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_logins_command)
