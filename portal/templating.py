"""What templates can call: language, navigation, and formatting in the current language."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_interval, format_skeleton
from babel.dates import format_time as babel_format_time
from flask import Flask, request
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    to_user_timezone,
)

from portal.families.services import display_phone
from portal.i18n import LANGUAGE_NAMES, current_language
from portal.navigation import nav_for


def date_range(first: date, last: date) -> str:
    """'December 21, 2026 – January 1, 2027' or '23–27 de noviembre de 2026', per language."""
    if first == last:
        return format_date(first, "full")
    return format_interval(first, last, "yMMMMd", locale=get_locale())


def when(moment: datetime) -> str:
    """'Mon, Jan 11, 2027, 6:00 PM' or 'lun, 11 ene 2027, 18:00': a session's time, no seconds."""
    local = to_user_timezone(moment)
    locale = get_locale()
    return (
        f"{format_skeleton('yMMMEd', local, locale=locale)}, "
        f"{babel_format_time(local, 'short', locale=locale)}"
    )


def current_path() -> str:
    """This page's path and query, for the language switch to come back to."""
    path = request.full_path
    return path[:-1] if path.endswith("?") else path


def register_templating(app: Flask) -> None:
    @app.context_processor
    def _language() -> dict[str, str]:
        # Every template, page or fragment, knows the language it is rendered in.
        return {"language": current_language()}

    app.jinja_env.globals.update(
        get_locale=get_locale,
        nav_for=nav_for,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        current_path=current_path,
    )
    app.jinja_env.filters.update(
        date=format_date,
        datetime=format_datetime,
        number=format_decimal,
        date_range=date_range,
        when=when,
        phone=display_phone,
    )
