"""Pooled connections: one the server closed is replaced before a request uses it; one in use
a moment ago is trusted without a round trip (PostgreSQL; SQLite pings its own file)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import NullPool, create_engine, text

from portal import connection_checks
from portal.auth.roles import Role
from portal.extensions import db
from tests.conftest import demo_email, sign_in

# The portal's own connections to this database: every other client backend of this user.
OTHERS = (
    "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
    "AND backend_type = 'client backend' AND usename = current_user"
)


def _end_every_other_connection(url: str) -> int:
    """What a database restart does to the portal's pool: every server process ends."""
    admin = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        ended = conn.scalars(text(f"SELECT pg_terminate_backend(pid) {OTHERS}")).all()
        deadline = time.monotonic() + 10
        while (left := conn.scalar(text(f"SELECT count(*) {OTHERS}"))) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.05)
        assert not left
    admin.dispose()
    return len(ended)


def test_connections_the_server_closed_are_replaced_before_a_request_uses_them(live_app):
    client = live_app.test_client()
    assert sign_in(client, demo_email(Role.SPECIALIST)).status_code == 303
    assert client.get("/cases/").status_code == 200
    with live_app.app_context():
        engine = db.engine
        url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        # At once, well within PING_AFTER_IDLE: the socket tells, not the clock.
        assert _end_every_other_connection(url) >= 1
    assert client.get("/readyz").status_code == 200
    assert client.get("/cases/").status_code == 200


@pytest.fixture
def pings(live_app, monkeypatch):
    with live_app.app_context():
        engine = db.engine
    seen: list[object] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection):  # noqa: ANN001, ANN202
        seen.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return engine, seen


def test_a_connection_used_a_moment_ago_is_trusted_one_left_idle_is_pinged(pings, monkeypatch):
    engine, seen = pings
    with engine.connect() as conn:  # the pool's last connection may have been idle a while
        conn.execute(text("SELECT 1"))
    seen.clear()
    for _ in range(3):
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    if engine.dialect.name != "postgresql":
        assert len(seen) >= 2  # SQLite: pool_pre_ping, a call into its own library
        return
    assert seen == []
    monkeypatch.setattr(connection_checks, "PING_AFTER_IDLE", 0.01)
    time.sleep(0.05)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert len(seen) == 1


def test_a_connection_that_fails_its_ping_is_replaced(pings, monkeypatch):
    engine, seen = pings
    with engine.connect() as conn:
        first = conn.connection.dbapi_connection
    first.close()  # as if the network had dropped it while idle
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT 1")) == 1
        assert conn.connection.dbapi_connection is not first
