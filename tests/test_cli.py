"""The command line: creating accounts and loading demo data."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.extensions import db
from portal.schools.models import School


def test_users_create(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "First.Admin@Test.Example.org",
            "--name",
            "First Admin",
            "--role",
            "admin",
            "--role",
            "analyst",
            "--school",
            "101",
            "--password",
            "lantern glacier pepper violin",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(
            select(User).where(User.email == "first.admin@test.example.org")
        ).one()
        assert user.roles == {Role.ADMIN, Role.ANALYST}
        assert [s.code for s in user.schools] == ["101"]


def test_users_create_refuses_weak_passwords_and_unknown_schools(app):
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "w@test.example.org",
            "--name",
            "W",
            "--role",
            "admin",
            "--password",
            "password123",
        ]
    )
    assert weak.exit_code == 1 and "password" in weak.output
    unknown = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "u@test.example.org",
            "--name",
            "U",
            "--role",
            "liaison",
            "--school",
            "999",
            "--password",
            "lantern glacier pepper violin",
        ]
    )
    assert unknown.exit_code != 0 and "999" in unknown.output


def test_seed_demo_is_idempotent_and_prints_accounts(app):
    runner = app.test_cli_runner()
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(School))
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0 and "0 schools added" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(School)) == before >= 30
    skipped = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert "not loaded" in skipped.output
    accounts = runner.invoke(args=["seed", "accounts"])
    for role in Role:
        assert role.value in accounts.output


def test_seed_demo_is_refused_in_production(app):
    app.config["DEMO_DATA_ALLOWED"] = False
    try:
        result = app.test_cli_runner().invoke(args=["seed", "demo"])
    finally:
        app.config["DEMO_DATA_ALLOWED"] = True
    assert result.exit_code != 0 and "production" in result.output
