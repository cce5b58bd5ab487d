"""Structured logs: one JSON line per request, with the request id and no personal data."""

from __future__ import annotations

import logging
import sys
import time

from flask import Flask, g, has_request_context, request, request_started
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine

log = logging.getLogger("puente.request")


class RequestIdFilter(logging.Filter):
    """Stamp every record made during a request with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


def configure_logging(app: Flask) -> None:
    """Send the portal's logs to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger("puente")
    root.handlers[:] = [handler]
    root.setLevel(app.config["LOG_LEVEL"])
    root.propagate = False
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(app.config["LOG_LEVEL"])

    def _start_timer(_sender: Flask, **_extra: object) -> None:
        g.started = time.perf_counter()
        g.started_cpu = time.thread_time()

    # Before every before_request hook, the dashboards' access check (signing the person in)
    # included: a hook that ran first was left out of the request's logged time.
    request_started.connect(_start_timer, app, weak=False)

    @app.after_request
    def _log_request(response):
        if request.endpoint == "static":
            return response
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        # CPU of this request's thread: its own work, without the waits for the database or
        # for other threads, so that a slow request can be told from a busy server.
        cpu = (time.thread_time() - g.get("started_cpu", time.thread_time())) * 1000
        # The route, not the path: a path can carry a family's cancel code, and a query
        # string what they typed. Unmatched paths are logged cut short.
        rule = request.url_rule.rule if request.url_rule else request.path[:80]
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": rule,
                "endpoint": request.endpoint,
                "status": response.status_code,
                "duration_ms": round(elapsed, 1),
                "cpu_ms": round(cpu, 1),
                "db_statements": g.get("db_statements", 0),
                "db_ms": round(g.get("db_seconds", 0.0) * 1000, 1),
                "user_id": _signed_in_user_id(),
                "htmx": request.headers.get("HX-Request") == "true",
            },
        )
        return response


def _signed_in_user_id() -> int | None:
    # Only a user already loaded for this request, and only the key its row was loaded by:
    # reading an attribute after a commit would load the account again just to log it.
    state = inspect(g.get("_login_user"), raiseerr=False)
    return state.identity[0] if state is not None and state.identity else None


def watch_statements(engine: Engine) -> None:
    """Count each request's SQL statements and the time spent in them, for its log line."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        if has_request_context():
            conn.info["statement_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        started = conn.info.pop("statement_started", None)
        if started is not None and has_request_context():
            g.db_statements = g.get("db_statements", 0) + 1
            g.db_seconds = g.get("db_seconds", 0.0) + time.perf_counter() - started
