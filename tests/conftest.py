"""Fixtures: a migrated database per test worker, each test in a transaction rolled back."""

from __future__ import annotations

import html
import os
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from portal import create_app
from portal.admin.services import UserInput, create_user
from portal.auth.mfa import enrol_with_secret
from portal.auth.models import User
from portal.auth.roles import Role
from portal.config import database_url
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_mfa_secret, load_demo
from portal.extensions import db, limiter

IN_CI = os.environ.get("CI") == "true"
# The demo district's calendar is built for the school year around this date, whatever today is.
DEMO_TODAY = date(2026, 11, 23)
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose service is missing, except in CI, where that is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service fails the run)")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def fresh_database(tmp_path_factory: pytest.TempPathFactory, suffix: str) -> str:
    """An empty database for this test worker: a SQLite file, or a new PostgreSQL database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path_factory.getbasetemp() / f'puente-{worker}-{suffix}.db'}"
    url = make_url(database_url(base))
    name = f"{url.database}_{worker}_{suffix}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means the service is not there
        require_service(False, f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}")
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def portal_config(database: str, **extra: object) -> dict[str, object]:
    config: dict[str, object] = {
        "PUENTE_ENV": "test",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-production-rules",
        "SQLALCHEMY_DATABASE_URI": database,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 1024,
        "RATELIMIT_STORAGE_URI": "puente-memory://",
        "RATELIMIT_STORAGE_OPTIONS": {},
        "SERVER_NAME": None,
    }
    config.update(extra)
    return config


def migrate_and_seed(app: Flask) -> None:
    from flask_migrate import upgrade

    from portal.reference import load_reference

    with app.app_context():
        upgrade()
        load_demo(DEMO_TODAY)
        load_reference()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The portal on a migrated database holding the demo district."""
    app = create_app(portal_config(fresh_database(tmp_path_factory, "unit")))
    migrate_and_seed(app)
    yield app
    close_pools(app)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A second portal on its own database, for threads and live servers.

    Requests from several threads cannot share one rolled-back transaction, so tests that use
    this app commit for real; they must not depend on the others' rows.
    """
    app = create_app(portal_config(fresh_database(tmp_path_factory, "live")))
    migrate_and_seed(app)
    yield app
    close_pools(app)


def close_pools(*apps: Flask) -> None:
    """Close the database connections each app's pools hold. A test that builds an app of its
    own calls this when done: a connection left to the garbage collector is reported (a
    ResourceWarning) in whichever later test the collector happens to run."""
    for app in apps:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture(autouse=True)
def _restore_limiter() -> Iterator[None]:
    """Flask-Limiter keeps one storage per process; a test that builds another app swaps it."""
    saved = dict(limiter.__dict__)
    options = dict(limiter._storage_options)  # noqa: SLF001
    yield
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)
    limiter._storage_options = options  # noqa: SLF001


@pytest.fixture(autouse=True)
def _rollback(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test inside a transaction that is rolled back, so tests never see each other."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    # No app context stays pushed during the test: each request must get its own, with its own
    # `g`, exactly as in production.
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    db.session = scoped_session(
        sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
    )
    limiter.reset()
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        transaction.rollback()
        connection.close()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@contextmanager
def statements_sent(target) -> Iterator[list[str]]:  # noqa: ANN001 - an Engine or Connection
    """The SQL `target` sends to the database while the block runs, in order."""
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_rest):  # noqa: ANN001, ANN202
        sent.append(statement)

    event.listen(target, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(target, "before_cursor_execute", seen)


def csrf(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    page = client.get(path)
    match = CSRF_INPUT.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post(client: FlaskClient, path: str, data: dict | None = None, **kwargs):
    """POST a form with the session's CSRF token, as the page's own form would."""
    form = {"csrf_token": csrf(client), **(data or {})}
    return client.post(path, data=form, **kwargs)


MFA_SECRET_TEXT = re.compile(r'<code id="mfa-secret"[^>]*>([A-Z2-7 ]+)</code>')
CONTINUE_LINK = re.compile(r'<a class="btn btn-primary" href="([^"]+)">')


def forget_last_code(app: Flask, email: str) -> None:
    """Let an account's current code be used again.

    Tests sign the same account in several times within one 30-second step; the replay guard
    (tested on its own in tests/auth/test_mfa.py) would refuse every sign-in after the first.
    """
    from sqlalchemy import update

    from portal.auth.services import normalize_email

    with app.app_context():
        db.session.execute(
            update(User).where(User.email == normalize_email(email)).values(mfa_last_step=None)
        )
        db.session.commit()


def current_code(email: str) -> str:
    """The code a demo or test account's authenticator app shows now."""
    import pyotp

    from portal.auth.services import normalize_email

    return pyotp.TOTP(demo_mfa_secret(normalize_email(email))).now()


