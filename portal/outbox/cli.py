"""`flask outbox deliver` (the worker) and `flask outbox status`."""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.outbox.models import Channel, MessageStatus
from portal.outbox.senders import SenderNotConfigured, sender_for
from portal.outbox.services import deliver_due, outbox_status, requeue_failed
from portal.timeutil import utcnow
from portal.worker import run_every

log = logging.getLogger("puente.outbox")

outbox_cli = AppGroup("outbox", help="Deliver and inspect messages to families and staff.")


@outbox_cli.command("deliver")
@click.option("--once", is_flag=True, help="One pass over the due messages, then stop.")
@click.option(
    "--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True, help="Seconds."
)
@click.option("--batch", type=click.IntRange(min=1), default=50, show_default=True)
def deliver_command(once: bool, interval: float, batch: int) -> None:
    """Send due messages, retrying failures with back-off; runs until stopped unless --once."""
    _check_senders(current_app._get_current_object())  # type: ignore[attr-defined]
    if once:
        click.echo(str(deliver_due(batch=batch)))
        return

    def one_pass() -> bool:
        report = deliver_due(batch=batch)
        if report.sent or report.retried or report.failed:
            click.echo(str(report))
        return report.sent + report.retried + report.failed >= batch  # more may be due

    run_every(
        interval,
        one_pass,
        announce=f"Delivering every {interval:g} s (Ctrl+C stops).",
        name="outbox pass",
    )


@outbox_cli.command("status")
def status_command() -> None:
    """Messages by status, and how long the oldest pending one has waited."""
    status = outbox_status()
    for state in MessageStatus:
        click.echo(f"{state.value}: {status.counts.get(state, 0)}")
    if status.oldest_pending_at is None:
        click.echo("oldest pending: none")
    else:
        waited = max(0, int((utcnow() - status.oldest_pending_at).total_seconds()))
        click.echo(f"oldest pending: {_duration(waited)} old")


@outbox_cli.command("requeue")
def requeue_command() -> None:
    """Give failed messages a fresh set of tries, for example after a long mail outage."""
    click.echo(f"{requeue_failed()} failed messages queued again.")


def _check_senders(app: Flask) -> None:
    # A wrong setting is reported before the first pass, not once per message.
    for channel in Channel:
        try:
            sender_for(channel, app)
        except SenderNotConfigured as error:
            raise click.ClickException(str(error)) from error


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"


def register_outbox_cli(app: Flask) -> None:
    app.cli.add_command(outbox_cli)
