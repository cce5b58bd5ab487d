"""Language: which one a request is served in, and the switch on every page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user

from portal.access import public
from portal.auth.services import set_language
from portal.extensions import limiter

bp = Blueprint("i18n", __name__)

LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def select_locale() -> str:
    """The account's language, then the one chosen in this browser, then the browser's own."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the command line: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    forced = g.get("forced_locale")
    if forced in languages:  # an address that is itself in one language, like /preguntar
        return forced
    # While the database is down the account cannot be read; the session still can.
    if not g.get("database_down") and current_user and current_user.is_authenticated:
        language = current_user.loaded_language or current_user.preferred_language
        if language in languages:
            return language
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


# Addresses that are themselves in one language, and where the same page lives for the others.
LANGUAGE_ADDRESSES = {"/preguntar": ("es", "/ask")}


def page_for_language(target: str, language: str) -> str:
    """Switching away from a one-language address lands on the same page's general address."""
    path, _, query = target.partition("?")
    fixed = LANGUAGE_ADDRESSES.get(path)
    if fixed and fixed[0] != language:
        return fixed[1] + (f"?{query}" if query else "")
    return target


def safe_next(target: str | None) -> str:
    """A local path to go back to; anything pointing elsewhere becomes the home page."""
    if not target:
        return url_for("main.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.home")
    if "\\" in target or any(ord(c) < 32 for c in target):
        return url_for("main.home")
    return target


@bp.post("/language")
@public
@limiter.limit("60 per minute")
def switch():
    """Change language and come back to the same page."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            set_language(current_user, lang)
    target = page_for_language(safe_next(request.form.get("next")), lang)
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=204)
        response.headers["HX-Refresh"] = "true"
        return response
    return redirect(target, code=303)


def current_language() -> str:
    return str(get_locale() or "en")
