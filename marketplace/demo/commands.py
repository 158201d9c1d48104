"""`flask seed-demo` and `flask demo-logins`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from marketplace.demo import DemoDataExists, database_is_empty, seed_demo
from marketplace.demo.logins import login_table


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has users.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load the Kota Mojokerto demo data into an empty database; print the demo logins either way."""
    if if_empty and not database_is_empty():
        click.echo("The database already has users: demo data not loaded.")
    else:
        try:
            summary = seed_demo()
        except DemoDataExists as exc:
            raise click.ClickException(
                "The database already has users; seed-demo loads into an empty database only (--if-empty skips)."
            ) from exc
        click.echo(
            f"Demo data loaded: {summary.cooperatives} cooperatives, {summary.members} members, "
            f"{summary.work_units} work units, {summary.users} accounts, {summary.products} products, "
            f"{summary.feeds} e-Katalog datafeeds, {summary.orders} orders, {summary.payments} payments."
        )
    click.echo()
    click.echo(login_table())


@click.command("demo-logins")
@with_appcontext
def demo_logins_command() -> None:
    """Print the demo logins (operator, some cooperatives and every work unit in full, the pattern for the rest)."""
    click.echo(login_table())
