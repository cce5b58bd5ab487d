"""A figure's query is planned for the values it asks for, every time it runs."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import text

from portal.analytics import cases
from portal.analytics.filters import Filters, Scope
from portal.extensions import db
from tests.conftest import statements_sent

EVERYONE = Scope()


def test_figure_queries_are_never_prepared_and_the_portals_others_still_are(app_ctx):
    connection = db.session.connection()
    dbapi = connection.connection.dbapi_connection
    postgresql = connection.dialect.name == "postgresql"
    before = getattr(dbapi, "prepare_threshold", None)
    # The connection may hold earlier requests' statements prepared already: the figure's own
    # statements are looked for among all of them, the new ones for the portal's others.
    held = set(_prepared()) if postgresql else set()
    f = Filters(start=date(2026, 1, 1), end=date(2026, 6, 30))
    with statements_sent(connection) as figure:
        cases.new_cases(f, EVERYONE, "month")
    assert figure
    for _ in range(8):  # psycopg prepares a statement at its fifth run
        cases.new_cases(f, EVERYONE, "month")
        db.session.execute(text("SELECT count(*) FROM schools WHERE id > :n"), {"n": 0})
    assert getattr(dbapi, "prepare_threshold", None) == before
    if postgresql:
        prepared = set(_prepared())
        assert any("FROM schools" in s for s in prepared - held)
        assert not {_shape(s) for s in figure} & {_shape(s) for s in prepared}


def _prepared() -> list[str]:
    return db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()


def _shape(statement: str) -> str:
    """A statement with its placeholders blanked: SQLAlchemy's %(name)s, the server's $1."""
    return re.sub(r"%\(\w+\)s|\$\d+", "?", " ".join(statement.split()))
