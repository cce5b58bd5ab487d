"""Reminders before a session and survey links after it: who, when, in which language, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.outbox.models import Channel, OutboxMessage
from portal.programmes.models import OfferingSession, OfferingStatus, Registration
from portal.programmes.reminders import Notified, request_feedback, send_reminders
from portal.timeutil import utcnow
from tests.programmes.helpers import check_in, enrol, move_session, sessions_of, set_status

# The fixture's first session: Monday 11 January 2027, 6 pm in Denver.
FIRST_STARTS = datetime(2027, 1, 12, 1, 0, tzinfo=UTC)
FIRST_ENDS = FIRST_STARTS + timedelta(hours=2)


def messages(app, kind: str) -> list[OutboxMessage]:  # noqa: ANN001
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
            )
        )


def remind(app, now: datetime) -> Notified:  # noqa: ANN001
    with app.app_context():
        return send_reminders(now)


def ask(app, now: datetime) -> Notified:  # noqa: ANN001
    with app.app_context():
        return request_feedback(now)


@pytest.mark.parametrize(
    "hours_before,reminded", [(47, True), (48, True), (49, False), (0, False), (-1, False)]
)
def test_reminders_go_out_within_48_hours_of_the_start(app, offering, hours_before, reminded):
    offering_id = offering()
    enrol(app, offering_id, "Ana Beltrán", phone="+17205550101")
    result = remind(app, FIRST_STARTS - timedelta(hours=hours_before))
    assert result == (Notified(1, 1) if reminded else Notified(0, 0))
    assert len(messages(app, "session.reminder")) == (1 if reminded else 0)


@pytest.mark.parametrize(
    "status,reminded",
    [
        (OfferingStatus.OPEN, True),
        (OfferingStatus.CLOSED, True),
        (OfferingStatus.CANCELLED, False),
        (OfferingStatus.COMPLETED, False),
        (OfferingStatus.DRAFT, False),
    ],
)
def test_only_offerings_that_still_meet_send_reminders(app, offering, status, reminded):
    offering_id = offering()
    enrol(app, offering_id, "Ana Beltrán", phone="+17205550101")
    set_status(app, offering_id, status)
    assert remind(app, FIRST_STARTS - timedelta(hours=24)).people == (1 if reminded else 0)


def test_the_waitlisted_and_the_cancelled_get_no_reminder(app, offering):
    offering_id = offering(capacity=1)
    enrol(app, offering_id, "Ana Beltrán", phone="+17205550101")
    enrol(app, offering_id, "Luis Pérez", phone="+17205550202")  # waitlisted
    assert remind(app, FIRST_STARTS - timedelta(hours=24)) == Notified(1, 1)
    assert [m.recipient for m in messages(app, "session.reminder")] == ["+17205550101"]


def test_reminders_are_sent_once_however_often_the_job_runs(app, offering):
    offering_id = offering(capacity=3)
    enrol(app, offering_id, "Ana Beltrán", phone="+17205550101")
    enrol(app, offering_id, "Luis Pérez", email="luis@example.org")
    now = FIRST_STARTS - timedelta(hours=30)
    assert remind(app, now) == Notified(1, 2)
    assert remind(app, now + timedelta(minutes=5)) == Notified(0, 0)
    first = sessions_of(app, offering_id)[0]
    with app.app_context():
        session = db.session.get(OfferingSession, first)
        assert session.reminders_sent_at == now
        # A run that stopped after queueing but before its stamp: the messages are not repeated.
        session.reminders_sent_at = None
        db.session.commit()
    assert remind(app, now + timedelta(minutes=10)) == Notified(1, 0)
    rows = messages(app, "session.reminder")
    assert len(rows) == 2
    with app.app_context():
        stamp = int(db.session.get(OfferingSession, first).starts_at.timestamp())
    assert {m.dedupe_key.rsplit(":", 1)[0] for m in rows} == {
        f"session:{first}:reminder:{stamp}:{r}" for r in _registration_ids(app, offering_id)
    }


def test_a_moved_session_gets_a_reminder_for_its_new_time(app, offering):
    from portal.programmes import offerings as planning

    offering_id = offering(capacity=3)
    enrol(app, offering_id, "Ana Beltrán", phone="+17205550101")
    enrol(app, offering_id, "Luis Pérez", email="luis@example.org")
    with app.app_context():
        first = db.session.scalars(
            select(OfferingSession.id)
            .where(OfferingSession.offering_id == offering_id)
            .order_by(OfferingSession.starts_at)
        ).first()
        starts = db.session.get(OfferingSession, first).starts_at
    now = starts - timedelta(hours=24)
    assert remind(app, now).people == 2
    with app.test_request_context():
        session = db.session.get(OfferingSession, first)
        later = starts + timedelta(hours=2)
        planning.move_session(
            session,
            planning.SessionTimes(later, later + timedelta(hours=2)),
            actor_id=1,
            ip=None,
        )
    assert remind(app, now + timedelta(hours=1)).people == 2
    assert len(messages(app, "session.reminder")) == 4


def test_one_session_with_bad_data_does_not_hold_up_the_others(app, offering):
    broken, fine = offering(), offering()
    bad = enrol(app, broken, "Ana Beltrán", phone="+17205550101")
    enrol(app, fine, "Luis Pérez", phone="+17205550202")
    with app.app_context():
        db.session.get(Registration, bad).contact.phone = "555-0101"  # not a number we can text
        db.session.commit()
    assert remind(app, FIRST_STARTS - timedelta(hours=24)) == Notified(1, 1, failed=1)
    assert [m.recipient for m in messages(app, "session.reminder")] == ["+17205550202"]
    with app.app_context():
        stamps = {
            s.offering_id: s.reminders_sent_at
            for s in db.session.scalars(
                select(OfferingSession).where(
                    OfferingSession.id.in_([sessions_of(app, broken)[0], sessions_of(app, fine)[0]])
                )
            )
        }
    assert stamps[broken] is None and stamps[fine] is not None  # tried again next time


def _registration_ids(app, offering_id: int) -> set[int]:  # noqa: ANN001
    with app.app_context():
        return set(
            db.session.scalars(
                select(Registration.id).where(Registration.offering_id == offering_id)
            )
        )


def test_a_reminder_in_each_family_language_with_time_place_and_childcare(app, offering):
    offering_id = offering(capacity=3)
    enrol(app, offering_id, "Rosa Díaz", phone="+17205550404", language="es", children=2)
    enrol(app, offering_id, "Ann Lee", email="ann@example.org", language="en", children=1)
    enrol(app, offering_id, "Bo Chen", email="bo@example.org", language="en")
    first = sessions_of(app, offering_id)[0]
    with app.app_context():
        db.session.get(OfferingSession, first).location = "Library, room 2"  # a moved session
        db.session.commit()
    remind(app, FIRST_STARTS - timedelta(hours=24))
    by_recipient = {m.recipient: m for m in messages(app, "session.reminder")}

    rosa = by_recipient["+17205550404"]
    assert rosa.channel == Channel.SMS and rosa.language == "es" and rosa.subject == ""
    assert "Hola, Rosa Díaz:" in rosa.body and "Reto de Comidas Saludables" in rosa.body
    assert "18:00" in rosa.body and "11 ene 2027" in rosa.body  # district time, Spanish form
    assert "Tema 1" in rosa.body and "Library, room 2" in rosa.body
    assert len(rosa.body) <= 320  # two text-message segments at most

    ann = by_recipient["ann@example.org"]
    assert ann.channel == Channel.EMAIL and ann.language == "en"
    assert "Healthy Meals Challenge" in ann.subject and "Jan 11, 2027" in ann.subject
    assert "6:00" in ann.body and "Planning meals together" in ann.body
    assert "Library, room 2" in ann.body and "Childcare" in ann.body
    assert "Childcare" not in by_recipient["bo@example.org"].body  # he asked for none


def test_feedback_is_asked_only_of_those_checked_in(app, client, offering):
    offering_id = offering(capacity=5)
    present = enrol(app, offering_id, "Ana Beltrán", phone="+17205550101", language="es")
    undone = enrol(app, offering_id, "Luis Pérez", phone="+17205550202")
    enrol(app, offering_id, "Eva Ruiz", phone="+17205550303")  # never came
    first = sessions_of(app, offering_id)[0]
    check_in(app, first, present)
    check_in(app, first, undone, present=False)  # tapped in, then undone at the door

    assert ask(app, FIRST_ENDS - timedelta(minutes=1)) == Notified(0, 0)  # not over yet
    assert ask(app, FIRST_ENDS + timedelta(hours=1)) == Notified(1, 1)
    assert ask(app, FIRST_ENDS + timedelta(hours=2)) == Notified(0, 0)
    [message] = messages(app, "session.feedback")
    assert message.recipient == "+17205550101" and message.language == "es"
    assert message.dedupe_key.startswith(f"session:{first}:feedback:{present}")
    assert len(message.body) <= 320
    path = "/workshops/feedback/" + message.body.split("/workshops/feedback/", 1)[1].split()[0]
    move_session(app, first, utcnow() - timedelta(hours=3))  # the link works once it is over
    assert client.get(path).status_code == 200


def test_no_feedback_request_days_later_or_for_a_cancelled_offering(app, offering):
    late = offering()
    cancelled = offering()
    for offering_id in (late, cancelled):
        registration = enrol(app, offering_id, f"Parent {offering_id}", phone="+17205550101")
        check_in(app, sessions_of(app, offering_id)[0], registration)
    set_status(app, cancelled, OfferingStatus.CANCELLED)
    assert ask(app, FIRST_ENDS + timedelta(days=3, minutes=1)) == Notified(0, 0)
    assert ask(app, FIRST_ENDS + timedelta(days=2)) == Notified(1, 1)
    assert [m.recipient for m in messages(app, "session.feedback")] == ["+17205550101"]


def test_the_commands(app, offering):
    offering_id = offering(capacity=3)
    ana = enrol(app, offering_id, "Ana Beltrán", phone="+17205550101")
    first, second, _ = sessions_of(app, offering_id)
    move_session(app, first, utcnow() - timedelta(hours=3))
    move_session(app, second, utcnow() + timedelta(hours=20))
    check_in(app, first, ana)
    runner = app.test_cli_runner()

    remind_out = runner.invoke(args=["programmes", "remind"])
    assert remind_out.exit_code == 0, remind_out.output
    assert "Reminders: 1 sessions, 1 people" in remind_out.output
    asked = runner.invoke(args=["programmes", "request-feedback"])
    assert asked.exit_code == 0 and "Feedback requests: 1 sessions, 1 people" in asked.output
    again = runner.invoke(args=["programmes", "notify"])
    assert again.exit_code == 0, again.output
    assert "Reminders: 0 sessions, 0 people. Feedback requests: 0 sessions" in again.output
    assert len(messages(app, "session.reminder")) == len(messages(app, "session.feedback")) == 1
    assert "--interval" in runner.invoke(args=["programmes", "notify", "--help"]).output


def test_notify_runs_both_jobs(app, offering):
    offering_id = offering(capacity=3)
    ana = enrol(app, offering_id, "Ana Beltrán", phone="+17205550101")
    first, second, _ = sessions_of(app, offering_id)
    move_session(app, first, utcnow() - timedelta(hours=3))
    move_session(app, second, utcnow() + timedelta(hours=20))
    check_in(app, first, ana)
    result = app.test_cli_runner().invoke(args=["programmes", "notify"])
    assert result.exit_code == 0, result.output
    assert "Reminders: 1 sessions, 1 people. Feedback requests: 1 sessions, 1 people." in (
        result.output
    )
