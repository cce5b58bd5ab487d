"""Liaison event attendance: events, show-up, new and returning families, surveys, completion.

Every figure is one or two aggregate queries in the database; an event counts in a date range
by its sessions' days in the district. District-wide offerings (no host school) count only
when no school or network is asked for.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, func, select

from portal.analytics.filters import Filters, Scope
from portal.analytics.sql import local_date, period_start
from portal.analytics.tables import Table, rate, small
from portal.auth.models import User, UserRole
from portal.auth.roles import Role
from portal.extensions import db
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
from portal.timeutil import district_zone

HELD = (OfferingStatus.OPEN, OfferingStatus.CLOSED, OfferingStatus.COMPLETED)


def _offering_scope(query: Select[Any], f: Filters, s: Scope) -> Select[Any]:
    """Restrict a query that already joins Offering to the filters' school/network/programme."""
    query = query.where(Offering.status.in_(HELD))
    network = s.network(f)
    if f.school_id is not None or network is not None:
        query = query.join(School, School.id == Offering.school_id)
        if f.school_id is not None:
            query = query.where(Offering.school_id == f.school_id)
        if network is not None:
            query = query.where(School.network_id == network)
    if f.programme_id is not None:
        query = query.where(Offering.programme_id == f.programme_id)
    return query


def _sessions_in_range(query: Select[Any], f: Filters) -> Select[Any]:
    first, after = f.instants(district_zone())
    return query.where(OfferingSession.starts_at >= first, OfferingSession.starts_at < after)


def _month(column: Any) -> Any:
    """The first day of the district month of a timestamp, on either engine."""
    return period_start(local_date(column), "month")


def events_by(f: Filters, s: Scope, by: str = "school") -> Table:
    """How many events (offerings with a session in the range) each school or liaison ran."""
    held = _sessions_in_range(
        select(OfferingSession.offering_id).join(
            Offering, Offering.id == OfferingSession.offering_id
        ),
        f,
    )
    held = _offering_scope(held, f, s).distinct().subquery()
    if by == "liaison":
        liaisons = select(UserRole.user_id).where(UserRole.role == Role.LIAISON)
        query = (
            select(User.name, func.count(held.c.offering_id))
            .select_from(held)
            .join(Offering, Offering.id == held.c.offering_id)
            .join(User, User.id == Offering.created_by_id)
            .where(User.id.in_(liaisons))
            .group_by(User.id, User.name)
        )
        label = "liaison"
    else:
        query = (
            select(School.name, func.count(held.c.offering_id))
            .select_from(held)
            .join(Offering, Offering.id == held.c.offering_id)
            .join(School, School.id == Offering.school_id)
            .group_by(School.id, School.name)
        )
        label = "school"
    rows = sorted(db.session.execute(query), key=lambda r: (-r[1], r[0]))
    return Table((label, "events"), [(name, small(n, s.suppress_small)) for name, n in rows])


def show_up(f: Filters, s: Scope) -> Table:
    """By month: seats expected at sessions, who came, walk-ins, and the show-up rate."""
    month = _month(OfferingSession.starts_at).label("month")
    came = Attendance.checked_in_at.is_not(None)
    query = (
        select(
            month,
            func.count(case((Registration.walk_in.is_(False), 1))),
            func.count(case((and_(came, Registration.walk_in.is_(False)), 1))),
            func.count(case((and_(came, Registration.walk_in.is_(True)), 1))),
        )
        .select_from(OfferingSession)
        .join(Offering, Offering.id == OfferingSession.offering_id)
        .join(
            Registration,
            and_(
                Registration.offering_id == Offering.id,
                Registration.status == RegistrationStatus.REGISTERED,
            ),
        )
        .outerjoin(
            Attendance,
            and_(
                Attendance.registration_id == Registration.id,
                Attendance.session_id == OfferingSession.id,
            ),
        )
        .group_by(month)
        .order_by(month)
    )
    if f.language:
        query = query.where(Registration.language == f.language)
    query = _offering_scope(_sessions_in_range(query, f), f, s)
    rows = []
    for period, expected, present, walk_ins in db.session.execute(query):
        rows.append(
            (
                str(period)[:10],
                small(expected, s.suppress_small),
                small(present, s.suppress_small),
                small(walk_ins, s.suppress_small),
                rate(present, expected, s.suppress_small),
            )
        )
    return Table(("month", "registered", "checked_in", "walk_ins", "show_up_rate"), rows)


