"""The attendance figures read roll-ups: each equals its plain twin on a demo school year of
events, with every filter and scope, and a change shows after one refresh pass."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

from portal.analytics import attendance as figures
from portal.analytics.attendance_models import VisitFact
from portal.analytics.figures import ATTENDANCE_FIGURES
from portal.analytics.filters import Filters, Scope
from portal.analytics.models import Change
from portal.analytics.refresh import refresh
from portal.extensions import db
from portal.families.services import ContactInput
from portal.programmes import attendance as door
from portal.programmes import registration as reg
from portal.programmes.demo import load_demo_offerings
from portal.programmes.models import (
    Attendance,
    Offering,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
    SessionFeedback,
)
from portal.schools.models import School
from tests.conftest import DEMO_TODAY

ALL = Scope()


def agree(f: Filters, scope: Scope = ALL) -> int:
    """Every attendance figure equals its plain twin for these filters; how many compared."""
    compared = 0
    for figure in ATTENDANCE_FIGURES:
        for options in figure.options:
            shown = figure.query(f, scope, **options)
            assert shown == figure.plain(f, scope, **options), (figure.name, options, f, scope)
            compared += 1
    return compared


@pytest.fixture
def year(app_ctx):
    """The demo school year of events, refreshed once; the ids the filters use."""
    load_demo_offerings(DEMO_TODAY)
    db.session.commit()
    refresh()
    busiest = (
        select(Offering.school_id, School.network_id, func.count())
        .join(School, School.id == Offering.school_id)
        .group_by(Offering.school_id, School.network_id)
        .order_by(func.count().desc(), Offering.school_id)
        .limit(1)
    )
    school, network, _ = db.session.execute(busiest).one()
    programme = db.session.scalar(
        select(Offering.programme_id).group_by(Offering.programme_id).order_by(func.count().desc())
    )
    return {"school": school, "network": network, "programme": programme}


RANGES = [
    (DEMO_TODAY - timedelta(days=364), DEMO_TODAY),  # the dashboard's default: twelve months
    (date(2025, 12, 17), date(2026, 3, 3)),  # across a new year, mid-week at both ends
    (date(2026, 2, 2), date(2026, 2, 8)),  # one ISO week
    (date(2026, 5, 30), date(2026, 6, 2)),  # a few days across a month end
    (date(2026, 3, 1), date(2026, 2, 1)),  # the wrong way round: nothing
]


def test_every_attendance_figure_equals_its_plain_twin(year):
    shown = figures.show_up(Filters(start=RANGES[0][0], end=RANGES[0][1]), ALL)
    assert shown.rows, "the demo year has events to compare"
    filters = [
        {},
        {"language": "es"},
        {"network_id": year["network"]},
        {"school_id": year["school"]},
        {"programme_id": year["programme"]},
        {"network_id": year["network"], "language": "en"},
        {"network_id": year["network"], "programme_id": year["programme"], "language": "es"},
        {"school_id": year["school"], "language": "es", "programme_id": year["programme"]},
    ]
    scopes = [ALL, Scope(network_id=year["network"]), Scope(suppress_small=True)]
    compared = 0
    for start, end in RANGES:
        for extra in filters:
            for scope in scopes if not extra else scopes[:1]:
                compared += agree(Filters(start=start, end=end, **extra), scope)
    assert compared == len(RANGES) * (len(filters) + 2) * 10


def test_a_superintendent_sees_only_their_network(year):
    f = Filters(start=RANGES[0][0], end=RANGES[0][1])
    theirs = Scope(network_id=year["network"])
    asked_for_another = Filters(start=f.start, end=f.end, network_id=year["network"] + 1000)
    assert figures.show_up(asked_for_another, theirs) == figures.show_up(f, theirs)
    district = figures.events_by(f, ALL).column("events")
    assert sum(figures.events_by(f, theirs).column("events")) < sum(district)
    nobody = Scope(network_id=0)
    assert figures.show_up(f, nobody).rows == [] and figures.events_by(f, nobody).rows == []


def test_analysts_see_fewer_than_10_as_hidden(year):
    f = Filters(start=RANGES[0][0], end=RANGES[0][1], school_id=year["school"])
    counts = figures.events_by(f, ALL).column("events")
    hidden = figures.events_by(f, Scope(suppress_small=True)).column("events")
    assert [n if n >= 10 else None for n in counts] == hidden


def _offering_with_sessions() -> Offering:
    return db.session.scalars(
        select(Offering)
        .where(Offering.status == OfferingStatus.OPEN, Offering.school_id.is_not(None))
        .join(OfferingSession, OfferingSession.offering_id == Offering.id)
        .order_by(Offering.id)
    ).first()


def test_a_check_in_is_queued_with_it_and_shows_after_one_pass(year):
    offering = _offering_with_sessions()
    session = offering.sessions[0]
    day = session.starts_at.date()
    f = Filters(start=day - timedelta(days=40), end=day + timedelta(days=40))
    before = figures.show_up(f, ALL)
    families = figures.new_vs_returning(f, ALL)
    walked = door.walk_in(
        door.Door.of(session),
        reg.RegistrationInput(contact=ContactInput(name="Zoe Fresh", phone="+17205550199")),
        actor_id=1,
        today=day,
    )
    person = db.session.get(Registration, walked.row.registration_id)
    # Queued in the same transaction as the walk-in itself.
    assert db.session.scalar(select(func.count()).where(Change.offering_id == offering.id)) > 0
    assert figures.show_up(f, ALL) == before  # not refreshed yet
    report = refresh()
    assert not report.full and report.offerings >= 1
    assert db.session.scalar(select(func.count()).select_from(Change)) == 0
    after = figures.show_up(f, ALL)
    assert sum(after.column("walk_ins")) == sum(before.column("walk_ins")) + 1
    # This family (found by phone) came first in November; now in October, at this session.
    assert figures.new_vs_returning(f, ALL) != families
    assert agree(f) == 10
    door.set_checked_in(door.Door.of(session), person.id, False, actor_id=1)
    refresh()
    assert figures.show_up(f, ALL) == before
    assert agree(f) == 10


def test_survey_answers_cancellations_and_status_show_after_one_pass(year):
    offering = _offering_with_sessions()
    session = offering.sessions[0]
    day = session.starts_at.date()
    f = Filters(start=day - timedelta(days=40), end=day + timedelta(days=40))
    registered = db.session.scalars(
        select(Registration).where(
            Registration.offering_id == offering.id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
    ).first()
    db.session.add(
        SessionFeedback(
            registration_id=registered.id,
            session_id=session.id,
            rating_useful=5,
            rating_facilitator=5,
            rating_welcome=5,
            language="es",
        )
    ) if db.session.scalar(
        select(SessionFeedback.id).where(
            SessionFeedback.registration_id == registered.id,
            SessionFeedback.session_id == session.id,
        )
    ) is None else None
    db.session.commit()
    refresh()
    assert agree(f) == 10
    offering.status = OfferingStatus.CANCELLED
    db.session.commit()
    refresh()
    assert agree(f) == 10
    assert offering.id not in set(
        db.session.scalars(select(VisitFact.offering_id).where(VisitFact.offering_id > 0))
    )


def test_rows_loaded_without_the_orm_are_found_by_their_ids(year):
    offering = _offering_with_sessions()
    session = offering.sessions[-1]
    day = session.starts_at.date()
    f = Filters(start=day - timedelta(days=3), end=day + timedelta(days=3))
    registered = db.session.scalars(
        select(Registration.id).where(
            Registration.offering_id == offering.id,
            Registration.status == RegistrationStatus.REGISTERED,
            Registration.id.not_in(
                select(Attendance.registration_id).where(Attendance.session_id == session.id)
            ),
        )
    ).first()
    if registered is None:
        pytest.skip("everyone registered already has a row at this session")
    db.session.execute(
        insert(Attendance).values(
            registration_id=registered, session_id=session.id, checked_in_at=session.starts_at
        )
    )
    db.session.execute(Change.__table__.delete())
    db.session.commit()
    before = figures.show_up(f, ALL)
    refresh()
    assert sum(figures.show_up(f, ALL).column("checked_in")) == (
        sum(before.column("checked_in")) + 1
    )
    assert agree(f) == 10


def test_a_programme_changing_its_completion_rule_is_queued(year):
    programme = db.session.get(Programme, year["programme"])
    programme.completion_numerator = 1
    programme.completion_denominator = 2
    db.session.commit()
    queued = db.session.scalar(select(func.count(func.distinct(Change.offering_id))))
    assert queued == db.session.scalar(
        select(func.count()).where(Offering.programme_id == programme.id)
    )
    refresh()
    assert agree(Filters(start=RANGES[0][0], end=RANGES[0][1])) == 10


def test_a_change_queued_in_a_savepoint_rolled_back_is_queued_again(year):
    offering = _offering_with_sessions()
    db.session.execute(Change.__table__.delete())
    db.session.commit()
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            offering.capacity += 1
            db.session.flush()
            raise RuntimeError("undone")
    offering.location = "Library"
    db.session.commit()
    assert db.session.scalar(select(func.count()).where(Change.offering_id == offering.id)) == 1


def test_a_school_moved_to_another_network_moves_its_events(year):
    school = db.session.get(School, year["school"])
    other = db.session.scalar(
        select(School.network_id).where(School.network_id != school.network_id).limit(1)
    )
    f = Filters(start=RANGES[0][0], end=RANGES[0][1], network_id=other)
    before = figures.events_by(f, ALL)
    school.network_id = other
    db.session.commit()
    report = refresh()
    assert not report.full and report.offerings > 0
    moved = figures.events_by(f, ALL)
    assert school.name in moved.column("school") and school.name not in before.column("school")
    assert agree(f) == 10
