"""Date arithmetic that reads the same on PostgreSQL and SQLite, compiled for each."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Date, Integer, event, literal
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement, case


class local_date(FunctionElement):  # noqa: N801 - reads as the SQL function it is
    """The district date of a UTC timestamp column (daylight saving included)."""

    type = Date()
    inherit_cache = True

    def __init__(self, expr: ColumnElement, zone: str | None = None) -> None:
        super().__init__(expr, literal(zone or district_zone_name()))


@compiles(local_date)  # PostgreSQL, and how str() shows a statement
@compiles(local_date, "postgresql")
def _local_date_pg(element, compiler, **kw) -> str:
    expr, zone = list(element.clauses)
    return f"CAST(timezone({compiler.process(zone, **kw)}, {compiler.process(expr, **kw)}) AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element, compiler, **kw) -> str:
    expr, zone = list(element.clauses)
    return f"puente_local_date({compiler.process(expr, **kw)}, {compiler.process(zone, **kw)})"


class _week_start(FunctionElement):
    type = Date()
    inherit_cache = True


class _month_start(FunctionElement):
    type = Date()
    inherit_cache = True


class _year_start(FunctionElement):
    type = Date()
    inherit_cache = True


def period_start(expr: ColumnElement, grain: str) -> ColumnElement:
    """The day itself, the Monday of its ISO week, or the first of its month.

    One class per grain: the grain is part of the SQL text, so it must be part of the cache key.
    """
    if grain == "day":
        return expr
    if grain == "week":
        return _week_start(expr)
    if grain == "month":
        return _month_start(expr)
    if grain == "year":
        return _year_start(expr)
    raise ValueError(grain)


@compiles(_week_start)
@compiles(_week_start, "postgresql")
@compiles(_month_start)
@compiles(_month_start, "postgresql")
@compiles(_year_start)
@compiles(_year_start, "postgresql")
def _period_start_pg(element, compiler, **kw) -> str:
    grain = {_week_start: "week", _month_start: "month", _year_start: "year"}[type(element)]
    (expr,) = list(element.clauses)
    return f"CAST(date_trunc('{grain}', CAST({compiler.process(expr, **kw)} AS TIMESTAMP)) AS DATE)"


@compiles(_week_start, "sqlite")
def _week_start_sqlite(element, compiler, **kw) -> str:
    (expr,) = list(element.clauses)
    # 'weekday 0' moves forward to Sunday (or stays on it); six days back is its Monday.
    return f"date({compiler.process(expr, **kw)}, 'weekday 0', '-6 days')"


@compiles(_month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw) -> str:
    (expr,) = list(element.clauses)
    return f"date({compiler.process(expr, **kw)}, 'start of month')"


@compiles(_year_start, "sqlite")
def _year_start_sqlite(element, compiler, **kw) -> str:
    (expr,) = list(element.clauses)
    return f"date({compiler.process(expr, **kw)}, 'start of year')"


class days_between(FunctionElement):  # noqa: N801
    """Whole calendar days from `earlier` to `later` (two date expressions)."""

    type = Integer()
    inherit_cache = True

    def __init__(self, later: ColumnElement, earlier: ColumnElement) -> None:
        super().__init__(later, earlier)


@compiles(days_between)
@compiles(days_between, "postgresql")
def _days_between_pg(element, compiler, **kw) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


class next_day(FunctionElement):  # noqa: N801
    """The day after a date expression."""

    type = Date()
    inherit_cache = True


@compiles(next_day)
@compiles(next_day, "postgresql")
def _next_day_pg(element, compiler, **kw) -> str:
    (expr,) = list(element.clauses)
    return f"({compiler.process(expr, **kw)} + 1)"


@compiles(next_day, "sqlite")
def _next_day_sqlite(element, compiler, **kw) -> str:
    (expr,) = list(element.clauses)
    return f"date({compiler.process(expr, **kw)}, '+1 day')"


def earliest(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    """The earlier of two nullable dates, ignoring a missing one (LEAST differs by engine)."""
    return case((a.is_(None), b), (b.is_(None), a), (a < b, a), else_=b)


def district_zone_name() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def start_of(day: date, grain: str) -> date:
    if grain == "day":
        return day
    if grain == "year":
        return day.replace(month=1, day=1)
    return week_start(day) if grain == "week" else month_start(day)


def next_period(start: date, grain: str) -> date:
    """The first day of the period after the one starting on `start`."""
    if grain == "day":
        return start + timedelta(days=1)
    if grain == "week":
        return start + timedelta(days=7)
    if grain == "year":
        return start.replace(year=start.year + 1)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _sqlite_local_date(value: str | None, zone: str) -> str | None:
    if value is None:
        return None
    instant = datetime.fromisoformat(value)
    if instant.tzinfo is None:  # stored in UTC without the offset
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(_zone(zone)).date().isoformat()


@event.listens_for(Engine, "connect")
def _register_sqlite_functions(dbapi_connection, _record) -> None:
    # SQLite has no time zones: the district date of a timestamp comes from Python's zoneinfo.
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function(
            "puente_local_date", 2, _sqlite_local_date, deterministic=True
        )
