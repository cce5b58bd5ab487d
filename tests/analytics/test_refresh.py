"""Keeping the roll-ups fresh: what an incremental pass picks up, and that it equals a rebuild."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update

from portal.analytics import cases, mediation
from portal.analytics import refresh as refresh_module
from portal.analytics.figures import FIGURES
from portal.analytics.filters import Filters, Scope
from portal.analytics.models import (
    CaseCube,
    CaseFact,
    Change,
    DurationCube,
    MeetingCube,
    MeetingFact,
    QuickLogCube,
    QuickLogDay,
)
from portal.analytics.refresh import refresh
from portal.analytics.tables import NOT_APPLICABLE
from portal.auth.roles import Role
from portal.concerns import casework
from portal.concerns.models import (
    CallOutcome,
    Case,
    CaseEntry,
    EntryKind,
    Meeting,
    MeetingKind,
    MeetingOutcome,
    Status,
)
from portal.extensions import db
from portal.schools.models import School
from portal.timeutil import district_today, utcnow
from tests.analytics.conftest import OCTOBER, d, meeting, utc
from tests.concerns.conftest import submit, user_id  # noqa: F401 - the intake fixture

ALL = Scope()
TABLES = (CaseFact, MeetingFact, QuickLogDay, CaseCube, DurationCube, MeetingCube, QuickLogCube)


def snapshot() -> dict[str, list]:
    """Every roll-up row, without surrogate ids, in a stable order."""
    rows = {}
    for model in TABLES:
        columns = [c for c in model.__table__.c if c.name != "id"]
        rows[model.__tablename__] = sorted(db.session.execute(select(*columns)).all(), key=repr)
    return rows


def new_cases(f: Filters = OCTOBER) -> list:
    return cases.new_cases(f, ALL, period="month").rows


def test_the_first_refresh_is_full_and_the_next_ones_incremental(ledger):
    first = refresh()
    assert first.full and first.cases == 10
    second = refresh()
    assert not second.full and second.cases == 0


def test_a_case_filed_through_the_intake_shows_after_a_pass(app, ledger, submit):  # noqa: F811
    refresh()
    submit(today=d(10, 21), language="es")
    with app.test_request_context():
        report = refresh()
        assert not report.full and report.cases == 1
        assert new_cases() == [(d(10, 1), 1, 1), (d(10, 1), 2, 5), (d(10, 1), 3, 1)]
        assert db.session.scalar(select(func.count()).select_from(Change)) == 0


def test_a_status_change_shows_after_a_pass(app, ledger):
    refresh()
    c2 = db.session.scalars(select(Case).where(Case.received_on == d(10, 7))).one()
    before = cases.service_levels(OCTOBER, ALL).rows
    with app.test_request_context():
        casework.change_status(
            c2,
            Status.RESOLVED,
            actor_id=user_id(Role.SPECIALIST),
            ip=None,
            summary="We agreed a plan.",
        )
        assert refresh().cases == 1
        rows = mediation.resolution_by(OCTOBER, ALL, by="school").rows
    assert rows[0] == ("César Chávez Elementary", 2, 2, 1.0, 0, 0.0)
    # Resolved today, long after its due date of 10-21: the resolution target stays missed.
    assert cases.service_levels(OCTOBER, ALL).rows == before


def test_a_meeting_outcome_shows_after_a_pass(app, ledger):
    refresh()
    untold = db.session.scalars(select(Meeting).where(Meeting.outcome.is_(None))).first()
    with app.test_request_context():
        casework.record_outcome(
            untold,
            MeetingOutcome.PARTIAL_AGREEMENT,
            "",
            None,
            actor_id=user_id(Role.SPECIALIST),
            ip=None,
        )
        refresh()
        assert ("partial_agreement", 1) in mediation.outcome_mix(OCTOBER, ALL).rows


def test_a_quick_log_shows_after_a_pass(app, ledger):
    refresh()
    with app.test_request_context():
        casework.quick_log(
            category_id=ledger.transport,
            school_id=ledger.s101,
            language="en",
            outcome=CallOutcome.ANSWERED,
            actor_id=user_id(Role.SPECIALIST),
            at=utc(d(10, 29), 17),
        )
        report = refresh()
        assert report.quick_log_days == 1
        assert cases.quick_log_volume(OCTOBER, ALL, period="month").rows == [(d(10, 1), 4)]


def test_rows_written_without_the_orm_are_picked_up_by_id(ledger):
    refresh()
    template = db.session.execute(select(Case.__table__).where(Case.received_on == d(10, 6))).one()
    row = {**template._mapping, "reference": "BULK-1", "submission_key": "bulk-1"}
    row.update(received_on=d(10, 30))
    del row["id"]
    db.session.execute(insert(Case.__table__).values(**row))
    assert db.session.scalar(select(func.count()).select_from(Change)) == 0
    assert refresh().cases == 1
    assert new_cases() == [(d(10, 1), 1, 1), (d(10, 1), 2, 5), (d(10, 1), 3, 1)]


def test_since_repairs_edits_made_by_hand(ledger):
    refresh()
    started = utcnow()
    c6 = db.session.scalars(select(Case).where(Case.received_on == d(10, 20))).one()
    db.session.execute(update(Case.__table__).where(Case.id == c6.id).values(tier=1))
    db.session.execute(
        insert(CaseEntry.__table__).values(
            case_id=c6.id,
            created_at=utcnow(),
            kind=EntryKind.TRIAGE,
            visible_to_family=False,
            body="",
            detail={},
        )
    )
    assert refresh().cases == 0  # nothing told the queue
    assert refresh(since=started - timedelta(seconds=1)).cases == 1
    assert new_cases() == [(d(10, 1), 1, 2), (d(10, 1), 2, 3), (d(10, 1), 3, 1)]


def test_a_target_falling_due_turns_missed_without_any_change(ledger, make_case, monkeypatch):
    today = district_today()
    make_case(today, ledger.transport, ledger.s101, acknowledge_due=today + timedelta(days=1))
    this_month = Filters(start=today.replace(day=1), end=today)
    refresh()
    assert cases.service_levels(this_month, ALL).rows[0] == ("acknowledged", 0, 0, NOT_APPLICABLE)
    later = today + timedelta(days=2)
    monkeypatch.setattr(refresh_module, "district_today", lambda: later)
    monkeypatch.setattr(cases, "district_today", lambda: later)
    assert refresh().cases == 1  # its review date came
    assert cases.service_levels(this_month, ALL).rows[0] == ("acknowledged", 0, 1, 0.0)
    assert cases.plain_service_levels(this_month, ALL).rows[0] == ("acknowledged", 0, 1, 0.0)


def test_a_meeting_whose_time_comes_counts_as_held(ledger, make_case, monkeypatch):
    now = utcnow()
    today = district_today()
    case = make_case(today, ledger.transport, ledger.s101)
    meeting(case, MeetingKind.MEDIATION, now + timedelta(hours=1))
    this_week = Filters(start=today - timedelta(days=1), end=today + timedelta(days=1))
    refresh()
    assert mediation.meetings_held(this_week, ALL).rows == []
    monkeypatch.setattr(refresh_module, "utcnow", lambda: now + timedelta(hours=2))
    assert refresh().cases == 1
    assert [row[1:] for row in mediation.meetings_held(this_week, ALL).rows] == [("mediation", 1)]


def test_a_school_moving_network_moves_its_cases(ledger):
    refresh()
    db.session.get(School, ledger.s103).network_id = ledger.ne
    db.session.flush()
    refresh()
    f = replace(OCTOBER, network_id=ledger.ne)
    assert cases.cases_by(f, ALL, dimension="school").rows == [
        ("Montbello Community Elementary", 2),
        ("Sunnyside Elementary", 1),
    ]


def test_incremental_passes_equal_a_full_rebuild(app, ledger, submit):  # noqa: F811
    refresh(full=True)
    specialist = user_id(Role.SPECIALIST)
    c2 = db.session.scalars(select(Case).where(Case.received_on == d(10, 7))).one()
    c5 = db.session.scalars(select(Case).where(Case.received_on == d(10, 15))).one()
    untold = db.session.scalars(select(Meeting).where(Meeting.outcome.is_(None))).first()
    with app.test_request_context():
        submit(today=d(10, 22))
        casework.change_status(c2, Status.RESOLVED, actor_id=specialist, ip=None, summary="ok")
        casework.record_outcome(
            untold, MeetingOutcome.AGREEMENT, "", None, actor_id=specialist, ip=None
        )
        casework.quick_log(
            category_id=ledger.bullying,
            school_id=None,
            language="es",
            outcome=CallOutcome.TRANSFERRED,
            actor_id=specialist,
            at=utc(d(9, 30), 18),
        )
        c5.category_id = ledger.bullying
        c5.tier = 3
        db.session.get(School, ledger.s101).network_id = ledger.ne
        db.session.commit()
        assert not refresh().full
        incremental = snapshot()
        refresh(full=True)
        assert snapshot() == incremental


@pytest.mark.parametrize(
    "f",
    [
        OCTOBER,
        Filters(start=d(7, 3), end=d(11, 12)),
        Filters(start=d(10, 8), end=d(10, 16)),
        Filters(start=d(1, 1), end=d(12, 31), language="es"),
    ],
)
def test_every_figure_equals_its_plain_twin(ledger, f):
    refresh()
    for s in (ALL, Scope(network_id=ledger.nw), Scope(suppress_small=True)):
        for figure in FIGURES:
            for kwargs in figure.options:
                assert figure.query(f, s, **kwargs) == figure.plain(f, s, **kwargs), figure.name
