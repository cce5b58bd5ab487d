"""Liaison event attendance: events, show-up, new and returning families, surveys, completion.

Each figure reads the attendance roll-ups (portal/analytics/attendance_models.py) and has a
`plain_` twin that computes the same Table from the base tables; both end in the same function
that sorts, labels and suppresses. An event counts in a date range by its sessions' days in
the district; district-wide offerings (no host school) count only when no school or network is
asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, or_, select

from portal.analytics.attendance_facts import HELD, SERIES_MEASURES, SESSION_MEASURES, required
from portal.analytics.attendance_models import (
    EventDay,
    FacilitatorFact,
    SeriesFact,
    SessionFact,
    VisitFact,
)
from portal.analytics.attendance_refresh import SERIES_SHAPES, SESSION_SHAPES, VISIT_SHAPES
from portal.analytics.filters import Filters, Scope
from portal.analytics.query import Family, _facts, _shape, read, split, sums
from portal.analytics.sql import local_date, period_start
from portal.analytics.tables import NOT_APPLICABLE, Table, part, rate, small
from portal.auth.models import User, UserRole
from portal.auth.roles import Role
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


@dataclass(frozen=True)
class Chosen:
    """Filters and scope merged, as the attendance roll-ups are filtered."""

    start: date
    end: date
    network_id: int | None
    school_id: int | None
    programme_id: int | None
    language: str | None
    suppress: bool

    @property
    def empty(self) -> bool:
        return self.start > self.end

    def dims(self) -> dict[str, object]:
        values = {
            "network_id": self.network_id,
            "school_id": self.school_id,
            "programme_id": self.programme_id,
            "language": self.language,
        }
        return {name: value for name, value in values.items() if value is not None}


def chosen(f: Filters, s: Scope, *, language: bool = True) -> Chosen:
    """The scope's network wins over the filters'; `language` False: a figure it does not
    narrow (events are not in a language)."""
    return Chosen(
        start=f.start,
        end=f.end,
        network_id=s.network(f),
        school_id=f.school_id,
        programme_id=f.programme_id,
        language=(f.language or None) if language else None,
        suppress=s.suppress_small,
    )


def _where(table, sel: Chosen) -> list[ColumnElement]:
    return [table.c[name] == value for name, value in sel.dims().items()]


_DIMS = ("school_id", "network_id", "programme_id", "language")
_s = SessionFact.__table__.c
SESSIONS = Family(
    facts=(_facts(SessionFact, "day", {m: _s[m] for m in SESSION_MEASURES}, dims=_DIMS),),
    cubes=tuple(_shape(shape, {m: m for m in SESSION_MEASURES}) for shape in SESSION_SHAPES),
)
_r = SeriesFact.__table__.c
SERIES = Family(
    facts=(_facts(SeriesFact, "last_day", {m: _r[m] for m in SERIES_MEASURES}, dims=_DIMS),),
    cubes=tuple(_shape(shape, {m: m for m in SERIES_MEASURES}) for shape in SERIES_SHAPES),
)


def _programmes(ids: list[int], language: str) -> dict[int, tuple[str, bool]]:
    name = Programme.name_es if language == "es" else Programme.name_en
    query = select(Programme.id, name, Programme.assigns_homework).where(Programme.id.in_(ids))
    return {pid: (label, homework) for pid, label, homework in read(query)}


# Events by school or liaison ----------------------------------------------------------------


def events_by(f: Filters, s: Scope, by: str = "school") -> Table:
    """How many events (offerings with a session in the range) each school or liaison ran."""
    sel = chosen(f, s, language=False)
    e = EventDay.__table__
    key = e.c.school_id if by == "school" else e.c.created_by_id
    counted = (
        select(key.label("key"), func.count().label("n"))
        .where(
            e.c.day.between(sel.start, sel.end),
            # Its first day in the range: one row per offering, no DISTINCT needed.
            or_(e.c.prev_day.is_(None), e.c.prev_day < sel.start),
            *_where(e, sel),
        )
        .group_by(key)
    )
    return _events(counted.subquery(), sel, by)


def plain_events_by(f: Filters, s: Scope, by: str = "school") -> Table:
    sel = chosen(f, s, language=False)
    held = _offering_scope(
        _sessions_in_range(
            select(OfferingSession.offering_id).join(
                Offering, Offering.id == OfferingSession.offering_id
            ),
            f,
        ),
        f,
        s,
    )
    held = held.distinct().subquery()
    key = Offering.school_id if by == "school" else Offering.created_by_id
    counted = (
        select(key.label("key"), func.count(held.c.offering_id).label("n"))
        .select_from(held)
        .join(Offering, Offering.id == held.c.offering_id)
        .group_by(key)
    )
    return _events(counted.subquery(), sel, by)


def _events(counted, sel: Chosen, by: str) -> Table:
    """Names joined in the database: a figure by school has a row for most of 1,800."""
    if by == "liaison":
        label, table = "liaison", User
        liaisons = select(UserRole.user_id).where(UserRole.role == Role.LIAISON)
        named = select(User.name, User.id, counted.c.n).where(User.id.in_(liaisons))
    else:
        label, table = "school", School
        named = select(School.name, School.id, counted.c.n)
    rows = [] if sel.empty else read(named.join(counted, counted.c.key == table.id))
    kept = sorted((-n, name, key) for name, key, n in rows if n)
    return Table((label, "events"), [(name, small(-n, sel.suppress)) for n, name, _ in kept])


# Show-up ----------------------------------------------------------------------------------


def show_up(f: Filters, s: Scope) -> Table:
    """By month: seats expected at sessions, who came, walk-ins, and the show-up rate."""
    sel = chosen(f, s)
    measures = ("expected", "present", "walk_ins")
    rows = [] if sel.empty else sums(SESSIONS, sel, (), measures, period="month")
    return _show_up(rows, sel)


def plain_show_up(f: Filters, s: Scope) -> Table:
    sel = chosen(f, s)
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
    )
    if f.language:
        query = query.where(Registration.language == f.language)
    query = _offering_scope(_sessions_in_range(query, f), f, s)
    return _show_up([] if sel.empty else read(query), sel)


def _show_up(rows: list, sel: Chosen) -> Table:
    shown = []
    for period, expected, present, walk_ins in sorted(rows, key=lambda row: str(row[0])):
        if not (expected or present or walk_ins):
            continue  # only languages' survey answers that month: no one was expected
        shown.append(
            (
                str(period)[:10],
                small(expected, sel.suppress),
                part(present, expected, sel.suppress),
                small(walk_ins, sel.suppress),
                rate(present, expected, sel.suppress),
            )
        )
    return Table(("month", "registered", "checked_in", "walk_ins", "show_up_rate"), shown)


# New and returning families ---------------------------------------------------------------


def new_vs_returning(f: Filters, s: Scope) -> Table:
    """By month: families at an event for the first time, and those who came back.

    Whole months come from the cube shape with exactly the filters asked for (distinct
    families never add up across its rows); months cut by the range, and a school, from the
    facts.
    """
    sel = chosen(f, s)
    if sel.empty:
        return _visits([], sel)
    wanted = sel.dims()
    shape = None
    if "school_id" not in wanted:
        shape = next((sh for sh in VISIT_SHAPES if set(sh.dims) == set(wanted)), None)
    months, days = [], [(sel.start, sel.end)]
    if shape is not None:
        parts = split(sel.start, sel.end, "month", shape.grains)
        months = [part for part in parts if part.grain == "month"]
        days = [(part.lo, part.hi) for part in parts if part.grain == "day"]
    rows: list = []
    if months:
        c = shape.table.c
        rows += read(
            select(c.period_start, c.families - c.new, c.new).where(
                c.shape == shape.name,
                c.grain == "month",
                or_(*(c.period_start.between(p.lo, p.hi) for p in months)),
                *(c[name] == value for name, value in wanted.items()),
            )
        )
    if days:
        v = VisitFact.__table__.c
        month = period_start(v.day, "month")
        families = func.count(func.distinct(v.contact_id))
        new = func.count(func.distinct(case((v.first == 1, v.contact_id))))
        rows += read(
            select(month, families - new, new)
            .where(
                or_(*(v.day.between(lo, hi) for lo, hi in days)),
                *_where(VisitFact.__table__, sel),
            )
            .group_by(month)
        )
    return _visits([(m, new, back) for m, back, new in rows], sel)


def plain_new_vs_returning(f: Filters, s: Scope) -> Table:
    sel = chosen(f, s)
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
    )
    return _visits([] if sel.empty else read(query), sel)


def _visits(rows: list, sel: Chosen) -> Table:
    kept = sorted((str(m)[:10], new, back) for m, new, back in rows if new or back)
    return Table(
        ("month", "new_families", "returning_families"),
        [(m, small(new, sel.suppress), small(back, sel.suppress)) for m, new, back in kept],
    )


# Survey ratings ---------------------------------------------------------------------------

RATINGS = ("useful", "facilitator", "welcome")


def survey_ratings(f: Filters, s: Scope, language: str = "en") -> Table:
    """By programme: answers to the session survey and the average of each 1-5 rating."""
    sel = chosen(f, s)
    measures = ("answers", *RATINGS)
    rows = [] if sel.empty else sums(SESSIONS, sel, ("programme_id",), measures)
    return _survey(rows, sel, language)


def plain_survey_ratings(f: Filters, s: Scope, language: str = "en") -> Table:
    sel = chosen(f, s)
    query = (
        select(
            Offering.programme_id,
            func.count(SessionFeedback.id),
            func.sum(SessionFeedback.rating_useful),
            func.sum(SessionFeedback.rating_facilitator),
            func.sum(SessionFeedback.rating_welcome),
        )
        .select_from(SessionFeedback)
        .join(OfferingSession, OfferingSession.id == SessionFeedback.session_id)
        .join(Offering, Offering.id == OfferingSession.offering_id)
        .group_by(Offering.programme_id)
    )
    if f.language:
        query = query.where(SessionFeedback.language == f.language)
    query = _offering_scope(_sessions_in_range(query, f), f, s)
    return _survey([] if sel.empty else read(query), sel, language)


def _survey(rows: list, sel: Chosen, language: str) -> Table:
    names = _programmes([row[0] for row in rows], language)
    shown = []
    for name, _, answers, *totals in sorted(
        (names[pid][0], pid, *row) for pid, *row in rows if pid in names and row[0]
    ):
        hidden = sel.suppress and answers < 10
        averages = (None if hidden else round(int(t) / answers, 2) for t in totals)
        shown.append((name, small(answers, sel.suppress), *averages))
    return Table(("programme", "answers", *RATINGS), shown)


# Series completion ------------------------------------------------------------------------


def completion(f: Filters, s: Scope, language: str = "en") -> Table:
    """By programme, for series whose last session is in the range: who completed them.

    A participant completes by attending at least the programme's share of the sessions
    (rounded up, as portal.programmes.completion does); homework is done / attended, for the
    programmes that assign it.
    """
    sel = chosen(f, s)
    rows = [] if sel.empty else sums(SERIES, sel, ("programme_id",), SERIES_MEASURES)
    return _completion(rows, sel, language)


def plain_completion(f: Filters, s: Scope, language: str = "en") -> Table:
    sel = chosen(f, s)
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
    first, after = f.instants(district_zone())
    query = (
        select(
            Programme.id,
            func.count(per_person.c.registration_id),
            func.count(case((per_person.c.attended >= required(Programme, sessions.c.n), 1))),
            func.sum(per_person.c.homework),
            func.sum(per_person.c.attended),
        )
        .select_from(per_person)
        .join(Offering, Offering.id == per_person.c.offering_id)
        .join(sessions, sessions.c.offering_id == Offering.id)
        .join(Programme, Programme.id == Offering.programme_id)
        .where(sessions.c.last_at >= first, sessions.c.last_at < after, sessions.c.n > 1)
        .group_by(Programme.id)
    )
    query = _offering_scope(query, f, s)
    return _completion([] if sel.empty else read(query), sel, language)


def _completion(rows: list, sel: Chosen, language: str) -> Table:
    names = _programmes([row[0] for row in rows], language)
    shown = []
    for name, pid, people, done, homework, attended in sorted(
        (names[pid][0], pid, *row) for pid, *row in rows if pid in names and row[0]
    ):
        assigns = names[pid][1]
        homework, attended = int(homework or 0), int(attended or 0)
        shown.append(
            (
                name,
                small(people, sel.suppress),
                part(done, people, sel.suppress),
                rate(done, people, sel.suppress),
                rate(homework, attended, sel.suppress) if assigns else NOT_APPLICABLE,
            )
        )
    return Table(
        ("programme", "participants", "completed", "completion_rate", "homework_rate"), shown
    )


# Facilitator load -------------------------------------------------------------------------

ACTIVE = (OfferingStatus.DRAFT, OfferingStatus.OPEN, OfferingStatus.CLOSED)


def facilitator_load(f: Filters, s: Scope) -> Table:
    """Now: each facilitator's active cohorts, parents registered, and seats they lead."""
    sel = chosen(f, s, language=False)
    dims = sel.dims()
    return _load(read(_facilitator_sums(tuple(sorted(dims))), dims), sel)


