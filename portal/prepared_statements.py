"""PostgreSQL statements stay prepared from one request to the next.

psycopg prepares a statement on the server once a connection has run it five times, so that the
server parses and plans it once rather than on every run. But psycopg forgets every prepared
statement, and its count of runs, whenever the connection rolls back (it cannot tell whether the
transaction changed a table a statement was planned for), and sends `DEALLOCATE ALL`. A request
that only reads ends with a rollback, as SQLAlchemy closes its session, so the statements such
requests run (the sign-in's first of all) rarely reached their fifth run between two rollbacks:
they were parsed and planned again on every request. Planning the sign-in's statement (a session
with its account, roles, schools and networks) costs more than running it: pgbench, BEGIN, that
statement and ROLLBACK, 1.41 ms a round as plain SQL against 0.54 ms prepared. Through gunicorn,
requests to two servers interleaved (with and without this), a signed-in page answered ~1 ms
sooner: /account p50 10.3 against 11.3 ms (1,000 each), a dashboard's page 8.1 against 9.1 (300
each). Dashboard callbacks already kept theirs: they run without a transaction
(dashboards/shell.py, read_only_connection).

The portal's requests change no table definitions (migrations run in their own process, and
psycopg still forgets everything after a DROP or ALTER), and PostgreSQL keeps a prepared
statement after a rollback, as it keeps it after a commit. So a transaction that is still sound
is rolled back on the connection itself, where psycopg's memory of it is kept; a failed one, or
one in a pipeline, is rolled back by psycopg as before.
"""

from __future__ import annotations

from typing import Any

from psycopg import pq
from sqlalchemy import Engine

# ROLLBACK, sent without psycopg's own rollback: its memory of prepared statements is kept.
_ROLLBACK = b"ROLLBACK"


def rollback_keeping_statements(dbapi_connection: Any) -> bool:
    """Roll back a psycopg connection's sound transaction without psycopg forgetting its
    prepared statements; False, doing nothing, when psycopg should roll back itself."""
    pgconn = dbapi_connection.pgconn
    if pgconn.transaction_status != pq.TransactionStatus.INTRANS:
        return False  # idle (nothing to do), failed, or busy: psycopg's own rollback
    if getattr(dbapi_connection, "_pipeline", None):
        return False
    with dbapi_connection.lock:
        result = pgconn.exec_(_ROLLBACK)
    if result.status != pq.ExecStatus.COMMAND_OK:
        return False  # the connection broke meanwhile: psycopg's rollback reports it
    return True


def install(engine: Engine) -> None:
    """Roll back `engine`'s psycopg connections keeping their prepared statements."""
    dialect = engine.dialect
    if dialect.driver != "psycopg":
        return
    rollback = dialect.do_rollback

    def do_rollback(connection: Any) -> None:
        raw = getattr(connection, "dbapi_connection", connection)
        if not rollback_keeping_statements(raw):
            rollback(connection)

    dialect.do_rollback = do_rollback  # type: ignore[method-assign]
