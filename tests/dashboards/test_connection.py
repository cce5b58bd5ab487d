"""A dashboard callback only reads: on PostgreSQL its statements run without a transaction."""

from __future__ import annotations

import json

from sqlalchemy import event

from portal.auth.roles import Role
from portal.extensions import db
from tests.conftest import demo_email, sign_in
from tests.dashboards.conftest import call_dash


def test_a_callback_reads_without_begin_and_rollback_other_requests_keep_their_transaction(
    live_app,
):
    seen: list[tuple[str, bool]] = []

    def watch(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        from flask import has_request_context, request

        if has_request_context():
            seen.append(
                (request.path, bool(getattr(conn.connection.dbapi_connection, "autocommit", False)))
            )

    with live_app.app_context():
        engine = db.engine
        postgresql = engine.dialect.name == "postgresql"
    event.listen(engine, "before_cursor_execute", watch)
    try:
        client = live_app.test_client()
        assert sign_in(client, demo_email(Role.SENIOR_MANAGER)).status_code == 303
        assert client.get("/dashboards/cases").status_code == 200
        token = client.get_cookie("_csrf_token", path="/dashboards/").value
        answer = client.post(
            "/dashboards/_dash-update-component",
            data=json.dumps(
                {
                    "output": "page.children",
                    "outputs": {"id": "page", "property": "children"},
                    "inputs": [{"id": "url", "property": "pathname", "value": "/dashboards/cases"}],
                    "state": [{"id": "url", "property": "search", "value": ""}],
                    "changedPropIds": ["url.pathname"],
                }
            ),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert answer.status_code == 200
        assert '"graph"' in answer.get_data(as_text=True)  # the dashboard, with its figures
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    callback = [on for path, on in seen if path.endswith("_dash-update-component")]
    others = [on for path, on in seen if not path.endswith("_dash-update-component")]
    assert callback and others
    # SQLite: the portal opens each transaction itself (BEGIN IMMEDIATE), callbacks included.
    assert all(callback) is postgresql
    assert not any(others)


def test_a_superintendents_callback_reads_its_scope_with_the_sign_in(as_role, app):
    """Two statements: the sign-in session (the account, its roles and the networks it leads)
    and the figure; asking for the network on its own was one more round trip per callback."""
    client = as_role(Role.SUPERINTENDENT)
    statements: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        from flask import has_request_context, request

        if has_request_context() and request.path.endswith("_dash-update-component"):
            statements.append(statement)

    filters = {"start": "2031-03-01", "end": "2031-03-31"}
    with app.app_context():
        engine = db.engine
    client.get("/dashboards/attendance")  # the page: its own statements are not counted
    event.listen(engine, "before_cursor_execute", watch)
    try:
        answer = call_dash(client, "/dashboards/attendance", filters, ["facilitator_load"])
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert answer["status"] == 200, answer
    reads = [
        s
        for s in statements
        if not s.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK"))
    ]
    # The URL's callback reads the session; the figure's callback the session and the figure.
    assert len(reads) == 3, reads
    assert sum("user_sessions" in s for s in reads) == 2
    assert not any("FROM networks" in s and "user_sessions" not in s for s in reads)
