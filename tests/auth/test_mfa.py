"""Two-step sign-in: who must set it up, the code step, replays, recovery codes, limits, reset."""

from __future__ import annotations

import logging
import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth import mfa
from portal.auth.models import MfaRecoveryCode, User, UserRole, UserSession
from portal.auth.roles import MFA_ROLES, Role
from portal.auth.services import password_problems
from portal.demo import DEMO_PASSWORD, demo_mfa_secret
from portal.extensions import db, limiter
from tests.conftest import (
    MFA_SECRET_TEXT,
    csrf,
    current_code,
    demo_email,
    forget_last_code,
    post,
    post_to,
    sign_in,
)

RECOVERY = re.compile(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>")
NO_MFA_ROLES = sorted(set(Role) - MFA_ROLES)


def password_step(client, email: str, password: str = DEMO_PASSWORD):
    return post(client, "/sign-in", {"email": email, "password": password})


def audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


def fresh(app, user: User) -> User:
    with app.app_context():
        return db.session.get(User, user.id)


def open_sessions(app, user: User) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        )


def enrol(client, email: str):
    """Set up the app on the set-up page, as a person would; returns the page's key."""
    page = client.get("/sign-in/set-up")
    assert page.status_code == 200
    secret = MFA_SECRET_TEXT.search(page.get_data(as_text=True)).group(1).replace(" ", "")
    response = post_to(client, "/sign-in/set-up", {"code": pyotp.TOTP(secret).now()})
    return secret, response


@pytest.mark.parametrize("role", sorted(MFA_ROLES))
def test_each_role_that_reads_referrals_or_child_safety_cases_must_set_up_mfa(app, make_user, role):
    user = make_user(role, mfa=False)
    client = app.test_client()
    response = password_step(client, user.email)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/sign-in/set-up")
    # Nothing else is reachable before the app is set up: not even the account page.
    for path in ("/account", "/admin/users", "/cases/", "/dashboards/"):
        assert client.get(path).status_code == 302, path
    assert open_sessions(app, user) == 0


@pytest.mark.parametrize("role", NO_MFA_ROLES)
def test_other_roles_sign_in_with_a_password(app, make_user, role):
    user = make_user(role)
    response = password_step(app.test_client(), user.email)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/account")


