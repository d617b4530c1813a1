"""CLI: ``nudgelayer export-responses`` (with a progress bar) and ``deliver-webhooks`` (cron)."""

from __future__ import annotations

import sys
import time
from datetime import datetime

import click
from flask import Flask
from flask.cli import with_appcontext

from ..errors import DomainError
from ..extensions import db
from ..models import Experience
from . import export
from .filters import End, Filters, Start


class _Bound(click.ParamType):
    def __init__(self, field):
        self.field = field
        self.name = "DATE"

    def convert(self, value, param, ctx) -> datetime:
        from marshmallow import ValidationError

        try:
            return self.field.deserialize(value)
        except ValidationError as err:
            self.fail(" ".join(map(str, err.messages)), param, ctx)


@click.command("export-responses")
@with_appcontext
@click.argument("experience_id", type=click.IntRange(1, 2**31 - 1))
@click.option(
    "--format", "fmt", type=click.Choice(list(export.FORMATS)), default="csv", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="File to write ('-' for standard output).",
)
@click.option("--from", "start", type=_Bound(Start()), help="Day or ISO datetime (inclusive).")
@click.option(
    "--to", "end", type=_Bound(End()), help="Day (inclusive) or ISO datetime (exclusive)."
)
@click.option("--team", help="Only respondents of this team.")
@click.option("--url", help="Only responses whose page URL contains this.")
def export_responses(experience_id, fmt, output, start, end, team, url) -> None:
    """Export a survey's responses to a file, with a progress bar on standard error."""
    exp = db.session.get(Experience, experience_id)
    if exp is None or exp.kind != "survey":
        raise click.ClickException(f"no survey {experience_id}")
    f = Filters(start=start, end=end, team=team, url=url)
    total = export.count(exp, f)
    try:
        export.check_size(fmt, total)
    except DomainError as err:
        raise click.ClickException(err.message) from err
    export.audit(None, exp, fmt, f, total, via="cli")
    db.session.commit()
    began = time.monotonic()
    out = click.open_file(output, "wb")
    with (
        out,
        click.progressbar(
            length=total, label=f"Exporting {total} responses", file=sys.stderr, show_pos=True
        ) as bar,
    ):
        written = export.write(exp, fmt, f, out, on_rows=bar.update)
    seconds = time.monotonic() - began
    click.echo(f"{written} responses written to {output} in {seconds:.1f} s", err=True)


@click.command("deliver-webhooks")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep running, checking every --every seconds.")
@click.option("--every", type=click.IntRange(1, 3600), default=15, show_default=True)
def deliver_webhooks(loop: bool, every: int) -> None:
    """Send the webhook deliveries that are due (for cron, or with --loop as a worker)."""
    from ..webhooks import service

    while True:
        counts = service.deliver_due()
        click.echo(
            f"delivered {counts['delivered']}, retrying {counts['retrying']}, "
            f"failed {counts['failed']}"
        )
        db.session.remove()
        if not loop:
            return
        time.sleep(every)


def init_app(app: Flask) -> None:
    app.cli.add_command(export_responses)
    app.cli.add_command(deliver_webhooks)
