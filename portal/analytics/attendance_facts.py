"""The attendance facts, derived in SQL from the base tables, for some offerings or all.

Each function returns a Select whose columns follow the matching *_COLUMNS list, ready for
INSERT ... SELECT. `offerings` (or `contacts` for visits) narrows it to the rows that a change
touched; None derives every row.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select, union_all

from portal.analytics.sql import local_date
from portal.programmes.models import (
    Attendance,
    Offering,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
    SessionFeedback,
    offering_facilitators,
)
from portal.schools.models import School

# Offerings that count on the dashboard: they took place or are taking place.
HELD = (OfferingStatus.OPEN, OfferingStatus.CLOSED, OfferingStatus.COMPLETED)
# Offerings a facilitator is committed to now.
ACTIVE = (OfferingStatus.DRAFT, OfferingStatus.OPEN, OfferingStatus.CLOSED)

offerings = Offering.__table__
sessions = OfferingSession.__table__
registrations = Registration.__table__
attendance = Attendance.__table__
feedback = SessionFeedback.__table__
programmes = Programme.__table__
schools = School.__table__
facilitators = offering_facilitators


def _only(column: ColumnElement, ids: Collection[int] | None) -> list[ColumnElement]:
    return [] if ids is None else [column.in_(sorted(ids))]


def _held(ids: Collection[int] | None) -> list[ColumnElement]:
    return [offerings.c.status.in_(HELD), *_only(offerings.c.id, ids)]


def _offering_dims() -> tuple[ColumnElement, ...]:
    o = offerings.c
    return (o.school_id, schools.c.network_id, o.programme_id)


def event_days(ids: Collection[int] | None = None) -> Select:
    o, s = offerings.c, sessions.c
    day = local_date(s.starts_at)
    keys = (o.id, day, o.school_id, schools.c.network_id, o.programme_id, o.created_by_id)
    met = (
        select(*keys)
        .select_from(
            sessions.join(offerings, o.id == s.offering_id).outerjoin(
                schools, schools.c.id == o.school_id
            )
        )
        .where(*_held(ids))
        .group_by(*keys)
        .subquery("met")
    )
    m = list(met.c)
    offering, on = m[0], m[1]
    before = func.lag(on).over(partition_by=offering, order_by=on)
    return select(offering, on, before, *m[2:])


EVENT_DAY_COLUMNS = [
    "offering_id",
    "day",
    "prev_day",
    "school_id",
    "network_id",
    "programme_id",
    "created_by_id",
]


def session_facts(ids: Collection[int] | None = None) -> Select:
    o, s, r, a, f = offerings.c, sessions.c, registrations.c, attendance.c, feedback.c
    came = a.checked_in_at.is_not(None)
    seats = (
        select(
            s.id.label("session_id"),
            r.language.label("language"),
            func.count(case((r.walk_in.is_(False), 1))).label("expected"),
            func.count(case((and_(came, r.walk_in.is_(False)), 1))).label("present"),
            func.count(case((and_(came, r.walk_in.is_(True)), 1))).label("walk_ins"),
            *(literal(0).label(m) for m in SESSION_MEASURES[3:]),
        )
        .select_from(
            sessions.join(offerings, o.id == s.offering_id)
            .join(
                registrations,
                and_(r.offering_id == o.id, r.status == RegistrationStatus.REGISTERED),
            )
            .outerjoin(attendance, and_(a.registration_id == r.id, a.session_id == s.id))
        )
        .where(*_held(ids))
        .group_by(s.id, r.language)
    )
    answers = (
        select(
            s.id,
            f.language,
            *(literal(0).label(m) for m in SESSION_MEASURES[:3]),
            func.count(f.id),
            func.sum(f.rating_useful),
            func.sum(f.rating_facilitator),
            func.sum(f.rating_welcome),
        )
        .select_from(
            feedback.join(sessions, s.id == f.session_id).join(offerings, o.id == s.offering_id)
        )
        .where(*_held(ids))
        .group_by(s.id, f.language)
    )
    both = union_all(seats, answers).subquery("both")
    b = both.c
    day = local_date(s.starts_at)
    keys = (b.session_id, s.offering_id, day, *_offering_dims(), b.language)
    return (
        select(*keys, *(func.sum(b[m]) for m in SESSION_MEASURES))
        .select_from(
            both.join(sessions, s.id == b.session_id)
            .join(offerings, o.id == s.offering_id)
            .outerjoin(schools, schools.c.id == o.school_id)
        )
        .group_by(*keys)
    )


SESSION_MEASURES = (
    "expected",
    "present",
    "walk_ins",
    "answers",
    "useful",
    "facilitator",
    "welcome",
)
SESSION_COLUMNS = [
    "session_id",
    "offering_id",
    "day",
    "school_id",
    "network_id",
    "programme_id",
    "language",
    *SESSION_MEASURES,
]


def required(p, n: ColumnElement) -> ColumnElement:
    """Sessions to attend to complete a series of n: the programme's share, rounded up."""
    return (p.completion_numerator * n + p.completion_denominator - 1) // p.completion_denominator


