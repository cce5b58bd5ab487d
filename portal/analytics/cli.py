"""`flask analytics refresh`: keep the dashboards' roll-ups fresh (a worker with --interval)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import AppGroup

from portal.analytics.refresh import refresh
from portal.worker import run_every

log = logging.getLogger("puente.analytics")

analytics_cli = AppGroup("analytics", help="The dashboards' roll-up tables.")


@analytics_cli.command("refresh")
@click.option("--full", is_flag=True, help="Rebuild every roll-up from the base tables.")
@click.option(
    "--since",
    type=click.DateTime(),
    help="Also re-derive everything touched since this UTC time (after edits made by hand).",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    help="Seconds: keep refreshing at this pace until stopped (the worker).",
)
def refresh_command(full: bool, since: datetime | None, interval: float | None) -> None:
    """Bring the roll-ups up to date once, or keep them so with --interval."""
    since = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
    if interval is None:
        click.echo(str(refresh(full=full, since=since)))
        return
    asked = {"full": full, "since": since}

    def one_pass() -> None:
        report = refresh(**asked)
        asked.update(full=False, since=None)  # only the first pass is asked to do more
        if report.full or report.cases or report.quick_log_days or report.offerings:
            click.echo(str(report))

    run_every(
        interval,
        one_pass,
        announce=f"Refreshing the dashboards every {interval:g} s (Ctrl+C stops).",
        name="analytics refresh",
    )


def register_analytics_cli(app: Flask) -> None:
    app.cli.add_command(analytics_cli)
