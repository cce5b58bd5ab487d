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


def test_submission_keys_come_and_go_without_losing_rows(tmp_path_factory):
    """0014 adds and drops key columns on tables others point at; on SQLite a table rebuild
    would drop the old table and, with foreign keys on, cascade-delete the rows under it."""
    from sqlalchemy import text

    from portal.coordination.demo import load_demo_meetings
    from portal.demo import load_demo
    from portal.resources.demo import load_demo_resources
    from tests.conftest import DEMO_TODAY

    counted = ("team_meetings", "team_attendees", "team_next_steps", "resources", "resource_hours")
    app = create_app(portal_config(fresh_database(tmp_path_factory, "keys")))
    with app.test_request_context():
        upgrade()
        load_demo(DEMO_TODAY)
        load_demo_resources(DEMO_TODAY)
        load_demo_meetings(DEMO_TODAY)
        db.session.commit()
        db.session.close()

        def counts() -> dict[str, int]:
            with db.engine.connect() as conn:
                return {
                    t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in counted
                }

        before = counts()
        assert all(before.values()), before
        downgrade(revision="0013_attendance_rollups")
        assert "submission_key" not in {
            c["name"] for c in inspect(db.engine).get_columns("resources")
        }
        assert counts() == before
        upgrade()
        assert counts() == before
        db.engine.dispose()