def new_vs_returning(f: Filters, s: Scope) -> Table:
    """By month: families at an event for the first time, and those who came back."""
    first_visit = (
        select(
            Registration.contact_id.label("contact_id"),
            func.min(OfferingSession.starts_at).label("first_at"),
        )
        .join(Attendance, Attendance.registration_id == Registration.id)
        .join(OfferingSession, OfferingSession.id == Attendance.session_id)
        .where(Attendance.checked_in_at.is_not(None))
        .group_by(Registration.contact_id)
        .subquery()
    )
    month = _month(OfferingSession.starts_at).label("month")
    visits = (
        select(
            month,
            Registration.contact_id.label("contact_id"),
            func.min(OfferingSession.starts_at).label("visit_at"),
        )
        .select_from(Attendance)
        .join(Registration, Registration.id == Attendance.registration_id)
        .join(OfferingSession, OfferingSession.id == Attendance.session_id)
        .join(Offering, Offering.id == OfferingSession.offering_id)
        .where(Attendance.checked_in_at.is_not(None))
        .group_by(month, Registration.contact_id)
    )
    if f.language:
        visits = visits.where(Registration.language == f.language)
    visits = _offering_scope(_sessions_in_range(visits, f), f, s).subquery()
    is_new = visits.c.visit_at <= first_visit.c.first_at
    query = (
        select(
            visits.c.month,
            func.count(case((is_new, 1))),
            func.count(case((~is_new, 1))),
        )
        .join(first_visit, first_visit.c.contact_id == visits.c.contact_id)
        .group_by(visits.c.month)
        .order_by(visits.c.month)
    )
    rows = [
        (str(m)[:10], small(new, s.suppress_small), small(back, s.suppress_small))
        for m, new, back in db.session.execute(query)
    ]
    return Table(("month", "new_families", "returning_families"), rows)


def survey_ratings(f: Filters, s: Scope, language: str = "en") -> Table:
    """By programme: answers to the session survey and the average of each 1-5 rating."""
    name = Programme.name_es if language == "es" else Programme.name_en
    query = (
        select(
            name,
            func.count(SessionFeedback.id),
            func.avg(SessionFeedback.rating_useful),
            func.avg(SessionFeedback.rating_facilitator),
            func.avg(SessionFeedback.rating_welcome),
        )
        .select_from(SessionFeedback)
        .join(OfferingSession, OfferingSession.id == SessionFeedback.session_id)
        .join(Offering, Offering.id == OfferingSession.offering_id)
        .join(Programme, Programme.id == Offering.programme_id)
        .group_by(Programme.id, name)
        .order_by(name)
    )
    if f.language:
        query = query.where(SessionFeedback.language == f.language)
    query = _offering_scope(_sessions_in_range(query, f), f, s)
    rows = []
    for programme, answers, useful, facilitator, welcome in db.session.execute(query):
        hidden = s.suppress_small and answers < 10
        rows.append(
            (
                programme,
                small(answers, s.suppress_small),
                *(None if hidden else round(float(v), 2) for v in (useful, facilitator, welcome)),
            )
        )
    return Table(("programme", "answers", "useful", "facilitator", "welcome"), rows)