@cache
def _facilitator_sums(dims: tuple[str, ...]) -> Select:
    # Built once for each set of filters, their values bound when it runs: building it cost a
    # quarter of what running it does, and the figure is small (bench/dashboards.py).
    t = FacilitatorFact.__table__
    sums = (
        select(
            t.c.user_id.label("user_id"),
            func.count().label("cohorts"),
            func.sum(t.c.seats_taken).label("parents"),
            func.sum(t.c.share).label("committed"),
        )
        .where(*(t.c[name] == bindparam(name) for name in dims))
        .group_by(t.c.user_id)
    )
    return _named(sums)


def plain_facilitator_load(f: Filters, s: Scope) -> Table:
    sel = chosen(f, s, language=False)
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
            offering_facilitators.c.user_id.label("user_id"),
            func.count(Offering.id).label("cohorts"),
            func.sum(Offering.seats_taken).label("parents"),
            func.sum(Offering.capacity * 1.0 / leaders.c.leaders).label("committed"),
        )
        .select_from(offering_facilitators)
        .join(Offering, Offering.id == offering_facilitators.c.offering_id)
        .join(leaders, leaders.c.offering_id == Offering.id)
        .join(Programme, Programme.id == Offering.programme_id)
        .where(Programme.facilitated.is_(True), Offering.status.in_(ACTIVE))
        .group_by(offering_facilitators.c.user_id)
    )
    if sel.school_id is not None or sel.network_id is not None:
        query = query.join(School, School.id == Offering.school_id)
        if sel.school_id is not None:
            query = query.where(Offering.school_id == sel.school_id)
        if sel.network_id is not None:
            query = query.where(School.network_id == sel.network_id)
    if sel.programme_id is not None:
        query = query.where(Offering.programme_id == sel.programme_id)
    return _load(read(_named(query)), sel)


