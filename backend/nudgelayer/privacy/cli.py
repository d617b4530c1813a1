"""CLI: ``nudgelayer purge-expired`` (for cron) and ``export-user`` (a data subject's request)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import User
from . import retention, scheduler, subject


@click.command("purge-expired")
@with_appcontext
@click.option(
    "--if-due",
    is_flag=True,
    help="Only when the daily run has not happened yet (safe beside the server's own).",
)
def purge_expired(if_due: bool) -> None:
    """Delete events and survey answers older than each workspace's retention period."""
    if if_due:
        every = timedelta(hours=current_app.config["PURGE_INTERVAL_HOURS"])
        result = scheduler.run_if_due(every)
        if result is None:
            click.echo("purge not due: it ran within the interval")
            return
    else:
        result = retention.purge_expired()
    click.echo(
        f"purged {result['events']} events, {result['responses']} responses, "
        f"{result['webhook_deliveries']} webhook deliveries and {result['tokens']} dead tokens "
        f"in {result['workspaces']} workspaces"
    )


@click.command("export-user")
@with_appcontext
@click.argument("email")
@click.option("--output", "-o", type=click.File("w"), default="-", help="File ('-': stdout).")
def export_user(email: str, output) -> None:
    """Write everything stored about one user as JSON."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user {email!r}")
    for chunk in subject.export_chunks(user):
        output.write(chunk)
    output.write("\n")


def init_app(app: Flask) -> None:
    app.cli.add_command(purge_expired)
    app.cli.add_command(export_user)
