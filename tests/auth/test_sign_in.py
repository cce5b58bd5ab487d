"""Signing in and out: generic errors, new sessions, server-side sign-out, timeouts, limits."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import UserSession
from portal.auth.roles import Role
from portal.extensions import db, limiter
from portal.timeutil import utcnow
from tests.conftest import complete_second_step, csrf, demo_email, post, sign_in, statements_sent

TOKEN = re.compile(r"[\w-]+\.[\w-]+\.[\w-]+")
GENERIC = "That email and password do not match an active account."


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_sign_in_succeeds_and_lands_on_account(client, app):
    response = sign_in(client, demo_email(Role.ADMIN))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/account")
    page = client.get("/account").get_data(as_text=True)
    assert "Priya Raman" in page
    assert "sign_in.succeeded" in audit_actions(app)


def test_sign_in_email_is_case_and_space_insensitive(client):
    response = sign_in(client, "  " + demo_email(Role.ADMIN).upper() + " ")
    assert response.status_code == 303


def test_wrong_password_unknown_email_and_inactive_get_the_same_answer(client, app, make_user):
    inactive = make_user(Role.LIAISON)
    with app.test_request_context():
        from portal.admin.services import set_active

        user = db.session.get(type(inactive), inactive.id)
        set_active(user, False, actor_id=None, ip=None)
    answers = []
    for email, password in [
        (demo_email(Role.ADMIN), "not the right password at all"),
        ("nobody-here@test.example.org", "not the right password at all"),
        (inactive.email, "puente demo bridge 2026"),
    ]:
        response = sign_in(client, email, password)
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert GENERIC in body
        # Set aside what legitimately differs: the typed email echoed back, the CSRF tokens.
        answers.append(TOKEN.sub("TOKEN", body.replace(email, "")))
    assert len(set(answers)) == 1
    assert audit_actions(app).count("sign_in.failed") == 3


def test_failed_sign_in_is_audited_with_address_and_never_the_password(client, app):
    sign_in(client, demo_email(Role.ADMIN), "wrong wrong wrong wrong")
    with app.app_context():
        row = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sign_in.failed")
        ).one()
        assert row.ip == "127.0.0.1"
        assert row.detail["email"] == demo_email(Role.ADMIN)
        assert "wrong wrong" not in str(row.detail)


def test_sign_in_starts_a_new_session(client):
    client.get("/")
    before = client.get_cookie("puente_session").value
    sign_in(client, demo_email(Role.ADMIN))
    after = client.get_cookie("puente_session").value
    assert before != after


def test_sign_out_ends_the_session_on_the_server(client, app):
    sign_in(client, demo_email(Role.ADMIN))
    stolen = client.get_cookie("puente_session").value
    response = post(client, "/sign-out")
    assert response.status_code == 303
    assert client.get("/account").status_code == 302
    # Replaying the cookie copied while signed in no longer works.
    other = app.test_client()
    other.set_cookie("puente_session", stolen)
    assert other.get("/account").status_code == 302
    assert "sign_out" in audit_actions(app)


def test_sign_out_needs_csrf(client):
    sign_in(client, demo_email(Role.ADMIN))
    assert client.post("/sign-out").status_code == 400
    assert client.get("/account").status_code == 200


def test_idle_session_expires(client, app):
    sign_in(client, demo_email(Role.ADMIN))
    with app.app_context():
        for session in db.session.scalars(select(UserSession)):
            session.last_seen_at = utcnow() - timedelta(minutes=31)
        db.session.commit()
    assert client.get("/account").status_code == 302


def test_session_has_an_absolute_limit(client, app):
    sign_in(client, demo_email(Role.ADMIN))
    with app.app_context():
        for session in db.session.scalars(select(UserSession)):
            session.created_at = utcnow() - timedelta(hours=13)
        db.session.commit()
    assert client.get("/account").status_code == 302


def test_sign_in_is_limited_per_account_whatever_the_address(app):
    email = demo_email(Role.SPECIALIST)
    for attempt in range(10):
        c = app.test_client()
        response = sign_in(c, email, f"wrong password number {attempt}")
        assert response.status_code == 422
    # The right password from a new client is refused too, until the window passes.
    response = sign_in(app.test_client(), email)
    assert response.status_code == 429
    assert "Too many tries" in response.get_data(as_text=True)
    # Another account is not locked by it.
    assert sign_in(app.test_client(), demo_email(Role.ADMIN)).status_code == 303
    assert "sign_in.throttled" in audit_actions(app)


def test_sign_in_is_limited_per_address(app):
    client = app.test_client()
    statuses = [
        sign_in(client, f"someone{i}@test.example.org", "a wrong password here").status_code
        for i in range(21)
    ]
    assert statuses[:20] == [422] * 20
    assert statuses[20] == 429


def test_limit_holds_under_a_parallel_burst(live_app):
    from concurrent.futures import ThreadPoolExecutor

    email = demo_email(Role.ANALYST)
    token_clients = []
    limiter.reset()
    for _ in range(30):
        c = live_app.test_client()
        token_clients.append((c, csrf(c)))

    def attempt(pair):
        c, token = pair
        return c.post(
            "/sign-in",
            data={"csrf_token": token, "email": email, "password": "guessing in parallel now"},
        ).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(attempt, token_clients))
    assert statuses.count(422) <= 10
    assert statuses.count(429) >= 20


def test_already_signed_in_visitor_skips_the_form(client):
    sign_in(client, demo_email(Role.ADMIN))
    assert client.get("/sign-in").status_code == 302


def test_next_parameter_is_followed_only_within_the_site(client):
    token = csrf(client)
    email = demo_email(Role.ADMIN)
    response = client.post(
        "/sign-in?next=/admin/users",
        data={"csrf_token": token, "email": email, "password": "puente demo bridge 2026"},
    )
    # The address to go back to waits through the second step.
    response = complete_second_step(client, email, response)
    assert response.headers["Location"].endswith("/admin/users")
    client2 = client.application.test_client()
    token = csrf(client2)
    response = client2.post(
        "/sign-in?next=https://evil.example.com/",
        data={"csrf_token": token, "email": email, "password": "puente demo bridge 2026"},
    )
    response = complete_second_step(client2, email, response)
    assert "evil" not in response.headers["Location"]


def test_a_signed_in_request_checks_its_session_in_one_statement(app):
    """The session, the account, its roles and its schools: read together, and not read again
    when the request has committed (to log it, or to pick the language of what follows)."""

    client = app.test_client()
    sign_in(client, demo_email(Role.LIAISON))  # a Spanish-speaking account
    account_reads = re.compile(r"\bFROM (user_sessions|users|user_roles|user_schools)\b")
    with app.app_context():
        engine = db.engine
    with statements_sent(engine) as sent:
        page = client.get("/account")
        assert page.status_code == 200 and 'lang="es"' in page.get_data(as_text=True)
        reads = [s for s in sent if account_reads.search(s)]
        assert len(reads) == 1, reads
        token = csrf(client, "/account")
        sent.clear()
        # Changing language commits, then answers in the new language.
        switched = client.post(
            "/language", data={"csrf_token": token, "lang": "en", "next": "/account"}
        )
        assert switched.status_code == 303
        reads = [s for s in sent if account_reads.search(s)]
        assert len(reads) == 1, reads
    assert 'lang="en"' in client.get("/account").get_data(as_text=True)
