"""Completing a series: the share of sessions required, and each participant's progress."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.programmes import completion
from portal.programmes.models import Attendance, Offering, Programme, Registration
from tests.conftest import statements_sent


def programme(numerator: int, denominator: int) -> Programme:
    return Programme(completion_numerator=numerator, completion_denominator=denominator)


@pytest.mark.parametrize(
    "numerator,denominator,sessions,required",
    [
        (5, 6, 6, 5),
        (5, 6, 3, 3),
        (5, 6, 12, 10),
        (5, 6, 7, 6),  # 5.83 rounds up
        (3, 4, 4, 3),
        (2, 3, 3, 2),  # 2/3 × 3 is 1.9999… in floating point; exactly 2 here
        (1, 1, 1, 1),
        (1, 1, 6, 6),
        (1, 2, 1, 1),
        (5, 6, 0, 0),
        # A broken share asks for every session rather than none.
        (0, 6, 6, 6),
        (7, 6, 6, 6),
        (5, 0, 6, 6),
    ],
)
def test_required_sessions(numerator, denominator, sessions, required):
    assert completion.required_sessions(programme(numerator, denominator), sessions) == required


def test_progress_counts_check_ins_and_homework_by_name(app, series):
    with app.app_context():
        offering = db.session.get(Offering, series["offering"])
        offering.programme.assigns_homework = True
        rows = completion.progress(offering)
        assert [r.registration.contact.name for r in rows] == [
            "Luis Pérez",
            "María José Zoë Núñez",
            "Nguyễn Thị Ōta",
        ]  # by name; the cancelled registration is not there
        luis, maria, nguyen = rows
        assert (luis.attended, luis.required, luis.sessions, luis.completed) == (2, 3, 3, False)
        assert luis.homework_done == 1  # marked without a check-in: homework, not attendance
        assert (maria.attended, maria.completed, maria.homework_done) == (3, True, 0)
        assert (nguyen.attended, nguyen.completed) == (3, True)


def test_homework_is_not_counted_for_programmes_without_it(app, series):
    with app.app_context():
        offering = db.session.get(Offering, series["offering"])
        assert offering.programme.assigns_homework is False
        assert {r.homework_done for r in completion.progress(offering)} == {None}


def test_completers_and_has_completed(app, series):
    with app.app_context():
        offering = db.session.get(Offering, series["offering"])
        assert [r.contact.name for r in completion.completers(offering)] == [
            "María José Zoë Núñez",
            "Nguyễn Thị Ōta",
        ]
        ids = series["ids"]
        assert completion.has_completed(db.session.get(Registration, ids["Nguyễn Thị Ōta"]))
        assert not completion.has_completed(db.session.get(Registration, ids["Luis Pérez"]))
        # Came to every session, then cancelled: not a completer.
        assert not completion.has_completed(db.session.get(Registration, ids["Gone Away"]))


def test_an_undone_check_in_no_longer_counts(app, series):
    with app.app_context():
        row = db.session.scalars(
            select(Attendance).where(Attendance.registration_id == series["ids"]["Nguyễn Thị Ōta"])
        ).first()
        row.checked_in_at = None
        db.session.commit()
        offering = db.session.get(Offering, series["offering"])
        assert [r.contact.name for r in completion.completers(offering)] == ["María José Zoë Núñez"]


def test_a_lower_share_lets_more_complete(app, series):
    with app.app_context():
        offering = db.session.get(Offering, series["offering"])
        offering.programme.completion_numerator = 2
        offering.programme.completion_denominator = 3
        db.session.commit()
        assert len(completion.completers(offering)) == 3


def test_an_offering_without_sessions_has_no_completers(app, offering):
    with app.app_context():
        item = db.session.get(Offering, offering())
        item.sessions.clear()
        db.session.commit()
        assert completion.progress(item) == []
        assert completion.completers(item) == []


def test_progress_takes_the_same_few_queries_however_many_take_part(app, series):
    with app.app_context():
        offering = db.session.get(Offering, series["offering"])
        offering.programme  # noqa: B018 - loaded before counting
        with statements_sent(db.engine) as statements:
            rows = completion.progress(offering)
            [r.registration.contact.name for r in rows]
            [r.registration.offering.programme.name("en") for r in rows]
    # The aggregate, then the contacts and the offering with its programme (eager loads).
    assert len(rows) == 3 and 1 <= len(statements) <= 4, len(statements)
