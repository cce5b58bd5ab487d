"""Business and school days on the district calendar, for service levels and scheduling."""

from __future__ import annotations

from datetime import date, timedelta

from blinker import signal
from sqlalchemy import select

from portal.calendar.models import DayKind, NonSchoolDay
from portal.extensions import db

OFFICE_CLOSED = (DayKind.HOLIDAY, DayKind.BREAK)


def _closed_between(start: date, end: date, kinds: tuple[DayKind, ...]) -> set[date]:
    rows = db.session.scalars(
        select(NonSchoolDay.day).where(
            NonSchoolDay.day.between(start, end), NonSchoolDay.kind.in_(kinds)
        )
    )
    return set(rows)


def is_business_day(day: date) -> bool:
    """A weekday on which district offices are open (teacher work days count)."""
    return day.weekday() < 5 and not _closed_between(day, day, OFFICE_CLOSED)


def is_school_day(day: date) -> bool:
    """A weekday with classes."""
    return day.weekday() < 5 and not _closed_between(day, day, tuple(DayKind))


def add_business_days(start: date, days: int) -> date:
    """The business day `days` business days after `start` (a due date for a service level)."""
    if days < 0:
        raise ValueError("days must not be negative")
    # Winter break plus weekends can swallow three weeks; read the calendar once, generously.
    horizon = start + timedelta(days=days * 2 + 45)
    closed = _closed_between(start, horizon, OFFICE_CLOSED)
    current, left = start, days
    while left:
        current += timedelta(days=1)
        if current > horizon:
            horizon = current + timedelta(days=days * 2 + 45)
            closed |= _closed_between(current, horizon, OFFICE_CLOSED)
        if current.weekday() < 5 and current not in closed:
            left -= 1
    return current


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    closed = _closed_between(start, end, OFFICE_CLOSED)
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in closed:
            count += 1
    return count


def school_year_bounds(today: date) -> tuple[date, date]:
    """1 July to 30 June around `today`: the district's school year."""
    first = today.year if today.month >= 7 else today.year - 1
    return date(first, 7, 1), date(first + 1, 6, 30)


class ClosedPeriod:
    """A run of non-school days that share a name, such as a week of break."""

    def __init__(self, first: NonSchoolDay) -> None:
        self.first = first.day
        self.last = first.day
        self.kind = first.kind
        self.name_en = first.name_en
        self.name_es = first.name_es

    def name(self, language: str) -> str:
        return self.name_es if language == "es" else self.name_en

    @property
    def single_day(self) -> bool:
        return self.first == self.last


def periods(days: list[NonSchoolDay]) -> list[ClosedPeriod]:
    """Merge consecutive days of the same name (weekends between them included) into periods."""
    merged: list[ClosedPeriod] = []
    for day in sorted(days, key=lambda d: d.day):
        last = merged[-1] if merged else None
        gap = (day.day - last.last).days if last else None
        bridges_weekend = (
            gap is not None
            and gap <= 3
            and all((last.last + timedelta(days=i)).weekday() >= 5 for i in range(1, gap))
        )
        if last and day.name_en == last.name_en and (gap == 1 or bridges_weekend):
            last.last = day.day
        else:
            merged.append(ClosedPeriod(day))
    return merged


def days_between(first: date, last: date) -> list[NonSchoolDay]:
    """Every stored non-school day from `first` to `last`, in order."""
    return list(
        db.session.scalars(
            select(NonSchoolDay)
            .where(NonSchoolDay.day.between(first, last))
            .order_by(NonSchoolDay.day)
        )
    )


# Sent after the calendar changes, so that features whose dates hang on it (service levels)
# recompute them in the same transaction without the calendar knowing about them.
calendar_changed = signal("puente.calendar-changed")


class CalendarError(ValueError):
    """A change the calendar cannot take; `field` names the form field at fault."""

    def __init__(self, message: object, field: str) -> None:
        super().__init__(str(message))
        self.field = field


def add_day(
    day: date, kind: DayKind, name_en: str, name_es: str, *, actor_id: int, ip: str | None
) -> NonSchoolDay:
    """Close a weekday (a snow day, a new holiday); open cases' due dates move at once."""
    from flask_babel import lazy_gettext as _l

    from portal.audit.services import record

    if day.weekday() >= 5:
        raise CalendarError(_l("Weekends are never school days; choose a weekday."), "day")
    if db.session.scalar(select(NonSchoolDay.id).where(NonSchoolDay.day == day)):
        raise CalendarError(_l("That day is already on the calendar."), "day")
    row = NonSchoolDay(day=day, kind=kind, name_en=name_en, name_es=name_es)
    db.session.add(row)
    db.session.flush()
    calendar_changed.send(row)
    record(
        "calendar.day_added",
        actor_id=actor_id,
        target=row,
        ip=ip,
        detail={"day": day.isoformat(), "kind": kind.value},
    )
    db.session.commit()
    return row


def remove_day(row: NonSchoolDay, *, actor_id: int, ip: str | None) -> None:
    """Make a closed day a working day again; due dates move back."""
    from portal.audit.services import record

    record(
        "calendar.day_removed",
        actor_id=actor_id,
        target=row,
        ip=ip,
        detail={"day": row.day.isoformat(), "kind": row.kind.value},
    )
    db.session.delete(row)
    db.session.flush()
    calendar_changed.send(row)
    db.session.commit()
