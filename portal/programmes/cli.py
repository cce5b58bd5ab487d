"""`flask programmes remind | request-feedback | notify`: the messages around sessions."""

from __future__ import annotations

import logging

import click
from flask import Flask
from flask.cli import AppGroup

from portal.programmes.reminders import request_feedback, send_reminders
from portal.timeutil import utcnow
from portal.worker import run_every

log = logging.getLogger("puente.programmes")

programmes_cli = AppGroup("programmes", help="Reminders before sessions, surveys after them.")


@programmes_cli.command("remind")
def remind_command() -> None:
    """Queue reminders for sessions starting in the next 48 hours (safe to run again)."""
    click.echo(f"Reminders: {send_reminders(utcnow())}.")


@programmes_cli.command("request-feedback")
def request_feedback_command() -> None:
    """Queue survey links for sessions that ended in the last 3 days (safe to run again)."""
    click.echo(f"Feedback requests: {request_feedback(utcnow())}.")


@programmes_cli.command("notify")
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=None,
    help="Seconds between runs; without it, run once and stop.",
)
def notify_command(interval: float | None) -> None:
    """Both jobs now; with --interval, again and again until stopped (a worker)."""
    if interval is None:
        _notify_once()
        return
    run_every(
        interval,
        lambda: _notify_once(quiet=True),
        announce=f"Reminders and feedback requests every {interval:g} s (Ctrl+C stops).",
        name="programme notifications",
    )


def _notify_once(*, quiet: bool = False) -> None:
    now = utcnow()
    reminded = send_reminders(now)
    asked = request_feedback(now)
    if not quiet or any((reminded.sessions, reminded.failed, asked.sessions, asked.failed)):
        click.echo(f"Reminders: {reminded}. Feedback requests: {asked}.")


def register_programmes_cli(app: Flask) -> None:
    app.cli.add_command(programmes_cli)
