"""PostgreSQL statements stay prepared from one request to the next, while a rollback still
undoes what it should (SQLite has nothing to prepare: there, only the rollbacks are checked)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import IntegrityError

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
    if engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL prepares statements")
    with engine.connect() as conn:
        for floor in range(8):  # psycopg prepares a statement on its sixth run
            assert conn.scalar(text(PROBE), {"floor": -floor}) > 0
            conn.rollback()  # as every request's session ends
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
        for floor in range(8):
            assert conn.scalar(text(PROBE), {"floor": -floor}) > 0
            conn.rollback()
        if engine.dialect.name == "postgresql":
            assert _prepared_here(conn) == 1


def test_a_signed_in_request_finds_its_statements_prepared(live_app, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL prepares statements")
    client = live_app.test_client()
    assert sign_in(client, demo_email(Role.ANALYST)).status_code == 303
    for _ in range(8):
        assert client.get("/account").status_code == 200
    # The request ran on the pool's last connection (LIFO): the sign-in statement is prepared.
    with engine.connect() as conn:
        found = conn.scalar(
            text(
                "SELECT count(*) FROM pg_prepared_statements "
                "WHERE statement LIKE '%FROM user_sessions%token_hash%'"
            )
        )
    assert found == 1