def completion(f: Filters, s: Scope, language: str = "en") -> Table:
    """By programme, for series whose last session is in the range: who completed them.

    A participant completes by attending at least the programme's share of the sessions
    (rounded up, as portal.programmes.completion does); homework is done / attended, for the
    programmes that assign it.
    """
    sessions = (
        select(
            OfferingSession.offering_id.label("offering_id"),
            func.count(OfferingSession.id).label("n"),
            func.max(OfferingSession.starts_at).label("last_at"),
        )
        .group_by(OfferingSession.offering_id)
        .subquery()
    )
    per_person = (
        select(
            Registration.id.label("registration_id"),
            Registration.offering_id.label("offering_id"),
            func.count(Attendance.checked_in_at).label("attended"),
            func.count(case((Attendance.homework_done.is_(True), 1))).label("homework"),
        )
        .outerjoin(Attendance, Attendance.registration_id == Registration.id)
        .where(Registration.status == RegistrationStatus.REGISTERED)
        .group_by(Registration.id, Registration.offering_id)
    )
    if f.language:
        per_person = per_person.where(Registration.language == f.language)
    per_person = per_person.subquery()
    required = (
        Programme.completion_numerator * sessions.c.n + Programme.completion_denominator - 1
    ) // Programme.completion_denominator
    name = Programme.name_es if language == "es" else Programme.name_en
    first, after = f.instants(district_zone())
    query = (
        select(
            name,
            Programme.assigns_homework,
            func.count(per_person.c.registration_id),
            func.count(case((per_person.c.attended >= required, 1))),
            func.coalesce(func.sum(per_person.c.homework), 0),
            func.coalesce(func.sum(per_person.c.attended), 0),
        )
        .select_from(per_person)
        .join(Offering, Offering.id == per_person.c.offering_id)
        .join(sessions, sessions.c.offering_id == Offering.id)
        .join(Programme, Programme.id == Offering.programme_id)
        .where(sessions.c.last_at >= first, sessions.c.last_at < after, sessions.c.n > 1)
        .group_by(Programme.id, name, Programme.assigns_homework)
        .order_by(name)
    )
    query = _offering_scope(query, f, s)
    rows = []
    for programme, homework_set, people, done, homework, attended in db.session.execute(query):
        rows.append(
            (
                programme,
                small(people, s.suppress_small),
                small(done, s.suppress_small),
                rate(done, people, s.suppress_small),
                rate(int(homework), int(attended), s.suppress_small) if homework_set else None,
            )
        )
    return Table(
        ("programme", "participants", "completed", "completion_rate", "homework_rate"), rows
    )


def facilitator_load(f: Filters, s: Scope) -> Table:
    """Now: each facilitator's active cohorts, parents registered, and seats they lead."""
    leaders = (
        select(
            offering_facilitators.c.offering_id,
            func.count(offering_facilitators.c.user_id).label("leaders"),
        )
        .group_by(offering_facilitators.c.offering_id)
        .subquery()
    )
    query = (
        select(
            User.name,
            func.count(Offering.id),
            func.coalesce(func.sum(Offering.seats_taken), 0),
            func.coalesce(func.sum(Offering.capacity * 1.0 / leaders.c.leaders), 0),
        )
        .select_from(offering_facilitators)
        .join(User, User.id == offering_facilitators.c.user_id)
        .join(Offering, Offering.id == offering_facilitators.c.offering_id)
        .join(leaders, leaders.c.offering_id == Offering.id)
        .join(Programme, Programme.id == Offering.programme_id)
        .where(
            Programme.facilitated.is_(True),
            Offering.status.in_((OfferingStatus.DRAFT, OfferingStatus.OPEN, OfferingStatus.CLOSED)),
        )
        .group_by(User.id, User.name)
        .order_by(User.name)
    )
    network = s.network(f)
    if f.school_id is not None or network is not None:
        query = query.join(School, School.id == Offering.school_id)
        if f.school_id is not None:
            query = query.where(Offering.school_id == f.school_id)
        if network is not None:
            query = query.where(School.network_id == network)
    if f.programme_id is not None:
        query = query.where(Offering.programme_id == f.programme_id)
    rows = [
        (
            name,
            small(cohorts, s.suppress_small),
            small(int(parents), s.suppress_small),
            round(float(committed)),
        )
        for name, cohorts, parents, committed in db.session.execute(query)
    ]
    return Table(("facilitator", "cohorts", "parents", "committed"), rows)


def title_one_coverage(f: Filters, s: Scope) -> Table:
    """Title I schools that held an event in the range, and those not reached yet."""
    held = _sessions_in_range(
        select(Offering.school_id)
        .select_from(OfferingSession)
        .join(Offering, Offering.id == OfferingSession.offering_id)
        .where(Offering.status.in_(HELD), Offering.school_id.is_not(None)),
        f,
    )
    if f.programme_id is not None:
        held = held.where(Offering.programme_id == f.programme_id)
    reached = School.id.in_(held)
    query = select(func.count(case((reached, 1))), func.count(case((~reached, 1)))).where(
        School.active.is_(True), School.title_i.is_(True)
    )
    network = s.network(f)
    if network is not None:
        query = query.where(School.network_id == network)
    if f.school_id is not None:
        query = query.where(School.id == f.school_id)
    yes, no = db.session.execute(query).one()
    return Table(
        ("status", "schools"),
        [("reached", small(yes, s.suppress_small)), ("not_reached", small(no, s.suppress_small))],
    )


__all__ = [
    "completion",
    "events_by",
    "facilitator_load",
    "new_vs_returning",
    "show_up",
    "survey_ratings",
    "title_one_coverage",
]
