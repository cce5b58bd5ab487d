"""Dash inside the portal: the page around it, who may reach it, and its security headers.

Dash adds its routes straight onto the Flask app, so access is decided by one hook on the URL
prefix (WIRING.md, "Dash inside the portal"): signed out, the page redirects to sign-in and
Dash's own requests get 401 (an XHR cannot follow a redirect); signed in without a dashboard
role, 403.
"""

from __future__ import annotations

from dash import Dash
from flask import Flask, abort, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Engine

from portal.auth.roles import Role
from portal.extensions import db, login_manager
from portal.security import CSP

PREFIX = "/dashboards/"

# Leadership, analysts (aggregates only) and, for events, the FACE office.
DASHBOARD_ROLES = frozenset(
    {Role.SENIOR_MANAGER, Role.SUPERINTENDENT, Role.ANALYST, Role.PROGRAMME_STAFF}
)


class PortalDash(Dash):
    """A Dash app whose page is the portal's own: header, navigation, language, styles."""

    def interpolate_index(self, **kwargs: str) -> str:
        return render_template("dashboards/shell.html", **kwargs)


def _is_dash_request() -> bool:
    return request.path.startswith(PREFIX + "_dash-") or request.path.startswith(
        PREFIX + "_reload-hash"
    )


def guard():  # noqa: ANN201
    """Before every request under the prefix: signed in, with a dashboard role."""
    if not request.path.startswith(PREFIX):
        return None
    if request.method == "POST" and request.path == PREFIX + "_dash-update-component":
        read_only_connection()
    if not current_user.is_authenticated:
        if _is_dash_request():
            abort(401)
        return login_manager.unauthorized()
    if not current_user.has_role(*DASHBOARD_ROLES):
        abort(403)
    if request.method == "GET" and request.endpoint == PREFIX + "<path:path>":
        # A dashboard's own address: Dash would serve its page for any path and say "not
        # found" inside it with a 200; the status says it too (bookmarks, monitors, crawlers).
        from dashboards.catalogue import DASHBOARDS

        dashboard = DASHBOARDS.get(str((request.view_args or {}).get("path", "")).strip("/"))
        if dashboard is None:
            abort(404)
        if not current_user.has_role(*dashboard.roles):
            abort(403)
    if request.method == "POST" and request.path == PREFIX + "_dash-update-component":
        # Dash answers a malformed callback with a 500; a clear 400 is the honest answer.
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict) or not {"output", "inputs"} <= payload.keys():
            abort(400)
    return None


def read_only_connection() -> None:
    """A callback only reads (the person's session, then one figure): its statements run each
    on its own, without BEGIN before them and ROLLBACK after, two of its five round trips to
    the database. Set before the request's first statement, on the connection it will use
    (a session already at work, or bound to a connection as in tests, is left as it is).
    PostgreSQL only: on SQLite the portal opens every transaction itself (BEGIN IMMEDIATE)."""
    session = db.session()
    fresh = isinstance(session.get_bind(), Engine) and not session.in_transaction()
    if fresh and db.engine.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def dashboard_csp(hashes: list[str]) -> str:
    """The portal's policy, with Dash's one inline script allowed by hash.

    Plotly and Dash inject <style> elements at run time, so styles need 'unsafe-inline' on
    these pages only (WIRING.md, "Content-Security-Policy").
    """
    script = "script-src 'self' " + " ".join(hashes)
    directives = []
    for directive in CSP.split("; "):
        if directive.startswith("script-src"):
            directives.append(script)
        elif directive.startswith("style-src"):
            directives.append("style-src 'self' 'unsafe-inline'")
        else:
            directives.append(directive)
    return "; ".join(directives)


def install(app: Flask, dash_app: Dash) -> None:
    """The access hook first (before the portal's own), headers and the CSRF cookie after."""
    app.before_request_funcs.setdefault(None, []).insert(0, guard)
    policy = dashboard_csp(dash_app.csp_hashes())

    @app.after_request
    def dashboard_headers(response):  # noqa: ANN001, ANN202
        if request.path.startswith(PREFIX):
            response.headers["Content-Security-Policy"] = policy
            if request.method == "GET" and not _is_dash_request():
                # Dash's renderer sends this cookie back as X-CSRFToken on every callback.
                response.set_cookie(
                    "_csrf_token",
                    generate_csrf(),
                    secure=app.config.get("SESSION_COOKIE_SECURE", False),
                    samesite="Strict",
                    httponly=False,
                    path=PREFIX,
                )
        return response
