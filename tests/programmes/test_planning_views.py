"""The planning pages through HTTP: who may use them, forms, errors, messages."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.programmes.models import (
    Offering,
    OfferingStatus,
    Programme,
    TrainingWaitlistEntry,
)
from portal.schools.models import School
from tests.conftest import csrf, post, sign_in


def _ids(app, offering_id: int) -> dict[str, int]:  # noqa: ANN001
    with app.app_context():
        item = db.session.get(Offering, offering_id)
        return {"offering": item.id, "session": item.sessions[0].id}


@pytest.fixture
def urls(app, offering):  # noqa: ANN001, ANN201
    ids = _ids(app, offering())
    base = f"/programmes/offerings/{ids['offering']}"
    return {
        "index": "/programmes/",
        "new": "/programmes/offerings/new",
        "offering": base,
        "edit": f"{base}/edit",
        "move": f"{base}/sessions/{ids['session']}/move",
        "facilitators": "/programmes/facilitators",
        "waitlist": "/programmes/trainer-waitlist",
        "ids": ids,
    }


STAFF_ONLY = {"facilitators", "waitlist"}


@pytest.mark.parametrize(
    "page", ["index", "new", "offering", "edit", "move", "facilitators", "waitlist"]
)
@pytest.mark.parametrize(
    "role",
    [
        Role.PROGRAMME_STAFF,
        Role.LIAISON,
        Role.SPECIALIST,
        Role.SENIOR_MANAGER,
        Role.SOCIAL_WORKER,
        Role.ADMIN,
        Role.ANALYST,
        Role.FAMILY,
    ],
)
def test_who_may_open_each_planning_page(as_role, urls, page, role):
    if role == Role.PROGRAMME_STAFF:
        expected = 200
    elif role == Role.LIAISON:
        expected = 403 if page in STAFF_ONLY else 200
    else:
        expected = 403
    assert as_role(role).get(urls[page]).status_code == expected


def test_signed_out_people_are_sent_to_sign_in(client, urls):
    response = client.get(urls["offering"])
    assert response.status_code in (302, 303)
    assert "/sign-in" in response.headers["Location"]


def test_a_liaison_at_another_school_gets_404_for_the_offering(app, make_user, urls):
    with app.app_context():
        other = db.session.scalar(select(School.id).where(School.code == "101"))
    user = make_user(Role.LIAISON, schools=(other,))
    client = app.test_client()
    sign_in(client, user.email)
    for page in ("offering", "edit", "move"):
        assert client.get(urls[page]).status_code == 404
    token = csrf(client, "/programmes/")
    response = client.post(urls["offering"] + "/status", data={"csrf_token": token, "to": "closed"})
    assert response.status_code == 404


def _form(app, **changes: object) -> dict[str, object]:  # noqa: ANN001
    with app.app_context():
        event = db.session.scalar(select(Programme.id).where(Programme.code == "family-event"))
        goldrick = db.session.scalar(select(School.id).where(School.code == "506"))
    data = {
        "programme": event,
        "school": goldrick,
        "title_en": "Family math night",
        "title_es": "Noche de matemáticas en familia",
        "language": "bilingual",
        "capacity": "60",
        "location": "Gym",
        "childcare_offered": "y",
        "day": "2027-03-04",
        "starts": "17:30",
        "ends": "19:00",
        "weeks": "1",
    }
    data.update(changes)
    return data


def test_a_liaison_creates_and_opens_an_event_at_their_school(app, as_role):
    client = as_role(Role.LIAISON)
    response = post(client, "/programmes/offerings/new", _form(app))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    offering_id = int(re.search(r"/offerings/(\d+)", response.headers["Location"]).group(1))
    with app.app_context():
        item = db.session.get(Offering, offering_id)
        assert item.status == OfferingStatus.DRAFT
        assert item.title_es == "Noche de matemáticas en familia"
        # 5:30 pm in Denver on 4 March is 00:30 the next day in UTC.
        assert item.sessions[0].starts_at.replace(tzinfo=None) == datetime(2027, 3, 5, 0, 30)
    # Families do not see a draft.
    public = app.test_client()
    assert "Family math night" not in public.get("/workshops").get_data(as_text=True)
    response = post(client, f"/programmes/offerings/{offering_id}/status", {"to": "open"})
    assert response.status_code == 303
    assert "Family math night" in public.get("/workshops").get_data(as_text=True)


def test_a_liaison_cannot_plan_for_another_school_or_a_staff_programme(app, as_role):
    client = as_role(Role.LIAISON)
    with app.app_context():
        other = db.session.scalar(select(School.id).where(School.code == "101"))
        training = db.session.scalar(
            select(Programme.id).where(Programme.code == "trainer-of-trainers")
        )
    for changes in ({"school": other}, {"programme": training}, {"school": ""}):
        response = post(client, "/programmes/offerings/new", _form(app, **changes))
        assert response.status_code == 422
        assert "Family math night" in response.get_data(as_text=True)  # nothing typed is lost


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"capacity": "abc"}, "Not a valid integer value."),
        ({"capacity": "0"}, "Enter a number from 1 to 1000."),
        ({"location": ""}, "Say where it takes place."),
        ({"ends": "17:00"}, "The session must end after it starts."),
        ({"day": "not a day"}, "Not a valid date value."),
        ({"language": "fr"}, "Not a valid choice."),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_the_rest(app, as_role, changes, message):
    client = as_role(Role.PROGRAMME_STAFF)
    response = post(client, "/programmes/offerings/new", _form(app, **changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert "Noche de matemáticas en familia" in page


def test_a_facilitated_programme_over_forty_per_facilitator_is_refused(app, as_role):
    with app.app_context():
        meals = db.session.scalar(select(Programme.id).where(Programme.code == "healthy-meals"))
    client = as_role(Role.PROGRAMME_STAFF)
    response = post(client, "/programmes/offerings/new", _form(app, programme=meals))
    assert response.status_code == 422
    assert "Choose at least one facilitator" in response.get_data(as_text=True)


def test_script_in_a_title_is_shown_as_text(app, as_role):
    client = as_role(Role.PROGRAMME_STAFF)
    response = post(
        client, "/programmes/offerings/new", _form(app, title_en="<script>alert(1)</script>")
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_moving_a_session_through_the_page_tells_every_registrant(app, as_role, urls):
    from portal.families.services import ContactInput
    from portal.programmes import registration as reg
    from tests.programmes.test_registration import TODAY

    with app.app_context():
        reg.register(
            urls["ids"]["offering"],
            reg.RegistrationInput(
                contact=ContactInput(name="Ana", email="ana@example.org", language="es"),
                language="es",
            ),
            today=TODAY,
        )
    client = as_role(Role.LIAISON)
    page = client.get(urls["move"]).get_data(as_text=True)
    assert 'value="2027-01-11"' in page  # the day in Denver, not in UTC
    response = post(
        client,
        urls["move"],
        {"day": "2027-01-13", "starts": "18:00", "ends": "20:00", "location": "Gym"},
    )
    assert response.status_code == 303
    with app.app_context():
        message = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == "session.moved")
        )
        assert message.recipient == "ana@example.org"
        assert message.language == "es"
        assert "Gym" in message.body
        assert "Hola" in message.body


def test_a_move_with_an_end_before_the_start_is_refused(as_role, urls):
    client = as_role(Role.PROGRAMME_STAFF)
    response = post(
        client,
        urls["move"],
        {"day": "2027-01-13", "starts": "18:00", "ends": "17:00"},
    )
    assert response.status_code == 422
    assert "The session must end after it starts." in response.get_data(as_text=True)


def test_status_change_without_csrf_is_refused(as_role, urls):
    client = as_role(Role.PROGRAMME_STAFF)
    assert client.post(urls["offering"] + "/status", data={"to": "closed"}).status_code == 400


def test_staff_add_a_leader_to_the_training_waitlist(app, as_role):
    client = as_role(Role.PROGRAMME_STAFF)
    with app.app_context():
        goldrick = db.session.scalar(select(School.id).where(School.code == "506"))
    data = {"name": "Marta Ríos", "email": "marta@school.example", "school": goldrick}
    assert post(client, "/programmes/trainer-waitlist", data).status_code == 303
    assert post(client, "/programmes/trainer-waitlist", data).status_code == 303
    page = client.get("/programmes/trainer-waitlist").get_data(as_text=True)
    assert "already waiting" in page
    with app.app_context():
        assert (
            len(
                db.session.scalars(
                    select(TrainingWaitlistEntry).where(
                        TrainingWaitlistEntry.email == "marta@school.example"
                    )
                ).all()
            )
            == 1
        )
    bad = post(client, "/programmes/trainer-waitlist", {**data, "email": "nope"})
    assert bad.status_code == 422
    assert "Marta Ríos" in bad.get_data(as_text=True)


def test_planning_pages_in_spanish(app, as_role, urls):
    client = as_role(Role.PROGRAMME_STAFF)
    post(client, "/language", {"lang": "es", "next": "/programmes/"})
    page = client.get(urls["offering"]).get_data(as_text=True)
    assert 'lang="es"' in page
    assert "Sesiones" in page


def test_the_offering_page_shows_the_survey_results(app, as_role, urls):
    from datetime import UTC, timedelta

    from portal.families.services import ContactInput
    from portal.programmes import registration as reg
    from portal.programmes.feedback import FeedbackAnswer, submit_feedback
    from tests.programmes.test_registration import TODAY

    with app.app_context():
        item = db.session.get(Offering, urls["ids"]["offering"])
        session = item.sessions[0]
        for n, (score, comment) in enumerate(((5, "Muy útil"), (4, ""))):
            registration = reg.register(
                item.id,
                reg.RegistrationInput(
                    contact=ContactInput(name=f"P{n}", phone=f"+1720555030{n}"), language="es"
                ),
                today=TODAY,
            ).registration
            submit_feedback(
                registration,
                session,
                FeedbackAnswer(score, 3, 5, comment=comment, language="es"),
                now=session.starts_at.astimezone(UTC) + timedelta(hours=3),
            )
    page = as_role(Role.PROGRAMME_STAFF).get(urls["offering"]).get_data(as_text=True)
    assert "2 answers" in page or "2 respuestas" in page
    assert "4.5" in page or "4,5" in page
    assert "Muy útil" in page


def test_a_training_hosted_at_a_liaisons_school_is_still_the_face_offices(app, as_role):
    from datetime import UTC, datetime

    from portal.programmes.models import OfferingLanguage, OfferingSession

    with app.app_context():
        training = Offering(
            programme=db.session.scalar(
                select(Programme).where(Programme.code == "trainer-of-trainers")
            ),
            school_id=db.session.scalar(select(School.id).where(School.code == "506")),
            capacity=15,
            language=OfferingLanguage.BILINGUAL,
            status=OfferingStatus.OPEN,
        )
        training.sessions.append(
            OfferingSession(
                starts_at=datetime(2026, 1, 5, 16, tzinfo=UTC),
                ends_at=datetime(2026, 1, 5, 20, tzinfo=UTC),
            )
        )
        db.session.add(training)
        db.session.commit()
        training_id = training.id
    client = as_role(Role.LIAISON)
    assert client.get(f"/programmes/offerings/{training_id}").status_code == 404
    response = post(client, f"/programmes/offerings/{training_id}/status", {"to": "completed"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Offering, training_id).status == OfferingStatus.OPEN


def test_staff_register_the_next_leaders_from_the_page(app, as_role):
    from datetime import UTC, datetime

    from portal.programmes.models import OfferingLanguage, OfferingSession, WaitlistStatus

    client = as_role(Role.PROGRAMME_STAFF)
    with app.app_context():
        goldrick = db.session.scalar(select(School.id).where(School.code == "506"))
        training = Offering(
            programme=db.session.scalar(
                select(Programme).where(Programme.code == "trainer-of-trainers")
            ),
            capacity=15,
            language=OfferingLanguage.BILINGUAL,
            status=OfferingStatus.OPEN,
        )
        training.sessions.append(
            OfferingSession(
                starts_at=datetime(2027, 8, 5, 16, tzinfo=UTC),
                ends_at=datetime(2027, 8, 5, 20, tzinfo=UTC),
            )
        )
        db.session.add(training)
        db.session.commit()
        training_id = training.id
    for name in ("Leader One", "Leader Two"):
        data = {"name": name, "email": f"{name.split()[1].lower()}@school.example"}
        post(client, "/programmes/trainer-waitlist", {**data, "school": goldrick})
    response = post(
        client, "/programmes/trainer-waitlist/enrol", {"offering": training_id, "count": "1"}
    )
    assert response.status_code == 303
    with app.app_context():
        entries = {
            e.name: e.status
            for e in db.session.scalars(
                select(TrainingWaitlistEntry).where(TrainingWaitlistEntry.name.like("Leader %"))
            )
        }
    assert entries == {"Leader One": WaitlistStatus.ENROLLED, "Leader Two": WaitlistStatus.WAITING}
    # Nothing chosen, or nonsense: a clear message, not an error.
    for bad in ({"offering": "", "count": "1"}, {"offering": "x", "count": "-3"}):
        assert post(client, "/programmes/trainer-waitlist/enrol", bad).status_code == 422


def test_a_day_far_outside_any_school_year_is_refused(app, as_role):
    client = as_role(Role.PROGRAMME_STAFF)
    response = post(client, "/programmes/offerings/new", _form(app, day="9999-12-31"))
    assert response.status_code == 422
    assert "Enter a day between 2000 and 2100." in response.get_data(as_text=True)
