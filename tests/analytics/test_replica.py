"""ANALYTICS_DATABASE_URL: the figures read from that database, the rest of the portal does not."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from portal import create_app
from portal.analytics import cases
from portal.analytics.filters import Filters, Scope
from portal.analytics.refresh import refresh
from portal.concerns.demo import load_demo_cases
from portal.concerns.models import Case
from portal.extensions import db
from tests.conftest import DEMO_TODAY, close_pools, fresh_database, migrate_and_seed, portal_config

YEAR = Filters(start=date(2025, 11, 1), end=DEMO_TODAY)


def test_figures_read_from_the_analytics_database(tmp_path_factory):
    replica_url = fresh_database(tmp_path_factory, "analytics_replica")
    replica = create_app(portal_config(replica_url))
    migrate_and_seed(replica)
    with replica.test_request_context():
        load_demo_cases(DEMO_TODAY, cases=40, calls=10)
        refresh()
        expected = cases.cases_by(YEAR, Scope(), dimension="tier").rows
    main = create_app(
        portal_config(
            fresh_database(tmp_path_factory, "analytics_main"), ANALYTICS_DATABASE_URL=replica_url
        )
    )
    migrate_and_seed(main)
    try:
        with main.test_request_context():
            assert db.session.scalar(select(func.count()).select_from(Case)) == 0  # its own
            rows = cases.cases_by(YEAR, Scope(), dimension="tier").rows
        assert sum(n for _, n in rows) == 40
        assert rows == expected
    finally:
        close_pools(replica, main)


def test_without_the_setting_there_is_no_second_engine(app):
    assert not app.config["ANALYTICS_DATABASE_URL"]
    assert "SQLALCHEMY_BINDS" not in app.config or "analytics" not in app.config["SQLALCHEMY_BINDS"]
