"""What templates can call: language, navigation, and formatting in the current language."""

from __future__ import annotations

from datetime import date

from babel.dates import format_interval
from flask import Flask, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from portal.families.services import display_phone
from portal.i18n import LANGUAGE_NAMES
from portal.navigation import nav_for


def date_range(first: date, last: date) -> str:
    """'December 21, 2026 – January 1, 2027' or '23–27 de noviembre de 2026', per language."""
    if first == last:
        return format_date(first, "full")
    return format_interval(first, last, "yMMMMd", locale=get_locale())


def current_path() -> str:
    """This page's path and query, for the language switch to come back to."""
    path = request.full_path
    return path[:-1] if path.endswith("?") else path


def register_templating(app: Flask) -> None:
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
        phone=display_phone,
    )
