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

PostgreSQL keeps a prepared statement after a rollback, as it keeps it after a commit, including
one prepared inside the transaction rolled back; psycopg forgets on rollback because a statement
planned against a table that the transaction created or altered could then fail ("cached plan
must not change result type"). The portal's requests change no table definitions, and a
statement that fails that way fails its transaction, which psycopg then rolls back itself,
forgetting everything, so the next run prepares it afresh. So a transaction that is still sound
is rolled back on the connection itself, where psycopg's memory of it is kept; a failed one, one
in a pipeline, a two-phase one or one inside psycopg's own transaction block is rolled back by
psycopg as before, and so is every rollback should psycopg's internals this reads change.
"""

from __future__ import annotations

from typing import Any

from psycopg import errors as psycopg_errors
from psycopg import pq
from sqlalchemy import Engine

# ROLLBACK, sent without psycopg's own rollback: its memory of prepared statements is kept.
_ROLLBACK = b"ROLLBACK"
# What psycopg's own rollback checks before it rolls back (psycopg/_connection_base.py,
# _rollback_gen): a pipeline to leave, and the two kinds of transaction it refuses to roll back.
# Should a release rename one, every rollback is psycopg's again (tests name them).
PSYCOPG_STATE = ("_pipeline", "_tpc", "_num_transactions")


def rollback_keeping_statements(dbapi_connection: Any) -> bool:
    """Roll back a psycopg connection's sound transaction without psycopg forgetting its
    prepared statements; False, doing nothing, when psycopg should roll back itself."""
    if not all(hasattr(dbapi_connection, name) for name in PSYCOPG_STATE):
        return False
    pgconn = dbapi_connection.pgconn
    with dbapi_connection.lock:
        if pgconn.transaction_status != pq.TransactionStatus.INTRANS:
            return False  # idle (nothing to do), failed, or busy: psycopg's own rollback
        if any(getattr(dbapi_connection, name) for name in PSYCOPG_STATE):
            return False
        result = pgconn.exec_(_ROLLBACK)
    if result.status == pq.ExecStatus.FATAL_ERROR and pgconn.status == pq.ConnStatus.BAD:
        # The server ended the session meanwhile (a restart, an idle timeout): raised as the
        # lost connection it is, so that SQLAlchemy discards the connection, with libpq's reason.
        reason = (result.error_message or b"").decode("utf-8", "replace").strip()
        raise psycopg_errors.OperationalError(reason or "the connection to the server was lost")
    return result.status == pq.ExecStatus.COMMAND_OK


def install(engine: Engine) -> None:
    """Roll back `engine`'s psycopg connections keeping their prepared statements."""
    dialect = engine.dialect
    if dialect.driver != "psycopg" or dialect.is_async:
        return  # the async driver's connections are adapted; it would block the event loop
    rollback = dialect.do_rollback

    def do_rollback(connection: Any) -> None:
        raw = getattr(connection, "dbapi_connection", connection)
        if not rollback_keeping_statements(raw):
            rollback(connection)

    dialect.do_rollback = do_rollback  # type: ignore[method-assign]
