"""The survey after a session: its link, one answer per person, its language, the results."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.programmes import feedback as fb
from portal.programmes import registration as reg
from portal.programmes.models import (
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    SessionFeedback,
)
from portal.programmes.reminders import request_feedback
from portal.timeutil import utcnow
from tests.conftest import csrf, sign_in
from tests.programmes.helpers import (
    check_in,
    enrol,
    enrol_staff,
    move_session,
    sessions_of,
    set_status,
)

RATINGS = {"useful": "4", "facilitator": "5", "welcome": "3"}


def link(app, registration_id: int, session_id: int) -> str:  # noqa: ANN001
    """The path of the link the participant is sent."""
    with app.test_request_context():
        registration = db.session.get(Registration, registration_id)
        session = db.session.get(OfferingSession, session_id)
        url = fb.feedback_url(registration, session)
    assert url.startswith("http")  # absolute: it is opened from an email or a text
    return urlsplit(url).path


def answers(app) -> list[SessionFeedback]:  # noqa: ANN001
    with app.app_context():
        return list(db.session.scalars(select(SessionFeedback)))


def send(client, path: str, **fields: str):  # noqa: ANN001, ANN201
    return client.post(path, data={"csrf_token": csrf(client, path), **fields})


@pytest.fixture
def held(app, offering):  # noqa: ANN001, ANN201
    """An offering whose first session took place yesterday; the second is next week."""
    offering_id = offering(capacity=3)
    first, second, _third = sessions_of(app, offering_id)
    move_session(app, first, utcnow() - timedelta(days=1))
    move_session(app, second, utcnow() + timedelta(days=6))
    return {"offering": offering_id, "first": first, "second": second}


def test_the_link_opens_only_its_own_survey(app, client, held, offering):
    ana = enrol(app, held["offering"], "Ana Beltrán", phone="+17205550101")
    luis = enrol(app, held["offering"], "Luis Pérez", phone="+17205550202")
    path = link(app, ana, held["first"])
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 26 and path.startswith(f"/workshops/feedback/{held['first']}/{ana}/")
    assert client.get(path).status_code == 200

    tampered = path[:-1] + ("A" if path[-1] != "A" else "B")
    other_offering = offering()
    stranger = enrol(app, other_offering, "Eva Ruiz", phone="+17205550303")
    with app.app_context():
        stranger_token = fb.feedback_token(stranger, held["first"])
        unknown_token = fb.feedback_token(999_999, held["first"])
    refused = [
        tampered,
        f"/workshops/feedback/{held['first']}/{luis}/{token}",  # Ana's token, Luis's id
        f"/workshops/feedback/{held['second']}/{ana}/{token}",  # another session
        f"/workshops/feedback/{held['first']}/{stranger}/{stranger_token}",  # other offering
        f"/workshops/feedback/{held['first']}/999999/{unknown_token}",  # no such registration
        f"/workshops/feedback/{held['first']}/{ana}/x",
    ]
    bodies = set()
    for path in refused:
        response = client.get(path)
        assert response.status_code == 404, path
        bodies.add(response.get_data(as_text=True).split("<main", 1)[1])
    assert len(bodies) == 1  # the same answer whatever was wrong


def test_one_answer_per_person_and_session_even_when_sent_twice(app, client, held):
    ana = enrol(app, held["offering"], "Ana Beltrán", phone="+17205550101")
    path = link(app, ana, held["first"])
    page = client.get(path)
    assert page.headers["Cache-Control"] == "no-store"
    body = page.get_data(as_text=True)
    assert body.count("<fieldset") == 3 and "<legend" in body
    assert "1 — Not at all" in body and "5 — Very much" in body

    token = csrf(client, path)
    first = client.post(path, data={"csrf_token": token, **RATINGS, "comment": "  Muy útil\x00 "})
    assert first.status_code == 303
    # The double tap: the same form sent again with other ratings.
    again = client.post(
        path, data={"csrf_token": token, "useful": "1", "facilitator": "1", "welcome": "1"}
    )
    assert again.status_code == 303
    thanks = client.get(path).get_data(as_text=True)
    assert "Thank you" in thanks and 'name="useful"' not in thanks

    later = client.get(path)
    assert later.status_code == 200 and later.headers["Cache-Control"] == "no-store"
    later_body = later.get_data(as_text=True)
    assert "already answered" in later_body
    assert 'name="useful"' not in later_body and "<textarea" not in later_body

    [row] = answers(app)
    assert (row.rating_useful, row.rating_facilitator, row.rating_welcome) == (4, 5, 3)
    assert row.comment == "Muy útil" and row.registration_id == ana


def test_the_service_returns_the_first_answer_to_a_second_submit(app, held):
    ana = enrol(app, held["offering"], "Ana Beltrán", phone="+17205550101")
    with app.test_request_context():
        registration = db.session.get(Registration, ana)
        session = db.session.get(OfferingSession, held["first"])
        first = fb.submit_feedback(registration, session, fb.FeedbackAnswer(5, 5, 5), now=utcnow())
        second = fb.submit_feedback(
            registration, session, fb.FeedbackAnswer(1, 1, 1, "changed"), now=utcnow()
        )
        assert first.created and not second.created
        assert second.feedback.id == first.feedback.id and second.feedback.rating_useful == 5
        with pytest.raises(fb.FeedbackError):
            fb.submit_feedback(registration, session, fb.FeedbackAnswer(6, 5, 5), now=utcnow())
    assert len(answers(app)) == 1


def test_no_answer_before_the_session_starts(app, client, held):
    ana = enrol(app, held["offering"], "Ana Beltrán", phone="+17205550101")
    path = link(app, ana, held["second"])
    page = client.get(path)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "after the session" in body and 'name="useful"' not in body
    assert send(client, path, **RATINGS).status_code == 200
    with app.test_request_context():
        registration = db.session.get(Registration, ana)
        session = db.session.get(OfferingSession, held["second"])
        with pytest.raises(fb.FeedbackNotOpen):
            fb.submit_feedback(registration, session, fb.FeedbackAnswer(4, 4, 4), now=utcnow())
    assert answers(app) == []


def test_no_survey_for_the_waitlisted_or_the_cancelled(app, client, offering):
    offering_id = offering(capacity=1)
    first = sessions_of(app, offering_id)[0]
    move_session(app, first, utcnow() - timedelta(hours=3))
    seated = enrol(app, offering_id, "Ana Beltrán", phone="+17205550101")
    waiting = enrol(app, offering_id, "Luis Pérez", phone="+17205550202")
    with app.app_context():
        reg.cancel(db.session.get(Registration, seated))  # Luis is promoted to the seat
    cancelled_path = link(app, seated, first)
    assert client.get(cancelled_path).status_code == 404
    assert send(client, cancelled_path, **RATINGS).status_code == 404

    third = enrol(app, offering_id, "Eva Ruiz", phone="+17205550303")  # waits for a seat
    assert client.get(link(app, third, first)).status_code == 404
    assert client.get(link(app, waiting, first)).status_code == 200
    with app.test_request_context():
        session = db.session.get(OfferingSession, first)
        for registration_id in (seated, third):
            with pytest.raises(fb.NotAParticipant):
                fb.submit_feedback(
                    db.session.get(Registration, registration_id),
                    session,
                    fb.FeedbackAnswer(4, 4, 4),
                    now=utcnow(),
                )
    assert answers(app) == []


def test_the_survey_speaks_the_registration_language_and_the_switch_still_works(app, client, held):
    rosa = enrol(app, held["offering"], "Rosa Díaz", phone="+17205550404", language="es")
    path = link(app, rosa, held["first"])
    page = client.get(path, headers={"Accept-Language": "en-US,en"}).get_data(as_text=True)
    assert '<html lang="es">' in page and "¿Algo más que quiera agregar?" in page
    assert "Tema 1" in page  # the session's Spanish topic

    switched = client.post(
        "/language", data={"csrf_token": csrf(client, path), "lang": "en", "next": path}
    )
    assert switched.status_code == 303 and switched.headers["Location"] == path
    english = client.get(path).get_data(as_text=True)
    assert '<html lang="en">' in english and "Anything you would like to add?" in english

    assert send(client, path, **RATINGS).status_code == 303
    assert answers(app)[0].language == "en"  # the language they answered in


@pytest.mark.parametrize(
    "changes",
    [
        {"useful": "6"},
        {"facilitator": "0"},
        {"welcome": "abc"},
        {"useful": "2.5"},
        {"facilitator": None},
    ],
)
def test_a_bad_rating_is_explained_and_nothing_typed_is_lost(app, client, held, changes):
    ana = enrol(app, held["offering"], "Ana Beltrán", phone="+17205550101")
    path = link(app, ana, held["first"])
    data = {**RATINGS, "comment": "La niñera fue <b>amable</b>", **changes}
    response = send(client, path, **{k: v for k, v in data.items() if v is not None})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Choose a number from 1 to 5." in body
    assert "La niñera fue &lt;b&gt;amable&lt;/b&gt;" in body
    if "useful" not in changes:  # the answers that were fine stay chosen
        assert re.search(r'<input checked [^>]*id="useful-3"', body)
    assert answers(app) == []


def test_a_long_comment_is_refused_with_the_text_kept(app, client, held):
    ana = enrol(app, held["offering"], "Ana Beltrán", phone="+17205550101")
    path = link(app, ana, held["first"])
    response = send(client, path, **RATINGS, comment="ñ" * 2001)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Please keep it under 2,000 characters." in body and "ñ" * 2001 in body
    assert send(client, path, **RATINGS, comment="ñ" * 2000).status_code == 303


def test_answers_are_rate_limited(app, client, held):
    ana = enrol(app, held["offering"], "Ana Beltrán", phone="+17205550101")
    path = link(app, ana, held["first"])
    statuses = [send(client, path, useful="9").status_code for _ in range(6)]
    assert statuses[:5] == [422] * 5 and statuses[5] == 429


def test_summary_counts_and_averages_per_session_and_offering(app, offering):
    offering_id = offering(capacity=5)
    first, second, third = sessions_of(app, offering_id)
    people = [enrol(app, offering_id, f"Parent {n}", phone=f"+1720555010{n}") for n in range(3)]
    start = datetime(2027, 2, 1, tzinfo=UTC)  # after all three sessions
    given = [
        (people[0], first, (5, 3, 4), "Great"),
        (people[1], first, (4, 2, 5), ""),
        (people[2], first, (2, 5, 5), "Too short"),
        (people[0], second, (3, 3, 3), "ok"),
    ]
    with app.test_request_context():
        for minutes, (person, session_id, (u, f, w), comment) in enumerate(given):
            fb.submit_feedback(
                db.session.get(Registration, person),
                db.session.get(OfferingSession, session_id),
                fb.FeedbackAnswer(u, f, w, comment),
                now=start + timedelta(minutes=minutes),
            )
        summary = fb.feedback_summary(db.session.get(Offering, offering_id))

    assert summary.answers == 4
    assert summary.averages == fb.RatingAverages(useful=3.5, facilitator=3.25, welcome=4.25)
    by_session = {s.session.id: s for s in summary.sessions}
    assert [s.session.id for s in summary.sessions] == [first, second, third]
    one = by_session[first]
    assert one.answers == 3
    assert one.averages.useful == pytest.approx(11 / 3)
    assert one.averages.facilitator == pytest.approx(10 / 3)
    assert one.averages.welcome == pytest.approx(14 / 3)
    assert [c.text for c in one.comments] == ["Too short", "Great"]  # newest first
    assert by_session[second].answers == 1 and by_session[second].averages.useful == 3
    assert by_session[third].answers == 0
    assert by_session[third].averages == fb.RatingAverages(None, None, None)
    assert by_session[third].comments == []


def test_a_liaison_at_a_district_training_is_asked_and_answers(app, make_user):
    with app.app_context():
        programme = db.session.scalars(
            select(Programme).where(Programme.code == "liaison-training")
        ).one()
        training = Offering(
            programme=programme,
            capacity=30,
            language=OfferingLanguage.BILINGUAL,
            status=OfferingStatus.CLOSED,
            location="Emily Griffith Campus",
        )
        training.sessions.append(
            OfferingSession(
                starts_at=utcnow() - timedelta(hours=4),
                ends_at=utcnow() - timedelta(hours=1),
                topic_en="Partnering with families",
                topic_es="Colaborar con las familias",
            )
        )
        db.session.add(training)
        db.session.commit()
        training_id, session_id = training.id, training.sessions[0].id
    liaison = make_user(Role.LIAISON, language="es", email="marta.liaison@test.example.org")
    registration_id = enrol_staff(app, training_id, liaison, language="es")
    check_in(app, session_id, registration_id)

    with app.test_request_context():
        assert request_feedback(utcnow()).people == 1
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "session.feedback")
        ).one()
    assert message.recipient == "marta.liaison@test.example.org" and message.language == "es"
    path = link(app, registration_id, session_id)
    assert path in message.body

    client = app.test_client()
    assert sign_in(client, liaison.email).status_code == 303
    assert "Colaborar con las familias" in client.get(path).get_data(as_text=True)
    assert send(client, path, **RATINGS, comment="Muy práctico").status_code == 303
    [row] = answers(app)
    assert row.registration_id == registration_id and row.comment == "Muy práctico"
    assert "Gracias" in client.get(path).get_data(as_text=True)  # her account is in Spanish
    set_status(app, training_id, OfferingStatus.COMPLETED)  # the training is over: still shown
    assert "Ya recibimos su respuesta" in client.get(path).get_data(as_text=True)
