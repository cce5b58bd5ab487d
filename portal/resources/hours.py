"""Weekly opening hours: is a listing open at a moment, and how its week reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from babel.dates import format_time, get_day_names
from sqlalchemy import ColumnElement, and_, exists, or_, select

from portal.resources.models import MINUTES_PER_DAY, OpeningHours, Resource


@dataclass(frozen=True)
class Opening:
    """One opening as staff enter it: a weekday and wall-clock times in the district."""

    weekday: int
    opens: time
    closes: time

    def minutes(self) -> tuple[int, int]:
        """(opens, closes) as stored: closing at 00:00 is midnight at the end of the day."""
        opens = self.opens.hour * 60 + self.opens.minute
        closes = self.closes.hour * 60 + self.closes.minute
        if closes == 0:
            closes = MINUTES_PER_DAY
        return opens, closes


def minute_of(moment: datetime) -> tuple[int, int]:
    """(weekday, minute since midnight) of a wall-clock moment (already in the district)."""
    return moment.weekday(), moment.hour * 60 + moment.minute


def is_open_at(resource: Resource, local: datetime) -> bool:
    """Whether the doors are open at a district wall-clock moment; appointments only: no."""
    weekday, minute = minute_of(local)
    return any(h.covers(weekday, minute) for h in resource.hours)


def open_at_clause(local: datetime) -> ColumnElement[bool]:
    """The SQL twin of is_open_at, so that "open now" filters before paging."""
    weekday, minute = minute_of(local)
    yesterday = (weekday - 1) % 7
    today_open = and_(
        OpeningHours.weekday == weekday,
        OpeningHours.opens <= minute,
        or_(OpeningHours.closes > minute, OpeningHours.closes < OpeningHours.opens),
    )
    # Still open from last night: an opening that runs past midnight.
    from_last_night = and_(
        OpeningHours.weekday == yesterday,
        OpeningHours.closes < OpeningHours.opens,
        OpeningHours.closes > minute,
    )
    return exists(
        select(OpeningHours.id).where(
            OpeningHours.resource_id == Resource.id, or_(today_open, from_last_night)
        )
    )


def closes_at(resource: Resource, local: datetime) -> int | None:
    """The minute of the day the current opening ends (1440 for midnight), when open."""
    weekday, minute = minute_of(local)
    for h in resource.hours:
        if h.covers(weekday, minute):
            if h.closes == MINUTES_PER_DAY and h.opens == 0:
                return None  # open all day: no closing worth announcing
            return h.closes
    return None


def next_opening(resource: Resource, local: datetime) -> tuple[int, int, int] | None:
    """(weekday, minute, days ahead) of the next time the doors open, within a week."""
    weekday, minute = minute_of(local)
    best: tuple[int, int, int] | None = None  # (minutes ahead, weekday, opens)
    for h in resource.hours:
        ahead = ((h.weekday - weekday) % 7) * MINUTES_PER_DAY + h.opens - minute
        if ahead <= 0:
            ahead += 7 * MINUTES_PER_DAY
        if best is None or ahead < best[0]:
            best = (ahead, h.weekday, h.opens)
    if best is None:
        return None
    return best[1], best[2], (best[0] + minute) // MINUTES_PER_DAY


def clock(minute: int, locale: str) -> str:
    """A minute of the day as people write it in the language: '5:30 PM' or '17:30'."""
    minute %= MINUTES_PER_DAY
    return format_time(time(minute // 60, minute % 60), "short", locale=locale)


def day_name(weekday: int, locale: str, *, start: bool = False) -> str:
    """'Monday' or 'lunes'; `start` capitalises it to begin a line ('Lunes')."""
    name = get_day_names("wide", locale=locale)[weekday]
    return name[:1].upper() + name[1:] if start else name


@dataclass(frozen=True)
class DayHours:
    """One line of a listing's week: the day's name and its openings, ready to show."""

    weekday: int
    name: str
    spans: list[tuple[str, str, bool, bool]]  # (opens, closes, past midnight, all day)


def week(resource: Resource, locale: str) -> list[DayHours]:
    """Monday to Sunday, each with its openings in order (empty: closed that day)."""
    days = []
    for weekday in range(7):
        spans = [
            (
                clock(h.opens, locale),
                clock(h.closes, locale),
                h.overnight,
                h.opens == 0 and h.closes == MINUTES_PER_DAY,
            )
            for h in sorted(resource.hours, key=lambda h: h.opens)
            if h.weekday == weekday
        ]
        days.append(DayHours(weekday, day_name(weekday, locale, start=True), spans))
    return days


def check_openings(openings: list[Opening]) -> list[tuple[int, int, int]]:
    """Stored rows (weekday, opens, closes) for openings; ValueError when two overlap a day."""
    rows = []
    for opening in openings:
        opens, closes = opening.minutes()
        if opens == closes:
            raise ValueError("empty opening")
        rows.append((opening.weekday, opens, closes))
    for weekday in range(7):
        spans = sorted((o, c if c > o else MINUTES_PER_DAY) for d, o, c in rows if d == weekday)
        for (_, first_closes), (second_opens, _) in zip(spans, spans[1:], strict=False):
            if second_opens < first_closes:
                raise ValueError("overlapping openings")
    return rows
