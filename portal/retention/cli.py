"""`flask retention purge`: what is past retention, removed only when asked."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

retention_cli = AppGroup("retention", help="Retention and purge of old personal data.")


@retention_cli.command("purge")
@click.option("--apply", "apply_", is_flag=True, help="Remove or anonymise; without it, a dry run.")
@click.option("--type", "only", default=None, help="Only this record type (its key).")
@click.option("--ids", "show_ids", is_flag=True, help="List the record ids of each type.")
def purge_command(apply_: bool, only: str | None, show_ids: bool) -> None:
    """Report, per record type, what is past its retention; with --apply, purge it."""
    from portal.retention.registry import record_types
    from portal.retention.services import purge

    keys = [t.key for t in record_types()]
    if only and only not in keys:
        raise click.BadParameter(f"one of {', '.join(keys)}", param_hint="--type")
    reports = purge(apply=apply_, only=only)
    click.echo("Retention purge" + ("" if apply_ else " (dry run: nothing changed)"))
    for report in reports:
        verb = {"delete": "deleted", "anonymise": "anonymised"}[report.action.value]
        if not apply_:
            verb = f"would be {verb}"
        click.echo(
            f"  {report.key:<18} {report.count:>8} {verb}"
            f"  (kept {report.months} months, before {report.cutoff:%Y-%m-%d})"
        )
        if show_ids and report.ids:
            click.echo("    ids: " + ", ".join(str(i) for i in report.ids))
    if not apply_:
        click.echo("Run again with --apply to purge.")


def register_retention_cli(app: Flask) -> None:
    app.cli.add_command(retention_cli)
