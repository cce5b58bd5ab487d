"""PostgreSQL statements stay prepared from one request to the next, while a rollback still
undoes what it should (SQLite has nothing to prepare: there, only the rollbacks are checked)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, NullPool, create_engine, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from portal import prepared_statements
from portal.auth.models import User
from portal.auth.roles import Role
from portal.extensions import db
from tests.conftest import demo_email, sign_in

# A statement the portal itself does not run, to find among the server's prepared statements.
PROBE = "SELECT count(*) FROM users WHERE id > :floor"
PREPARED = (
    "SELECT count(*) FROM pg_prepared_statements "
    "WHERE statement = 'SELECT count(*) FROM users WHERE id > $1'"
)


@pytest.fixture
def engine(live_app) -> Engine:
    with live_app.app_context():
        return db.engine


def _prepared_here(conn) -> int:  # noqa: ANN001 - a Connection
    return conn.scalar(text(PREPARED))


def test_a_statement_run_in_transactions_rolled_back_is_prepared_once_and_kept(engine):
    with engine.connect() as conn:
        for floor in range(8):  # psycopg prepares a statement on its sixth run
            assert conn.scalar(text(PROBE), {"floor": -floor}) > 0
            conn.rollback()  # as every request's session ends
        if engine.dialect.name != "postgresql":
            return  # SQLite prepares nothing on a server: the rollbacks are all there is
        assert _prepared_here(conn) == 1
        conn.rollback()
        assert conn.scalar(text(PROBE), {"floor": 0}) > 0
        assert _prepared_here(conn) == 1


def test_a_rolled_back_change_is_not_saved(engine):
    email = demo_email(Role.ANALYST)
    with engine.connect() as conn:
        name = conn.scalar(select(User.name).where(User.email == email))
        conn.execute(update(User).where(User.email == email).values(name="Not kept"))
        assert conn.scalar(select(User.name).where(User.email == email)) == "Not kept"
        conn.rollback()
        assert conn.scalar(select(User.name).where(User.email == email)) == name
    with engine.connect() as other:
        assert other.scalar(select(User.name).where(User.email == email)) == name


def test_a_failed_transaction_is_rolled_back_and_the_connection_works_on(engine):
    email = demo_email(Role.ANALYST)
    with engine.connect() as conn:
        for floor in range(8):
            conn.scalar(text(PROBE), {"floor": -floor})
            conn.rollback()
        with pytest.raises(IntegrityError):
            conn.execute(update(User).where(User.email == email).values(email=None))
        conn.rollback()
        # The failed transaction was psycopg's own to roll back: what it prepared is forgotten
        # on both sides, and preparing again works.
        if engine.dialect.name == "postgresql":
            assert _prepared_here(conn) == 0
            conn.rollback()
        for floor in range(8):
            assert conn.scalar(text(PROBE), {"floor": -floor}) > 0
            conn.rollback()
        if engine.dialect.name == "postgresql":
            assert _prepared_here(conn) == 1


def test_a_signed_in_request_finds_its_statements_prepared(live_app, engine):
    client = live_app.test_client()
    assert sign_in(client, demo_email(Role.ANALYST)).status_code == 303
    for _ in range(8):
        assert client.get("/account").status_code == 200
    if engine.dialect.name != "postgresql":
        return
    # The request ran on the pool's last connection (LIFO): the sign-in statement is prepared.
    with engine.connect() as conn:
        found = conn.scalar(
            text(
                "SELECT count(*) FROM pg_prepared_statements "
                "WHERE statement LIKE '%FROM user_sessions%token_hash%'"
            )
        )
    assert found == 1


def test_a_connection_lost_mid_transaction_is_discarded_and_the_next_one_works(engine):
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            pid = conn.scalar(text("SELECT pg_backend_pid()"))  # a transaction is open now
            _end_server_process(engine, pid)
            lost = pytest.raises(OperationalError, match="closed|terminat")
        else:
            conn.scalar(text("SELECT 1"))
            conn.connection.dbapi_connection.close()  # SQLite's own file handle, gone
            lost = pytest.raises(DBAPIError)
        with lost as raised:
            conn.rollback()
        assert raised.value.connection_invalidated
    with engine.connect() as conn:  # the pool opens a new one
        assert conn.scalar(text("SELECT 1")) == 1


def _end_server_process(engine: Engine, pid: int) -> None:
    admin = create_engine(engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as other:
        assert other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_only_psycopg_connections_are_rolled_back_this_way(engine):
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        conn.scalar(text("SELECT 1"))
        if engine.dialect.name != "postgresql":
            assert not prepared_statements.rollback_keeping_statements(raw)
            return
        # Renamed in a psycopg release, every rollback would be psycopg's own again (slower).
        assert all(hasattr(raw, name) for name in prepared_statements.PSYCOPG_STATE)
        assert prepared_statements.rollback_keeping_statements(raw)
        assert not prepared_statements.rollback_keeping_statements(raw)  # nothing left to do
