"""A figure's query is planned for the values it asks for, every time it runs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from portal.analytics import cases
from portal.analytics.filters import Filters, Scope
from portal.extensions import db

EVERYONE = Scope()


def test_figure_queries_are_never_prepared_and_the_portals_others_still_are(app_ctx):
    connection = db.session.connection()
    dbapi = connection.connection.dbapi_connection
    postgresql = connection.dialect.name == "postgresql"
    before = getattr(dbapi, "prepare_threshold", None)
    # What the connection holds prepared already (its earlier requests' statements, such as a
    # case's change written to analytics_changes), so that only this test's are looked at.
    held = set(_prepared()) if postgresql else set()
    f = Filters(start=date(2026, 1, 1), end=date(2026, 6, 30))
    for _ in range(8):  # psycopg prepares a statement at its fifth run
        cases.new_cases(f, EVERYONE, "month")
        db.session.execute(text("SELECT count(*) FROM schools WHERE id > :n"), {"n": 0})
    assert getattr(dbapi, "prepare_threshold", None) == before
    if postgresql:
        prepared = set(_prepared()) - held
        assert any("FROM schools" in s for s in prepared)
        assert not any("analytics_" in s for s in prepared)


def _prepared() -> list[str]:
    return db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
