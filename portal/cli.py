"""Command-line tools: `flask users ...`, `flask seed ...` and each feature's own groups."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal.admin.services import UserInput, UserInputError, create_user
from portal.auth.roles import Role
from portal.extensions import db
from portal.schools.models import Network, School
from portal.timeutil import district_today

users_cli = AppGroup("users", help="Manage accounts.")
seed_cli = AppGroup("seed", help="Load data.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
@click.option("--school", "schools", multiple=True, help="School code; repeat for several.")
@click.option("--network", help="Name of the network an instructional superintendent leads.")
@click.option("--language", type=click.Choice(["en", "es"]), default="en", show_default=True)
@click.password_option(help="At least 15 characters; asked for when not given.")
def create_user_command(email, name, roles, schools, network, language, password):
    """Create an account (the first administrator, for example)."""
    school_ids = set()
    for code in schools:
        school_id = db.session.scalar(select(School.id).where(School.code == code))
        if school_id is None:
            raise click.BadParameter(f"no school with code {code!r}", param_hint="--school")
        school_ids.add(school_id)
    network_id = None
    if network:
        network_id = db.session.scalar(select(Network.id).where(Network.name == network))
        if network_id is None:
            raise click.BadParameter(f"no network named {network!r}", param_hint="--network")
    try:
        user = create_user(
            UserInput(
                email=email,
                name=name,
                preferred_language=language,
                roles=frozenset(Role(r) for r in roles),
                school_ids=frozenset(school_ids),
                network_id=network_id,
                password=password,
            ),
            actor_id=None,
            ip=None,
        )
    except UserInputError as error:
        for field, messages in error.errors.items():
            for message in messages:
                click.echo(f"{field}: {message}", err=True)
        raise SystemExit(1) from error
    click.echo(f"Created {user.email} ({', '.join(sorted(roles))}).")


@users_cli.command("mfa-code")
@click.argument("email")
def mfa_code_command(email: str) -> None:
    """Print the current sign-in code of a demo account (development and demo only)."""
    import pyotp

    from portal.auth.mfa import decrypt_secret
    from portal.auth.models import User
    from portal.auth.services import normalize_email
    from portal.demo import demo_mfa_secret

    if current_app.config["PUENTE_ENV"] == "production":
        raise click.ClickException("Refused in production: codes come from the person's app.")
    email = normalize_email(email)
    user = db.session.scalar(select(User).where(User.email == email))
    secret = decrypt_secret(user.mfa_secret) if user and user.mfa_enrolled else None
    # Only the demo accounts' published keys: a real person's key is never printed.
    if secret is None or secret != demo_mfa_secret(email):
        raise click.ClickException(f"{email} is not a demo account with two-step sign-in.")
    click.echo(pyotp.TOTP(secret).now())


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
def seed_demo(if_empty: bool) -> None:
    """Load the demo district and one account per role (safe to run again)."""
    from portal.auth.models import User
    from portal.demo import load_demo

    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException(
            "Demo data is not loaded in production (set DEMO_DATA_ALLOWED=1 to override)."
        )
    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("Accounts exist already; demo data not loaded.")
        return
    from portal.concerns.demo import load_demo_cases
    from portal.coordination.demo import load_demo_meetings
    from portal.programmes.demo import load_demo_offerings
    from portal.reference import load_reference
    from portal.referrals.demo import load_demo_referrals
    from portal.resources.demo import load_demo_resources

    today = district_today()
    created = load_demo(today)
    created.update(load_reference())
    created.update(load_demo_cases(today))
    created.update(load_demo_offerings(today))
    created.update(load_demo_resources(today))
    created.update(load_demo_referrals(today))
    created.update(load_demo_meetings(today))  # after referrals, to link some
    click.echo("Demo data: " + ", ".join(f"{n} {what} added" for what, n in created.items()))


@seed_cli.command("scale")
@click.option("--schools", type=click.IntRange(1, 20_000), default=30, show_default=True)
@click.option(
    "--years", type=click.IntRange(1, 30), default=1, show_default=True, help="School years."
)
@click.option("--cases", type=click.IntRange(0, 30_000_000), default=10_000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The history ends the day before (default: today in the district).",
)
@click.option(
    "--append", is_flag=True, help="Add beside a district already in the database (not mixed)."
)
@click.option("--dry-run", is_flag=True, help="Print what would be made; write nothing.")
def seed_scale(
    schools: int, years: int, cases: int, seed: int, today, append: bool, dry_run: bool
) -> None:
    """Generate a synthetic district of any size (for dashboards and benchmarks)."""
    from portal.scale import ScaleError, ScaleOptions, estimate, existing_data, generate, history

    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException(
            "Synthetic data is not loaded in production (set DEMO_DATA_ALLOWED=1 to override)."
        )
    options = ScaleOptions(
        schools=schools,
        years=years,
        cases=cases,
        seed=seed,
        today=today.date() if today else None,
        append=append,
    )
    if dry_run:
        first, last = history(options, options.today or district_today())
        click.echo(f"Would generate {first:%Y-%m-%d} to {last:%Y-%m-%d}, about:")
        for table, rows in estimate(options).items():
            click.echo(f"  {table:<28}{rows:>12,}")
        found = existing_data()
        if found and not append:
            click.echo("The database is not empty: without --append this would be refused.")
        click.echo("Nothing written (--dry-run).")
        return

    @contextmanager
    def bar(label: str, total: int):  # noqa: ANN202
        with click.progressbar(
            length=max(total, 1), label=f"{label:<28}", show_pos=True, file=sys.stderr
        ) as progress:
            yield progress.update

    try:
        result = generate(options, progress=bar)
    except ScaleError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Generated {result.first_day:%Y-%m-%d} to {result.last_day:%Y-%m-%d}:")
    click.echo(f"  {'table':<28}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
    for table, load in result.loaded.tables.items():
        click.echo(f"  {table:<28}{load.rows:>12,}{load.seconds:>10.1f}{load.rate:>12,.0f}")
    for step, seconds in result.loaded.steps.items():
        click.echo(f"  {step:<28}{'':>12}{seconds:>10.1f}")
    click.echo(
        f"  {'total':<28}{result.loaded.rows:>12,}{result.seconds:>10.1f}{result.rate:>12,.0f}"
    )
    # Rows written without the ORM are past the refresh worker's notice: rebuild the
    # dashboards' roll-ups now, so they show the new district at once.
    from portal.analytics.refresh import refresh

    started = time.monotonic()
    refresh(full=True)
    click.echo(f"  {'dashboard roll-ups':<28}{'':>12}{time.monotonic() - started:>10.1f}")


@seed_cli.command("reference")
def seed_reference() -> None:
    """Load the categories and starter answers families need (safe in production)."""
    from portal.reference import load_reference

    added = load_reference()
    click.echo("Reference data: " + ", ".join(f"{n} {what} added" for what, n in added.items()))


@seed_cli.command("accounts")
def seed_accounts() -> None:
    """Print the demo sign-ins."""
    from portal.auth.models import User
    from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    present = set(db.session.scalars(select(User.email)))
    rows = [a for a in DEMO_ACCOUNTS if a.email in present]
    if not rows:
        click.echo("No demo accounts in this database (run `flask seed demo`).")
        return
    from portal.auth.roles import MFA_ROLES
    from portal.demo import demo_mfa_secret

    width = max(len(a.email) for a in rows)
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD})")
    for account in rows:
        line = f"  {account.email:<{width}}  {account.role.value:<16}"
        if account.role in MFA_ROLES:
            line += f"  two-step key {demo_mfa_secret(account.email)}"
        click.echo(line.rstrip())
    click.echo(
        "Roles with a key sign in with a second step: add the key to an authenticator app, "
        "or run `make mfa-code EMAIL=...` for the current 6-digit code."
    )


concerns_cli = AppGroup("concerns", help="Family Constituency Services jobs.")


@concerns_cli.command("escalate-unresponsive")
def escalate_unresponsive_command() -> None:
    """Escalate Tier 2 cases whose school leader has not responded in time (run daily)."""
    from portal.concerns.casework import escalate_unresponsive

    escalated = escalate_unresponsive(district_today())
    click.echo(
        f"{len(escalated)} cases escalated" + (f": {', '.join(escalated)}" if escalated else "")
    )


@concerns_cli.command("refresh-due-dates")
def refresh_due_dates_command() -> None:
    """Recompute open cases' due dates after the district calendar changes."""
    from portal.concerns.service_levels import refresh_open_cases

    count = refresh_open_cases()
    db.session.commit()
    click.echo(f"Due dates recomputed for {count} open cases.")


def register_cli(app: Flask) -> None:
    from portal.analytics.cli import register_analytics_cli
    from portal.outbox.cli import register_outbox_cli
    from portal.programmes.cli import register_programmes_cli
    from portal.retention.cli import register_retention_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(concerns_cli)
    register_outbox_cli(app)
    register_analytics_cli(app)
    register_programmes_cli(app)
    register_retention_cli(app)
