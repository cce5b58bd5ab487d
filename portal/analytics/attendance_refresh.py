"""Keeping the attendance roll-ups fresh: every offering, or only those that changed.

An offering is the unit of change: a change to it, its sessions, its registrations, their
check-ins or their survey answers queues its id (portal/analytics/models.py, in the same
transaction), and rows loaded in bulk are found by their ids past the last pass. Its facts are
derived again, the families registered in it get their visits worked out again (their first
visit anywhere may have moved), and only the periods those rows fall in are summed again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime

from sqlalchemy import Select, delete, func, insert, literal, or_, select

from portal.analytics.attendance_facts import (
    EVENT_DAY_COLUMNS,
    FACILITATOR_COLUMNS,
    SERIES_COLUMNS,
    SERIES_MEASURES,
    SESSION_COLUMNS,
    SESSION_MEASURES,
    VISIT_COLUMNS,
    attendance,
    event_days,
    facilitator_facts,
    feedback,
    offerings,
    registrations,
    series_facts,
    session_facts,
    sessions,
    visit_facts,
)
from portal.analytics.attendance_models import (
    EventDay,
    FacilitatorFact,
    SeriesCube,
    SeriesFact,
    SessionCube,
    SessionFact,
    VisitCube,
    VisitFact,
)
from portal.analytics.cubes import SUMS, Sums, _within, refresh_shape, sum_shape
from portal.analytics.shapes import EVERY_GRAIN, WEEK_MONTH, Shape
from portal.analytics.sql import period_start
from portal.extensions import db

# Past this many changed offerings, rebuilding the attendance roll-ups is quicker.
FULL_ABOVE = 5_000
CHUNK = 500

days_t = EventDay.__table__
session_t = SessionFact.__table__
series_t = SeriesFact.__table__
visit_t = VisitFact.__table__
facilitator_t = FacilitatorFact.__table__
FACT_TABLES = (days_t, session_t, series_t, visit_t, facilitator_t)

# Six programmes and a few languages: the district by programme is small even by day.
SESSION_SHAPES = (
    Shape(SessionCube, "prog", ("programme_id",), EVERY_GRAIN),
    Shape(SessionCube, "proglang", ("programme_id", "language"), EVERY_GRAIN),
    Shape(SessionCube, "network", ("network_id", "programme_id"), WEEK_MONTH),
    Shape(SessionCube, "netlang", ("network_id", "programme_id", "language"), WEEK_MONTH),
)
SERIES_SHAPES = tuple(Shape(SeriesCube, s.name, s.dims, s.grains) for s in SESSION_SHAPES)


def _visit_shapes() -> tuple[Shape, ...]:
    """Distinct families add up neither across rows nor from months to a year: one shape for
    each set of filters (the school filter reads the facts), by month only."""
    named = {
        "all": (),
        "net": ("network_id",),
        "prog": ("programme_id",),
        "lang": ("language",),
        "netprog": ("network_id", "programme_id"),
        "netlang": ("network_id", "language"),
        "proglang": ("programme_id", "language"),
        "npl": ("network_id", "programme_id", "language"),
    }
    return tuple(Shape(VisitCube, name, dims, ("month",)) for name, dims in named.items())


VISIT_SHAPES = _visit_shapes()
SHAPES = SESSION_SHAPES + SERIES_SHAPES + VISIT_SHAPES


def _sums_of(table, date_name: str, measures: tuple[str, ...]):
    def rows(grain: str, starts: set[date] | None, dims: tuple[str, ...]) -> Select:
        t = table.c
        return select(
            period_start(t[date_name], grain).label("period_start"),
            *(t[d] for d in dims),
            *(t[m] for m in measures),
        ).where(_within(t[date_name], grain, starts))

    return rows


def _visit_rows(grain: str, starts: set[date] | None, dims: tuple[str, ...]) -> Select:
    """One row per family in each period and cell, so that summing them counts families."""
    v = visit_t.c
    start = period_start(v.day, grain)
    return (
        select(
            start.label("period_start"),
            *(v[d] for d in dims),
            literal(1).label("families"),
            func.max(v.first).label("new"),
        )
        .where(_within(v.day, grain, starts))
        .group_by(start, *(v[d] for d in dims), v.contact_id)
    )


SUMS.update(
    {
        SessionCube: Sums(
            _sums_of(session_t, "day", SESSION_MEASURES), (), SESSION_MEASURES, ("session",)
        ),
        SeriesCube: Sums(
            _sums_of(series_t, "last_day", SERIES_MEASURES), (), SERIES_MEASURES, ("series",)
        ),
        VisitCube: Sums(_visit_rows, (), ("families", "new"), ("visit",)),
    }
)


def full() -> int:
    """Rebuild every attendance roll-up from the base tables; the number of offerings."""
    for table in (*FACT_TABLES, *{shape.table for shape in SHAPES}):
        db.session.execute(delete(table))
    # Written in date order: a stretch of days is then a run of neighbouring pages, and the
    # indexes grow at their ends instead of everywhere at once (millions of visits).
    for table, columns, rows, day in (
        (days_t, EVENT_DAY_COLUMNS, event_days(), 1),
        (session_t, SESSION_COLUMNS, session_facts(), 2),
        (series_t, SERIES_COLUMNS, series_facts(), 1),
        (visit_t, VISIT_COLUMNS, visit_facts(), 3),
    ):
        ordered = rows.order_by(rows.selected_columns[day])
        db.session.execute(insert(table).from_select(columns, ordered))
    db.session.execute(insert(facilitator_t).from_select(FACILITATOR_COLUMNS, facilitator_facts()))
    for shape in SHAPES:
        for grain in shape.grains:
            sum_shape(shape, grain, None)
    return db.session.scalar(select(func.count()).select_from(offerings)) or 0


def max_ids() -> dict[str, int]:
    def top(table) -> int:
        return db.session.scalar(select(func.max(table.c.id))) or 0

    return {
        "max_offering_id": top(offerings),
        "max_session_id": top(sessions),
        "max_registration_id": top(registrations),
        "max_attendance_id": top(attendance),
        "max_feedback_id": top(feedback),
    }


def changed_offerings(
    state, queued: Iterable[int], moved: set[int], since: datetime | None
) -> set[int]:
    """Offerings queued, at a school that moved network, or with rows past the last ids."""
    ids = set(queued)
    r, a, f, s = registrations.c, attendance.c, feedback.c, sessions.c
    for query in (
        select(offerings.c.id).where(offerings.c.school_id.in_(moved)) if moved else None,
        select(offerings.c.id).where(offerings.c.id > state.max_offering_id),
        select(s.offering_id).where(s.id > state.max_session_id),
        select(r.offering_id).where(r.id > state.max_registration_id),
        _through_registration(attendance, a.id > state.max_attendance_id),
        _through_session(feedback, f.id > state.max_feedback_id),
        *(_since(since) if since else ()),
    ):
        if query is not None:
            ids.update(db.session.scalars(query.distinct()))
    return ids


def _through_registration(table, condition) -> Select:
    r = registrations.c
    return select(r.offering_id).join(table, table.c.registration_id == r.id).where(condition)


def _through_session(table, condition) -> Select:
    s = sessions.c
    return select(s.offering_id).join(table, table.c.session_id == s.id).where(condition)


def _since(since: datetime) -> list[Select]:
    return [
        select(offerings.c.id).where(offerings.c.created_at >= since),
        select(registrations.c.offering_id).where(
            or_(
                registrations.c.created_at >= since,
                registrations.c.cancelled_at >= since,
                registrations.c.promoted_at >= since,
            )
        ),
        _through_registration(attendance, attendance.c.checked_in_at >= since),
        _through_session(feedback, feedback.c.created_at >= since),
    ]


def incremental(ids: set[int]) -> bool:
    """Derive these offerings again; False when there are too many (rebuild instead)."""
    if len(ids) > FULL_ABOVE:
        return False
    touched: dict[str, set[date]] = {"session": set(), "series": set(), "visit": set()}
    contacts: set[int] = set()
    for chunk in _chunks(sorted(ids)):
        contacts.update(
            db.session.scalars(
                select(registrations.c.contact_id).where(registrations.c.offering_id.in_(chunk))
            )
        )
        contacts.update(
            db.session.scalars(
                select(visit_t.c.contact_id).where(visit_t.c.offering_id.in_(chunk)).distinct()
            )
        )
        _note(touched, chunk)
        for table in (days_t, session_t, series_t, facilitator_t):
            db.session.execute(delete(table).where(table.c.offering_id.in_(chunk)))
        db.session.execute(insert(days_t).from_select(EVENT_DAY_COLUMNS, event_days(chunk)))
        db.session.execute(insert(session_t).from_select(SESSION_COLUMNS, session_facts(chunk)))
        db.session.execute(insert(series_t).from_select(SERIES_COLUMNS, series_facts(chunk)))
        db.session.execute(
            insert(facilitator_t).from_select(FACILITATOR_COLUMNS, facilitator_facts(chunk))
        )
        _note(touched, chunk)
    for chunk in _chunks(sorted(contacts)):
        before = _visits_of(chunk)
        db.session.execute(delete(visit_t).where(visit_t.c.contact_id.in_(chunk)))
        db.session.execute(insert(visit_t).from_select(VISIT_COLUMNS, visit_facts(chunk)))
        # A family's visits span months and years: only the rows that changed move a sum.
        touched["visit"].update(row.day for row in before ^ _visits_of(chunk))
    for shape in SHAPES:
        refresh_shape(shape, touched)
    return True


def _note(touched: dict[str, set[date]], chunk: list[int]) -> None:
    for key, table, column in (
        ("session", session_t, session_t.c.day),
        ("series", series_t, series_t.c.last_day),
    ):
        touched[key].update(
            db.session.scalars(select(column).where(table.c.offering_id.in_(chunk)).distinct())
        )


def _visits_of(contacts: list[int]) -> set:
    columns = [visit_t.c[name] for name in VISIT_COLUMNS]
    return set(db.session.execute(select(*columns).where(visit_t.c.contact_id.in_(contacts))))


def tables() -> list:
    """Every attendance roll-up table (for VACUUM after a rebuild)."""
    return [*FACT_TABLES, *{shape.table for shape in SHAPES}]


def _chunks(items: list) -> Iterator[list]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]
