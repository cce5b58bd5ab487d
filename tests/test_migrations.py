"""Migrations: empty to head, no drift from the models, down to base and up again."""

from __future__ import annotations

from flask_migrate import check, downgrade, upgrade
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db
from tests.conftest import fresh_database, portal_config

TABLES = {
    "users",
    "user_roles",
    "user_sessions",
    "user_schools",
    "networks",
    "schools",
    "audit_events",
    "non_school_days",
    "alembic_version",
}


def test_upgrade_check_downgrade_upgrade(tmp_path_factory):
    app = create_app(portal_config(fresh_database(tmp_path_factory, "migrations")))
    with app.app_context():
        upgrade()
        assert TABLES <= set(inspect(db.engine).get_table_names())
        check()  # raises when the models and the migrations disagree
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert TABLES <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()