def _named(query: Select) -> Select:
    """Each facilitator's sums, named in the same statement (one round trip, not two)."""
    load = query.subquery()
    return select(User.name, User.id, load.c.cohorts, load.c.parents, load.c.committed).join(
        load, load.c.user_id == User.id
    )


def _load(rows: list, sel: Chosen) -> Table:
    kept = sorted(rows)
    return Table(
        ("facilitator", "cohorts", "parents", "committed"),
        [
            (
                name,
                small(cohorts, sel.suppress),
                small(int(parents or 0), sel.suppress),
                round(float(committed or 0)),
            )
            for name, _, cohorts, parents, committed in kept
        ],
    )


# Title I coverage -------------------------------------------------------------------------


def title_one_coverage(f: Filters, s: Scope) -> Table:
    """Title I schools that held an event in the range, and those not reached yet."""
    sel = chosen(f, s, language=False)
    e = EventDay.__table__.c
    # One probe of the (school, day) index per school, not every event day in the range.
    held = select(e.school_id).where(e.school_id == School.id, e.day.between(sel.start, sel.end))
    if sel.programme_id is not None:
        held = held.where(e.programme_id == sel.programme_id)
    return _coverage(held.exists(), sel)


def plain_title_one_coverage(f: Filters, s: Scope) -> Table:
    sel = chosen(f, s, language=False)
    held = _sessions_in_range(
        select(Offering.school_id)
        .select_from(OfferingSession)
        .join(Offering, Offering.id == OfferingSession.offering_id)
        .where(Offering.status.in_(HELD), Offering.school_id.is_not(None)),
        f,
    )
    if sel.programme_id is not None:
        held = held.where(Offering.programme_id == sel.programme_id)
    return _coverage(School.id.in_(held), sel)


def _coverage(reached: ColumnElement, sel: Chosen) -> Table:
    query = select(func.count(case((reached, 1))), func.count(case((~reached, 1)))).where(
        School.active.is_(True), School.title_i.is_(True)
    )
    if sel.network_id is not None:
        query = query.where(School.network_id == sel.network_id)
    if sel.school_id is not None:
        query = query.where(School.id == sel.school_id)
    ((yes, no),) = read(query)
    return Table(
        ("status", "schools"),
        [("reached", small(yes, sel.suppress)), ("not_reached", small(no, sel.suppress))],
    )


# The plain twins' filters on the base tables ----------------------------------------------


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


__all__ = [
    "completion",
    "events_by",
    "facilitator_load",
    "new_vs_returning",
    "plain_completion",
    "plain_events_by",
    "plain_facilitator_load",
    "plain_new_vs_returning",
    "plain_show_up",
    "plain_survey_ratings",
    "plain_title_one_coverage",
    "show_up",
    "survey_ratings",
    "title_one_coverage",
]
