"""Commands: API keys, CSV import of user attributes, the chat digest (for cron)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from ..errors import DomainError
from ..extensions import db
from ..models import Workspace


def _workspace(slug: str) -> Workspace:
    ws = db.session.scalar(select(Workspace).where(Workspace.slug == slug))
    if ws is None:
        raise click.ClickException(f"no workspace {slug!r}")
    return ws


@click.command("create-api-key")
@with_appcontext
@click.argument("workspace_slug")
@click.option(
    "--scope", type=click.Choice(["signals"]), required=True, help="What the key may call."
)
@click.option(
    "--label", default="created with the CLI", show_default=True, help="A name to tell keys apart."
)
def create_api_key(workspace_slug: str, scope: str, label: str) -> None:
    """Create an API key for another system and print it (it is shown only once)."""
    from .keys import create

    try:
        plain, row = create(_workspace(workspace_slug), label, scope)
    except DomainError as err:
        raise click.ClickException(err.message) from err
    db.session.commit()
    click.echo(
        f"API key {row.id} ({scope}) for {workspace_slug}; store it now, it is not shown again:",
        err=True,
    )
    click.echo(plain)


@click.command("revoke-api-key")
@with_appcontext
@click.argument("workspace_slug")
@click.argument("key_id", type=int)
def revoke_api_key(workspace_slug: str, key_id: int) -> None:
    """Revoke an API key by its id (see the console's Nudges page)."""
    from .keys import get, revoke

    try:
        row = revoke(get(_workspace(workspace_slug).id, key_id))
    except DomainError as err:
        raise click.ClickException(err.message) from err
    db.session.commit()
    click.echo(f"API key {row.id} ({row.label}) revoked")


@click.command("import-users")
@with_appcontext
@click.argument("workspace_slug")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_users(workspace_slug: str, csv_file: Path) -> None:
    """Set user attributes from CSV: email, then role, team, locale, display_name, custom."""
    from .users import import_csv

    result = import_csv(None, _workspace(workspace_slug).id, csv_file.read_bytes())
    if result.errors:
        db.session.rollback()
        for line, message in result.errors:
            click.echo(f"line {line}: {message}", err=True)
        raise click.ClickException(f"nothing imported: {len(result.errors)} problem(s)")
    db.session.commit()
    click.echo(f"{result.updated} user(s) updated, {result.unchanged} unchanged")


@click.command("send-digests")
@with_appcontext
@click.option("--workspace", "workspace_slug", help="Only this workspace.")
@click.option(
    "--force", is_flag=True, help="Send even if the last one was sent less than a period ago."
)
def send_digests(workspace_slug: str | None, force: bool) -> None:
    """Send the daily/weekly digests that are due to their chat webhooks (run it from cron)."""
    from .digest import send_due

    for line in send_due(force=force, workspace_slug=workspace_slug):
        click.echo(line)


def init_app(app: Flask) -> None:
    for command in (create_api_key, revoke_api_key, import_users, send_digests):
        app.cli.add_command(command)
