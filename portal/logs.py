"""Structured logs: one JSON line per request, with the request id and no personal data."""

from __future__ import annotations

import logging
import sys
import time

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter

log = logging.getLogger("puente.request")


class RequestIdFilter(logging.Filter):
    """Stamp every record made during a request with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        from flask import has_request_context

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

    @app.before_request
    def _start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        if request.endpoint == "static":
            return response
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
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
                "user_id": g._login_user.id if _signed_in() else None,
                "htmx": request.headers.get("HX-Request") == "true",
            },
        )
        return response


def _signed_in() -> bool:
    # Only a user already loaded for this request: logging never queries the database.
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated)
