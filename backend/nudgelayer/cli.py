"""Command line: ``nudgelayer <command>`` (also available as ``flask --app nudgelayer``)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from .errors import DomainError
from .extensions import db
from .privacy import cli as privacy_cli
from .surveys import cli as surveys_cli


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(create_workspace)
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    surveys_cli.init_app(app)  # export-responses, deliver-webhooks
    privacy_cli.init_app(app)  # purge-expired, export-user


def _fail(err: DomainError) -> None:
    raise click.ClickException(f"{err.message} {err.details or ''}".strip())


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema to the latest migration."""
    upgrade()
    click.echo("database is up to date")


@click.command("create-workspace")
@with_appcontext
@click.argument("slug")
@click.option("--name", help="Display name (defaults to the slug).")
def create_workspace(slug: str, name: str | None) -> None:
    """Create a workspace."""
    from .auth.service import create_workspace as create

    try:
        ws = create(name or slug, slug)
    except DomainError as err:
        _fail(err)
    db.session.commit()
    click.echo(f"workspace {ws.slug} created (id {ws.id})")


@click.command("create-user")
@with_appcontext
@click.argument("workspace_slug")
@click.argument("email")
@click.option("--role", type=click.Choice(["staff", "admin", "analyst"]), default="staff")
@click.option("--team")
@click.option("--locale")
@click.password_option(help="Password (asked for when not given).")
def create_user(workspace_slug, email, role, team, locale, password) -> None:
    """Create a user in a workspace."""
    from .auth.service import create_user as create
    from .models import Workspace

    ws = db.session.scalar(select(Workspace).where(Workspace.slug == workspace_slug))
    if ws is None:
        raise click.ClickException(f"no workspace {workspace_slug!r}")
    try:
        user = create(ws, email, password, role, team=team, locale=locale)
    except DomainError as err:
        _fail(err)
    db.session.commit()
    click.echo(f"user {user.email} ({user.role}) created")


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--demo-url",
    envvar="DEMO_URL",
    default="http://127.0.0.1:5001",
    show_default=True,
    help="Origin of the demo dashboard the seeded experiences target.",
)
def seed_demo(demo_url: str) -> None:
    """Seed the demo workspace and accounts, only when the database has no users."""
    from .models import User
    from .seed import seed

    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("database already has users; demo seed skipped")
        return
    seed(demo_url.rstrip("/"))
    db.session.commit()
    click.echo("demo workspace seeded: admin@demo.local, analyst@demo.local, staff@demo.local")


def _create_app(*_args) -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """Nudgelayer administration."""
