"""Response headers every page carries, and the request id that ties logs together."""

from __future__ import annotations

import re
import secrets

from flask import Flask, Response, g, request, session

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Scripts only from the portal itself: htmx is configured by a <meta> tag, never inline script.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


def assign_request_id() -> None:
    """Use the balancer's request id when it looks like one, otherwise make one."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.match(incoming) else secrets.token_hex(8)


def set_headers(response: Response) -> Response:
    """Security and caching headers, on every response including errors."""
    from flask import current_app

    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if current_app.config.get("HSTS"):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if "request_id" in g:
        headers["X-Request-ID"] = g.request_id
    # Fragments and full pages share URLs: caches must keep them apart.
    response.vary.add("HX-Request")
    if request.endpoint != "static":
        # Pages carry a CSRF token and, for staff, personal data: never stored by a cache.
        # The session is read, not the user: this runs even when the database is down.
        if session.get("_user_id") or request.method != "GET" or g.get("sensitive"):
            headers["Cache-Control"] = "no-store"
        else:
            headers.setdefault("Cache-Control", "no-cache")
    return response


def mark_sensitive() -> None:
    """This response shows personal data to someone without an account: never cache it."""
    g.sensitive = True


def register_security(app: Flask) -> None:
    app.before_request(assign_request_id)
    app.after_request(set_headers)
