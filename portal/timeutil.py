"""Time helpers: one clock for the whole portal, stored in UTC on every database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always aware and in UTC, also on SQLite, which drops the zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use portal.timeutil.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def district_today() -> date:
    """Today's date in the district's time zone."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    return utcnow().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def district_zone():  # noqa: ANN201
    """The district's time zone (BABEL_DEFAULT_TIMEZONE), for turning local times into UTC."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def district_datetime(day: date, at: time) -> datetime:
    """A wall-clock time on a day in the district, as an aware UTC instant."""
    return datetime.combine(day, at, tzinfo=district_zone()).astimezone(UTC)


def to_district(instant: datetime) -> datetime:
    return instant.astimezone(district_zone())
