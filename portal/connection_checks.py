"""A pooled PostgreSQL connection is checked before a request uses it, a round trip only when
there is reason to doubt it.

SQLAlchemy's `pool_pre_ping` sends a statement on every checkout: a round trip before each
request's first statement, ~10 % of a small dashboard callback (bench/dashboards.py, sampled
with py-spy). A connection the server has closed (a restart, `pg_terminate_backend`, an idle
timeout) has the server's last message and the end of the stream waiting on its socket, so a
look at the socket, which costs no round trip, finds it. What a look cannot see, a connection
silently dropped on the way (a firewall forgetting it), only happens to one left idle: a
connection idle for longer than PING_AFTER_IDLE is pinged as before.

A connection found dead is replaced before the request sees it (the pool retries a checkout
that raises DisconnectionError with a new connection).
"""

from __future__ import annotations

import select
import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

# Seconds a connection may sit in the pool and still be trusted without a ping; a busy worker
# reuses its connections far more often than this.
PING_AFTER_IDLE = 10.0


def install(engine: Engine) -> None:
    """Check `engine`'s connections on checkout (in place of pool_pre_ping)."""

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None:
            return  # connected just now
        if not doubtful(dbapi_connection, time.monotonic() - idle_since):
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(f"a pooled connection failed its ping: {error}") from error
        if not alive:
            raise DisconnectionError("a pooled connection failed its ping")


def doubtful(dbapi_connection: Any, idle: float) -> bool:
    """Whether a psycopg connection idle for `idle` seconds must be pinged before use."""
    if dbapi_connection.closed or dbapi_connection.broken or idle > PING_AFTER_IDLE:
        return True
    # An idle connection has nothing to read unless the server said something: most likely
    # that it is closing it (a notice or a changed setting is possible too; the ping reads it).
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))
