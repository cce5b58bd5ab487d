"""`flask analytics refresh`: keep the dashboards' roll-ups fresh (a worker with --interval)."""

from __future__ import annotations

import logging
import signal
import time
from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from portal.analytics.refresh import refresh
from portal.extensions import db

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
    stopping = False

    def stop(_signum, _frame) -> None:
        nonlocal stopping
        stopping = True  # finish the pass in hand, then leave

    previous = signal.signal(signal.SIGTERM, stop)
    click.echo(f"Refreshing the dashboards every {interval:g} s (Ctrl+C stops).")
    try:
        while not stopping:
            try:
                report = refresh(full=full, since=since)
            except SQLAlchemyError:
                # The database is away (a restart, a fail-over): wait and try again.
                db.session.rollback()
                log.exception("analytics refresh failed; retrying")
            else:
                full, since = False, None  # only the first pass is asked to do more
                if report.full or report.cases or report.quick_log_days:
                    click.echo(str(report))
            finally:
                db.session.remove()
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("Stopped.")


def register_analytics_cli(app: Flask) -> None:
    app.cli.add_command(analytics_cli)
