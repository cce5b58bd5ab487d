"""Error pages in the visitor's language, as a full page or as an htmx fragment."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db
from portal.htmx import is_fragment_request

log = logging.getLogger("puente.errors")

MESSAGES = {
    400: (
        _l("Something in that request was not right"),
        _l("Please go back, check what you entered and try again."),
    ),
    401: (_l("Please sign in"), _l("You need to sign in to see this page.")),
    403: (
        _l("This page is not available to you"),
        _l(
            "Your account does not have access to this page. If you think it should, "
            "ask your administrator."
        ),
    ),
    404: (
        _l("We could not find that page"),
        _l("The address may be mistyped, or the page may have moved."),
    ),
    405: (
        _l("That action is not available here"),
        _l("Please go back and use the buttons on the page."),
    ),
    413: (
        _l("That was too much to send at once"),
        _l("Please shorten what you wrote, or send it in parts."),
    ),
    422: (
        _l("Something in that request was not right"),
        _l("Please go back, check what you entered and try again."),
    ),
    429: (
        _l("Too many tries"),
        _l("For your safety we have paused this for a few minutes. Please wait and try again."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("We have been told about it. Please try again in a few minutes."),
    ),
    503: (
        _l("Puente is briefly unavailable"),
        _l(
            "We are working on it. Nothing you already sent has been lost. Please try again "
            "in a few minutes."
        ),
    ),
}
CSRF_MESSAGE = (
    _l("This form has expired"),
    _l(
        "For your safety, forms expire. Please go back, reload the page and try "
        "again. Nothing you saved before has been lost."
    ),
)


def render_error(status: int, title=None, message=None):
    """The error page (or fragment, for htmx) with the given status."""
    default_title, default_message = MESSAGES.get(status, MESSAGES[500])
    template = "errors/_error.html" if is_fragment_request() else "errors/error.html"
    body = render_template(
        template, status=status, title=title or default_title, message=message or default_message
    )
    return body, status


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, *CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 401:
            return render_error(401)
        return render_error(error.code)

    @app.errorhandler(OperationalError)
    def database_down(error: OperationalError):
        db.session.rollback()
        g.database_down = True
        log.error(
            "database unavailable",
            extra={"error": type(error.orig).__name__, "reason": str(error.orig)[:120]},
        )
        return render_error(503)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        db.session.rollback()
        original = getattr(error, "original_exception", None)
        if isinstance(original, OperationalError):
            return database_down(original)
        log.exception("unhandled error", exc_info=original)
        return render_error(500)