def series_facts(ids: Collection[int] | None = None) -> Select:
    o, s, r, a, p = offerings.c, sessions.c, registrations.c, attendance.c, programmes.c
    series = (
        select(
            s.offering_id.label("offering_id"),
            func.count(s.id).label("n"),
            func.max(s.starts_at).label("last_at"),
        )
        .where(*_only(s.offering_id, ids))
        .group_by(s.offering_id)
        .subquery("series")
    )
    people = (
        select(
            r.id.label("registration_id"),
            r.offering_id.label("offering_id"),
            r.language.label("language"),
            func.count(a.checked_in_at).label("attended"),
            func.count(case((a.homework_done.is_(True), 1))).label("homework"),
        )
        .select_from(registrations.outerjoin(attendance, a.registration_id == r.id))
        .where(r.status == RegistrationStatus.REGISTERED, *_only(r.offering_id, ids))
        .group_by(r.id, r.offering_id, r.language)
        .subquery("people")
    )
    last_day = local_date(series.c.last_at)
    keys = (o.id, last_day, *_offering_dims(), people.c.language)
    return (
        select(
            *keys,
            func.count(people.c.registration_id),
            func.count(case((people.c.attended >= required(p, series.c.n), 1))),
            func.sum(people.c.homework),
            func.sum(people.c.attended),
        )
        .select_from(
            people.join(offerings, o.id == people.c.offering_id)
            .join(series, series.c.offering_id == o.id)
            .join(programmes, p.id == o.programme_id)
            .outerjoin(schools, schools.c.id == o.school_id)
        )
        .where(*_held(ids), series.c.n > 1)
        .group_by(*keys)
    )


SERIES_MEASURES = ("participants", "completed", "homework", "attended")
SERIES_COLUMNS = [
    "offering_id",
    "last_day",
    "school_id",
    "network_id",
    "programme_id",
    "language",
    *SERIES_MEASURES,
]


def visit_facts(contacts: Collection[int] | None = None) -> Select:
    """Check-ins by registration and district day, flagged where a contact's first one is."""
    o, s, r, a = offerings.c, sessions.c, registrations.c, attendance.c
    came = a.checked_in_at.is_not(None)
    checked_in = attendance.join(registrations, r.id == a.registration_id).join(
        sessions, s.id == a.session_id
    )
    firsts = (
        select(r.contact_id.label("contact_id"), func.min(s.starts_at).label("first_at"))
        .select_from(checked_in)
        .where(came, *_only(r.contact_id, contacts))
        .group_by(r.contact_id)
        .subquery("firsts")
    )
    day = local_date(s.starts_at)
    keys = (r.id, r.contact_id, o.id, day, *_offering_dims(), r.language)
    return (
        select(*keys, func.max(case((s.starts_at == firsts.c.first_at, 1), else_=0)))
        .select_from(
            checked_in.join(offerings, o.id == s.offering_id)
            .join(firsts, firsts.c.contact_id == r.contact_id)
            .outerjoin(schools, schools.c.id == o.school_id)
        )
        .where(came, o.status.in_(HELD), *_only(r.contact_id, contacts))
        .group_by(*keys)
    )


VISIT_COLUMNS = [
    "registration_id",
    "contact_id",
    "offering_id",
    "day",
    "school_id",
    "network_id",
    "programme_id",
    "language",
    "first",
]


def facilitator_facts(ids: Collection[int] | None = None) -> Select:
    o, f, p = offerings.c, facilitators.c, programmes.c
    leaders = (
        select(f.offering_id.label("offering_id"), func.count(f.user_id).label("leaders"))
        .where(*_only(f.offering_id, ids))
        .group_by(f.offering_id)
        .subquery("leaders")
    )
    return (
        select(
            o.id,
            f.user_id,
            *_offering_dims(),
            o.seats_taken,
            o.capacity * 1.0 / leaders.c.leaders,
        )
        .select_from(
            facilitators.join(offerings, o.id == f.offering_id)
            .join(leaders, leaders.c.offering_id == o.id)
            .join(programmes, p.id == o.programme_id)
            .outerjoin(schools, schools.c.id == o.school_id)
        )
        .where(p.facilitated.is_(True), o.status.in_(ACTIVE), *_only(o.id, ids))
    )


FACILITATOR_COLUMNS = [
    "offering_id",
    "user_id",
    "school_id",
    "network_id",
    "programme_id",
    "seats_taken",
    "share",
]
