"""Health checks, security headers, request ids, logs and production settings."""

from __future__ import annotations

import json
import logging

import pytest
from flask import request

from portal import create_app
from portal.auth.roles import Role
from portal.config import ConfigError, load
from tests.conftest import portal_config


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["database"] == "ok"


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(portal_config(f"sqlite:///{tmp_path}/missing/dir/puente.db"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_pages_answer_503_in_the_visitors_language_when_the_database_is_down(tmp_path):
    app = create_app(portal_config(f"sqlite:///{tmp_path}/missing/dir/puente.db", TESTING=False))
    response = app.test_client().get("/calendar", headers={"Accept-Language": "es"})
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert '<html lang="es">' in body and "Content-Security-Policy" in response.headers


@pytest.mark.parametrize(
    "path", ["/", "/sign-in", "/no-such-page", "/healthz", "/static/css/portal.css"]
)
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    response.close()
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]:
        assert directive in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # development and tests run on http


def test_pages_have_no_inline_script_or_style_attributes(client, as_role):
    for body in [
        client.get("/").get_data(as_text=True),
        as_role(Role.ADMIN).get("/admin/users/new").get_data(as_text=True),
    ]:
        assert "<script>" not in body and "<script " not in body.replace('<script src="', "")
        assert " style=" not in body and "<style" not in body
        assert " onclick=" not in body and "hx-on" not in body


def test_signed_in_pages_are_not_cached(as_role, client):
    assert as_role(Role.ADMIN).get("/account").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-cache"


def test_request_id_is_returned_and_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="puente.request"):
        response = client.get("/calendar?child=Maria", headers={"X-Request-ID": "lb-1234567890"})
    assert response.headers["X-Request-ID"] == "lb-1234567890"
    record = next(r for r in caplog.records if r.name == "puente.request")
    assert record.request_id == "lb-1234567890"
    assert record.path == "/calendar" and record.status == 200
    assert "Maria" not in json.dumps(record.__dict__, default=str)


def test_request_log_counts_sql_statements_and_names_the_user(as_role, caplog):
    client = as_role(Role.ADMIN)
    with caplog.at_level(logging.INFO, logger="puente.request"):
        client.get("/account")
        client.get("/healthz")
    lines = {r.path: r for r in caplog.records if r.name == "puente.request"}
    account, health = lines["/account"], lines["/healthz"]
    assert account.db_statements >= 1 and account.db_ms >= 0 and account.cpu_ms >= 0
    assert isinstance(account.user_id, int)
    assert health.db_statements == 0 and health.user_id is None


def test_forged_request_ids_are_replaced(client):
    response = client.get("/", headers={"X-Request-ID": "bad id <script>"})
    assert response.headers["X-Request-ID"] != "bad id <script>"
    assert len(response.headers["X-Request-ID"]) == 16


def test_log_lines_are_json(app, capsys):
    handler = logging.getLogger("puente").handlers[0]
    record = logging.LogRecord(
        "puente.request", logging.INFO, __file__, 1, "line one\nforged line", None, None
    )
    line = handler.format(record)
    assert "\n" not in line
    assert json.loads(line)["message"] == "line one\nforged line"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PUENTE_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load()
    monkeypatch.setenv("SECRET_KEY", "too-short")
    with pytest.raises(ConfigError, match="at least 32"):
        load()


def test_production_settings_are_strict(monkeypatch):
    monkeypatch.setenv("PUENTE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.internal/puente")
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    config = load()
    assert config["SESSION_COOKIE_SECURE"] and config["HSTS"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal/puente"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    assert config["DEMO_DATA_ALLOWED"] is False


def test_hsts_in_production(tmp_path, monkeypatch):
    app = create_app(portal_config(f"sqlite:///{tmp_path}/p.db", HSTS=True))
    assert "max-age" in app.test_client().get("/healthz").headers["Strict-Transport-Security"]


def test_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("PUENTE_ENV", "staging")
    with pytest.raises(ConfigError):
        load()


def test_client_forwarding_headers_are_ignored_without_a_proxy(client, app):
    from sqlalchemy import select

    from portal.audit.models import AuditEvent
    from portal.extensions import db
    from tests.conftest import csrf

    token = csrf(client)
    client.post(
        "/sign-in",
        data={"csrf_token": token, "email": "x@test.example.org", "password": "whatever whatever"},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    with app.app_context():
        row = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert row.ip == "127.0.0.1"


def test_a_requests_logged_time_includes_the_hooks_that_run_first(app, client, caplog):
    # The dashboards' access check runs before every other hook and signs the person in: the
    # time it takes is the request's too.
    import time

    def slow_first() -> None:
        if request.path == "/healthz":
            time.sleep(0.05)

    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(0, slow_first)
    try:
        with caplog.at_level(logging.INFO, logger="puente.request"):
            assert client.get("/healthz").status_code == 200
    finally:
        hooks.remove(slow_first)
    record = next(r for r in caplog.records if r.name == "puente.request")
    assert record.duration_ms >= 50