def complete_second_step(client: FlaskClient, email: str, response):
    """Finish a sign-in that asks for a code (or for setting up the app), as its owner would."""
    import pyotp

    location = response.headers.get("Location", "")
    if response.status_code != 303:
        return response
    if location.endswith("/sign-in/code"):
        forget_last_code(client.application, email)
        return post_to(client, "/sign-in/code", {"code": current_code(email)})
    if location.endswith("/sign-in/set-up"):
        page = client.get("/sign-in/set-up").get_data(as_text=True)
        match = MFA_SECRET_TEXT.search(page)
        assert match, "no key on the set-up page"
        code = pyotp.TOTP(match.group(1).replace(" ", "")).now()
        done = post_to(client, "/sign-in/set-up", {"code": code})
        onward = CONTINUE_LINK.search(done.get_data(as_text=True))
        if done.status_code != 200 or not onward:
            return done
        # Signed in, with the recovery codes shown on the way: answer as a plain sign-in
        # does, a redirect to where the person goes next.
        return client.application.response_class(
            status=303, headers={"Location": html.unescape(onward.group(1))}
        )
    return response


def post_to(client: FlaskClient, path: str, data: dict):
    """POST a form with the CSRF token read from the same page."""
    return client.post(path, data={"csrf_token": csrf(client, path), **data})


def sign_in(client: FlaskClient, email: str, password: str = DEMO_PASSWORD):
    """Sign in through the form; for a role with two-step sign-in, give the code too (or, for
    an account not set up yet, set up the app from the key on the set-up page).

    Answers 303 once signed in, 422 or 429 when refused.
    """
    response = post(client, "/sign-in", {"email": email, "password": password})
    return complete_second_step(client, email, response)


def demo_email(role: Role) -> str:
    return next(a.email for a in DEMO_ACCOUNTS if a.role == role)


@pytest.fixture
def as_role(app: Flask):
    """A factory: a test client signed in as the demo account of a role."""

    def make(role: Role) -> FlaskClient:
        client = app.test_client()
        response = sign_in(client, demo_email(role))
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return client

    return make


@pytest.fixture
def make_user(app: Flask):
    """A factory for accounts with the given roles and schools.

    An account whose role needs two-step sign-in comes with it set up (key from
    `demo_mfa_secret`), so that `sign_in` works for it; pass `mfa=False` to leave it unset.
    """
    counter = iter(range(1, 10_000))

    def make(
        *roles: Role,
        schools: tuple[int, ...] = (),
        password: str = DEMO_PASSWORD,
        network_id: int | None = None,
        language: str = "en",
        **fields: object,
    ) -> User:
        n = next(counter)
        mfa_ready = bool(fields.pop("mfa", True))
        data = UserInput(
            email=str(fields.get("email", f"person{n}@test.example.org")),
            name=str(fields.get("name", f"Test Person {n}")),
            preferred_language=language,
            roles=frozenset(roles or (Role.LIAISON,)),
            school_ids=frozenset(schools),
            network_id=network_id,
            password=password,
        )
        with app.test_request_context():
            user = create_user(data, actor_id=None, ip=None, notify=False)
            if mfa_ready and user.needs_mfa:
                # Already set up with the test key, as if at an earlier sign-in; `mfa=False`
                # leaves it to be set up at the first sign-in.
                enrol_with_secret(user, demo_mfa_secret(user.email))
                db.session.commit()
            return user

    return make


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """In CI nothing may be skipped: a skip there means a service or a browser is missing."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which counts as a failure: {report.longrepr}"