def test_enrolment_shows_a_qr_code_and_the_key_then_needs_a_right_code(app, make_user):
    user = make_user(Role.SOCIAL_WORKER, mfa=False)
    client = app.test_client()
    password_step(client, user.email)
    page = client.get("/sign-in/set-up")
    body = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "<svg" in body and 'role="img"' in body
    secret = MFA_SECRET_TEXT.search(body).group(1).replace(" ", "")
    assert len(secret) == 32
    # Reloading the page shows the same key: the app the person already scanned keeps working.
    assert secret in client.get("/sign-in/set-up").get_data(as_text=True).replace(" ", "")
    # The key is stored encrypted.
    stored = fresh(app, user).mfa_secret
    assert stored and secret not in stored

    wrong = post_to(client, "/sign-in/set-up", {"code": "000000"})
    assert wrong.status_code == 422
    assert "That code is not right" in wrong.get_data(as_text=True)
    assert not fresh(app, user).mfa_enrolled

    before = client.get_cookie("puente_session").value
    done = post_to(client, "/sign-in/set-up", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = RECOVERY.findall(done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get_cookie("puente_session").value != before
    assert client.get("/account").status_code == 200
    assert fresh(app, user).mfa_enrolled
    assert [e.actor_id for e in audit(app, "mfa.enrolled")][-1] == user.id
    with app.app_context():
        hashes = db.session.scalars(
            select(MfaRecoveryCode.code_hash).where(MfaRecoveryCode.user_id == user.id)
        ).all()
    assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(code.replace("-", "") in h for h in hashes for code in codes)


def test_a_key_shown_before_set_up_is_finished_dies_with_that_sign_in(app, make_user):
    """Someone else with the password sees the set-up page first (or later): the key they saw
    must not open the account once its owner finishes setting up their own app."""
    user = make_user(Role.SOCIAL_WORKER, mfa=False)
    intruder = app.test_client()
    password_step(intruder, user.email)
    seen = MFA_SECRET_TEXT.search(intruder.get("/sign-in/set-up").get_data(as_text=True))
    seen = seen.group(1).replace(" ", "")
    owner = app.test_client()
    password_step(owner, user.email)
    secret, response = enrol(owner, user.email)
    assert response.status_code == 200 and fresh(app, user).mfa_enrolled
    assert secret != seen
    forget_last_code(app, user.email)
    password_step(intruder, user.email)
    refused = post_to(intruder, "/sign-in/code", {"code": pyotp.TOTP(seen).now()})
    assert refused.status_code == 422
    assert intruder.get("/account").status_code != 200


def test_the_sign_in_helper_sets_up_an_account_that_has_no_app_yet(app, make_user):
    user = make_user(Role.CASEWORKER, mfa=False)
    client = app.test_client()
    response = sign_in(client, user.email)
    assert response.status_code == 303 and response.headers["Location"].endswith("/account")
    assert client.get("/account").status_code == 200
    assert fresh(app, user).mfa_enrolled


def test_the_session_begins_only_after_the_code_and_gets_a_new_id(app, make_user):
    user = make_user(Role.CASEWORKER)
    client = app.test_client()
    response = password_step(client, user.email)
    assert response.headers["Location"].endswith("/sign-in/code")
    pending_cookie = client.get_cookie("puente_session").value
    assert client.get("/account").status_code == 302
    assert open_sessions(app, user) == 0
    assert audit(app, "sign_in.password_accepted")
    response = post_to(client, "/sign-in/code", {"code": current_code(user.email)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/account")
    assert client.get_cookie("puente_session").value != pending_cookie
    assert client.get("/account").status_code == 200
    assert open_sessions(app, user) == 1
    assert audit(app, "mfa.succeeded")[-1].actor_id == user.id
    assert audit(app, "sign_in.succeeded")[-1].detail == {"mfa": True}


def test_a_wrong_code_is_refused_and_audited(app, make_user):
    user = make_user(Role.SPECIALIST)
    client = app.test_client()
    password_step(client, user.email)
    response = post_to(client, "/sign-in/code", {"code": "123456"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "That code is not right" in body and 'aria-invalid="true"' in body
    for junk in ("", "12345", "abcdef", "1234567", "١٢٣٤٥٦"):
        assert post_to(client, "/sign-in/code", {"code": junk}).status_code == 422
    assert client.get("/account").status_code == 302
    assert audit(app, "mfa.failed")[0].detail == {"reason": "wrong"}


def test_the_code_step_speaks_spanish(app, make_user):
    user = make_user(Role.SOCIAL_WORKER, language="es")
    client = app.test_client()
    client.post("/language", data={"csrf_token": csrf(client), "lang": "es", "next": "/"})
    password_step(client, user.email)
    page = client.get("/sign-in/code").get_data(as_text=True)
    assert 'lang="es"' in page


def test_a_code_is_accepted_once(app, make_user):
    user = make_user(Role.SOCIAL_WORKER)
    code = current_code(user.email)
    first = app.test_client()
    password_step(first, user.email)
    assert post_to(first, "/sign-in/code", {"code": code}).status_code == 303
    # Someone who watched the code being typed, within the same 30 seconds: refused.
    second = app.test_client()
    password_step(second, user.email)
    response = post_to(second, "/sign-in/code", {"code": code})
    assert response.status_code == 422
    assert audit(app, "mfa.failed")[-1].detail == {"reason": "replayed"}


def test_replay_guard_and_clock_drift_in_the_service(app, make_user):
    user = make_user(Role.SOCIAL_WORKER)
    totp = pyotp.TOTP(demo_mfa_secret(user.email))
    now = time.time()
    with app.test_request_context():
        account = db.session.get(User, user.id)
        # A phone 30 seconds slow is accepted; an older code, or one a step older than the
        # last one used, is not.
        assert mfa.check_code(account, totp.at(now - 30), now=now) == "ok"
        assert mfa.check_code(account, totp.at(now - 30), now=now) == "replayed"
        assert mfa.check_code(account, totp.at(now - 90), now=now) == "wrong"
        assert mfa.check_code(account, totp.at(now), now=now) == "ok"
        assert mfa.check_code(account, totp.at(now), now=now) == "replayed"
        assert mfa.check_code(account, totp.at(now + 30), now=now) == "ok"


def test_a_recovery_code_works_once(app, make_user):
    user = make_user(Role.ADMIN, mfa=False)
    client = app.test_client()
    password_step(client, user.email)
    _, response = enrol(client, user.email)
    codes = RECOVERY.findall(response.get_data(as_text=True))

    second = app.test_client()
    password_step(second, user.email)
    assert second.get("/sign-in/recovery").status_code == 200
    # Typed with spaces and capitals: still the code.
    typed = codes[3].upper().replace("-", " ")
    response = post_to(second, "/sign-in/recovery", {"code": typed})
    assert response.status_code == 303
    assert second.get("/account").status_code == 200

    third = app.test_client()
    password_step(third, user.email)
    assert post_to(third, "/sign-in/recovery", {"code": codes[3]}).status_code == 422
    assert third.get("/account").status_code == 302
    assert [e.detail for e in audit(app, "mfa.succeeded")][-1] == {"method": "recovery"}
    with app.test_request_context():
        assert mfa.remaining_recovery_codes(db.session.get(User, user.id)) == 9


def test_new_recovery_codes_replace_the_old_set(app, make_user):
    user = make_user(Role.ADMIN, mfa=False)
    client = app.test_client()
    password_step(client, user.email)
    _, response = enrol(client, user.email)
    old = RECOVERY.findall(response.get_data(as_text=True))
    assert "10 unused recovery codes" in client.get("/account").get_data(as_text=True)
    page = post_to(client, "/account/recovery-codes", {})
    new = RECOVERY.findall(page.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    other = app.test_client()
    password_step(other, user.email)
    assert post_to(other, "/sign-in/recovery", {"code": old[0]}).status_code == 422


def test_the_code_step_is_limited_per_account(app, make_user):
    user = make_user(Role.SENIOR_MANAGER)
    for attempt in range(10):
        client = app.test_client()
        with client.session_transaction() as session:
            session["mfa_pending"] = {"uid": user.id, "at": int(time.time()), "next": ""}
        assert post_to(client, "/sign-in/code", {"code": f"{attempt:06d}"}).status_code == 422
    # The right code, from a fresh browser, is refused too until the window passes.
    client = app.test_client()
    password_step(client, user.email)
    response = post_to(client, "/sign-in/code", {"code": current_code(user.email)})
    assert response.status_code == 429
    assert "Too many tries" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    assert audit(app, "mfa.throttled")[-1].actor_id == user.id
    # Recovery codes share the account's allowance.
    assert post_to(client, "/sign-in/recovery", {"code": "aaaaa-bbbbb"}).status_code == 429
    # Another account is not locked by it.
    assert sign_in(app.test_client(), demo_email(Role.ADMIN)).status_code == 303


def test_the_code_step_is_limited_per_address(app, make_user):
    users = [make_user(Role.SOCIAL_WORKER) for _ in range(3)]
    client = app.test_client()
    statuses = []
    for attempt in range(21):
        with client.session_transaction() as session:
            uid = users[attempt % 3].id
            session["mfa_pending"] = {"uid": uid, "at": int(time.time()), "next": ""}
        statuses.append(post_to(client, "/sign-in/code", {"code": "999999"}).status_code)
    assert statuses[:20] == [422] * 20
    assert statuses[20] == 429


def test_limit_holds_under_a_parallel_burst(live_app):
    from concurrent.futures import ThreadPoolExecutor

    with live_app.app_context():
        user = db.session.scalars(
            select(User).where(User.email == demo_email(Role.CASEWORKER))
        ).one()
        uid = user.id
    limiter.reset()
    clients = []
    for _ in range(30):
        c = live_app.test_client()
        with c.session_transaction() as session:
            session["mfa_pending"] = {"uid": uid, "at": int(time.time()), "next": ""}
        clients.append((c, csrf(c, "/sign-in/code")))

    def attempt(pair):
        c, token = pair
        return c.post("/sign-in/code", data={"csrf_token": token, "code": "314159"}).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(attempt, clients))
    limiter.reset()
    assert statuses.count(422) <= 10
    assert statuses.count(429) >= 20


def test_the_pending_step_expires(app, make_user):
    user = make_user(Role.SOCIAL_WORKER)
    client = app.test_client()
    with client.session_transaction() as session:
        session["mfa_pending"] = {"uid": user.id, "at": int(time.time()) - 11 * 60, "next": ""}
    response = client.get("/sign-in/code")
    assert response.status_code == 303 and response.headers["Location"].endswith("/sign-in")
    # And without any password step at all, the code pages lead back to the sign-in form.
    for path in ("/sign-in/code", "/sign-in/set-up", "/sign-in/recovery"):
        assert app.test_client().get(path).headers["Location"].endswith("/sign-in")


def test_admin_resets_a_users_mfa(app, as_role, make_user):
    user = make_user(Role.SOCIAL_WORKER)
    theirs = app.test_client()
    assert sign_in(theirs, user.email).status_code == 303
    admin = as_role(Role.ADMIN)
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Reset two-step sign-in" in page
    # No CSRF token: refused, nothing changes.
    assert admin.post(f"/admin/users/{user.id}/mfa-reset").status_code == 400
    assert fresh(app, user).mfa_enrolled
    token = csrf(admin, f"/admin/users/{user.id}")
    response = admin.post(f"/admin/users/{user.id}/mfa-reset", data={"csrf_token": token})
    assert response.status_code == 303
    account = fresh(app, user)
    assert not account.mfa_enrolled and account.mfa_secret is None
    with app.app_context():
        left = select(func.count()).select_from(MfaRecoveryCode)
        assert not db.session.scalar(left.where(MfaRecoveryCode.user_id == user.id))
    # Signed out everywhere; the next sign-in sets up a new app.
    assert theirs.get("/account").status_code == 302
    assert (
        password_step(app.test_client(), user.email).headers["Location"].endswith("/sign-in/set-up")
    )
    row = audit(app, "mfa.reset")[-1]
    assert row.target_id == str(user.id) and row.actor_id is not None


def test_only_admins_reset_mfa(app, as_role, make_user):
    user = make_user(Role.SOCIAL_WORKER)
    for role in (Role.SENIOR_MANAGER, Role.SOCIAL_WORKER, Role.LIAISON):
        client = as_role(role)
        token = csrf(client, "/account")
        response = client.post(f"/admin/users/{user.id}/mfa-reset", data={"csrf_token": token})
        assert response.status_code == 403, role
    assert fresh(app, user).mfa_enrolled


def test_a_role_given_while_signed_in_ends_the_session_until_mfa(app, make_user):
    user = make_user(Role.LIAISON)
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 303
    assert client.get("/account").status_code == 200
    with app.app_context():
        db.session.add(UserRole(user_id=user.id, role=Role.SOCIAL_WORKER))
        db.session.commit()
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    assert open_sessions(app, user) == 0
    again = app.test_client()
    assert password_step(again, user.email).headers["Location"].endswith("/sign-in/set-up")


def test_password_length_is_8_with_mfa_and_15_without(app, make_user):
    with app.test_request_context():
        assert password_problems("Zq7#vLp2xw", mfa=True) == []
        assert "at least 15" in password_problems("Zq7#vLp2xw", mfa=False)[0]
        assert "at least 8" in password_problems("Zq7#vL", mfa=True)[0]
        # Common passwords stay refused, whatever the length rule.
        assert password_problems("password123", mfa=True)
        assert password_problems("x" * 64 + " lantern quartz", mfa=False) == []
    enrolled = make_user(Role.SOCIAL_WORKER)
    client = app.test_client()
    sign_in(client, enrolled.email)
    page = client.get("/account").get_data(as_text=True)
    assert "At least 8 characters" in page
    token = csrf(client, "/account")
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": DEMO_PASSWORD,
            "new_password": "Zq7#vLp2xw",
            "confirm": "Zq7#vLp2xw",
        },
    )
    assert response.status_code == 303
    plain = make_user(Role.LIAISON)
    other = app.test_client()
    sign_in(other, plain.email)
    token = csrf(other, "/account")
    response = other.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": DEMO_PASSWORD,
            "new_password": "Zq7#vLp2xw",
            "confirm": "Zq7#vLp2xw",
        },
    )
    assert response.status_code == 422


def test_no_secret_or_code_in_logs_urls_or_audit(app, make_user, caplog, capsys):
    user = make_user(Role.CASEWORKER, mfa=False)
    client = app.test_client()
    with caplog.at_level(logging.DEBUG):
        first = password_step(client, user.email)
        secret, response = enrol(client, user.email)
        codes = RECOVERY.findall(response.get_data(as_text=True))
        post(client, "/sign-out")
        second = app.test_client()
        password_step(second, user.email)
        forget_last_code(app, user.email)
        code = pyotp.TOTP(secret).now()
        last = post_to(second, "/sign-in/code", {"code": code})
    assert last.status_code == 303
    logged = "\n".join(r.getMessage() + " " + str(r.__dict__) for r in caplog.records)
    logged += capsys.readouterr().err
    spaced = " ".join(secret[i : i + 4] for i in range(0, 32, 4))
    with app.app_context():
        trail = " ".join(str(e.detail) for e in db.session.scalars(select(AuditEvent)))
    for text in (logged, trail, first.headers["Location"], last.headers["Location"]):
        assert secret not in text and spaced not in text
        assert code not in text
        assert not any(c in text for c in codes)


def test_mfa_code_command_serves_demo_accounts_outside_production_only(app, monkeypatch):
    runner = app.test_cli_runner()
    email = demo_email(Role.SOCIAL_WORKER)
    result = runner.invoke(args=["users", "mfa-code", email])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == current_code(email)
    assert runner.invoke(args=["users", "mfa-code", demo_email(Role.LIAISON)]).exit_code != 0
    monkeypatch.setitem(app.config, "PUENTE_ENV", "production")
    refused = runner.invoke(args=["users", "mfa-code", email])
    assert refused.exit_code != 0 and "production" in refused.output


def test_demo_sign_ins_say_how_to_get_the_code(app):
    output = app.test_cli_runner().invoke(args=["seed", "accounts"]).output
    line = next(x for x in output.splitlines() if demo_email(Role.CASEWORKER) in x)
    assert demo_mfa_secret(demo_email(Role.CASEWORKER)) in line
    assert "make mfa-code" in output
    liaison = next(x for x in output.splitlines() if demo_email(Role.LIAISON) in x)
    assert "key" not in liaison


def test_demo_accounts_from_before_mfa_get_their_key_when_the_demo_loads_again(app):
    from portal.demo import load_demo
    from tests.conftest import DEMO_TODAY

    email = demo_email(Role.SPECIALIST)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        user.mfa_secret = user.mfa_enrolled_at = None
        db.session.commit()
        load_demo(DEMO_TODAY)
        user = db.session.scalars(select(User).where(User.email == email)).one()
        assert user.mfa_enrolled
        assert mfa.decrypt_secret(user.mfa_secret) == demo_mfa_secret(email)
