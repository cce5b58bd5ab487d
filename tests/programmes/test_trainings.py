"""Liaisons sign up for district trainings and the PLG; their attendance is kept the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.programmes import attendance
from portal.programmes.models import (
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
)
from tests.conftest import csrf, demo_email, sign_in

START = datetime(2027, 1, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def training(app):  # noqa: ANN001, ANN201
    """An open district training for liaisons with one seat and two sessions."""
    with app.app_context():
        programme = db.session.scalars(
            select(Programme).where(Programme.code == "liaison-training")
        ).one()
        item = Offering(
            programme=programme,
            capacity=1,
            language=OfferingLanguage.BILINGUAL,
            status=OfferingStatus.OPEN,
            location="Emily Griffith Campus, room 210",
            title_en="Welcoming families new to the country",
            title_es="Cómo recibir a las familias recién llegadas",
        )
        for week in range(2):
            item.sessions.append(
                OfferingSession(
                    starts_at=START + timedelta(weeks=week),
                    ends_at=START + timedelta(weeks=week, hours=3),
                )
            )
        db.session.add(item)
        db.session.commit()
        return item.id


def _post(client, path: str) -> object:  # noqa: ANN001
    return client.post(path, data={"csrf_token": csrf(client, "/programmes/trainings")})


def test_a_liaison_signs_up_and_gets_the_confirmation_in_their_language(app, as_role, training):
    client = as_role(Role.LIAISON)
    page = client.get("/programmes/trainings").get_data(as_text=True)
    assert "Cómo recibir a las familias recién llegadas" in page  # the demo liaison reads Spanish
    response = _post(client, f"/programmes/trainings/{training}/register")
    assert response.status_code == 303
    with app.app_context():
        registration = db.session.scalars(
            select(Registration).where(Registration.offering_id == training)
        ).one()
        assert registration.status == RegistrationStatus.REGISTERED
        assert registration.user.email == demo_email(Role.LIAISON)
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == demo_email(Role.LIAISON))
        ).one()
        assert message.kind == "registration.confirmed"
        assert message.language == "es"
    # Twice is still one place.
    _post(client, f"/programmes/trainings/{training}/register")
    with app.app_context():
        count = db.session.scalars(
            select(Registration).where(Registration.offering_id == training)
        ).all()
        assert len(count) == 1


def test_attendance_at_the_door_shows_on_the_liaisons_record(app, as_role, training):
    client = as_role(Role.LIAISON)
    _post(client, f"/programmes/trainings/{training}/register")
    with app.test_request_context():
        item = db.session.get(Offering, training)
        registration = db.session.scalars(
            select(Registration).where(Registration.offering_id == training)
        ).one()
        attendance.set_checked_in(
            attendance.Door.of(item.sessions[0]), registration.id, True, actor_id=1
        )
    page = client.get("/programmes/trainings").get_data(as_text=True)
    assert "1 de 2" in page or "1 of 2" in page


def test_the_second_liaison_waits_and_moves_up_when_the_first_cancels(
    app, as_role, make_user, training
):
    first = as_role(Role.LIAISON)
    _post(first, f"/programmes/trainings/{training}/register")
    other = make_user(Role.LIAISON, email="second.liaison@test.example.org")
    second = app.test_client()
    sign_in(second, other.email)
    _post(second, f"/programmes/trainings/{training}/register")
    with app.app_context():
        rows = {
            r.user.email: r
            for r in db.session.scalars(
                select(Registration).where(Registration.offering_id == training)
            )
        }
    assert rows["second.liaison@test.example.org"].status == RegistrationStatus.WAITLISTED
    # The second cannot cancel the first's place: not theirs, so not found.
    mine = rows[demo_email(Role.LIAISON)].id
    assert _post(second, f"/programmes/trainings/registrations/{mine}/cancel").status_code == 404
    assert _post(first, f"/programmes/trainings/registrations/{mine}/cancel").status_code == 303
    with app.app_context():
        moved = db.session.get(Registration, rows["second.liaison@test.example.org"].id)
        assert moved.status == RegistrationStatus.REGISTERED
        told = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "registration.promoted")
        ).one()
        assert told.recipient == "second.liaison@test.example.org"


def test_a_family_workshop_is_not_a_training(as_role, offering):
    family_offering = offering()
    client = as_role(Role.LIAISON)
    assert _post(client, f"/programmes/trainings/{family_offering}/register").status_code == 404


@pytest.mark.parametrize(
    "role,status",
    [(Role.LIAISON, 200), (Role.PROGRAMME_STAFF, 403), (Role.SPECIALIST, 403), (Role.FAMILY, 403)],
)
def test_who_sees_my_trainings(as_role, role, status):
    assert as_role(role).get("/programmes/trainings").status_code == status


def test_programme_staff_sign_up_a_liaison(app, as_role, training):
    client = as_role(Role.PROGRAMME_STAFF)
    page = client.get(f"/programmes/offerings/{training}").get_data(as_text=True)
    assert "liaison-user" in page
    with app.app_context():
        from portal.auth.models import User

        liaison_id = db.session.scalar(
            select(User.id).where(User.email == demo_email(Role.LIAISON))
        )
    response = client.post(
        f"/programmes/offerings/{training}/liaisons",
        data={"csrf_token": csrf(client, "/programmes/"), "user": liaison_id},
    )
    assert response.status_code == 303
    with app.app_context():
        registration = db.session.scalars(
            select(Registration).where(Registration.offering_id == training)
        ).one()
        assert registration.user_id == liaison_id


def test_a_place_and_its_confirmation_are_saved_together_or_not_at_all(
    app, as_role, training, monkeypatch
):
    from portal.programmes import registration as reg

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("the outbox is unavailable")

    monkeypatch.setattr(reg, "message_family", broken)
    client = as_role(Role.LIAISON)
    with pytest.raises(RuntimeError):
        _post(client, f"/programmes/trainings/{training}/register")
    with app.app_context():
        db.session.rollback()
        assert (
            db.session.scalars(
                select(Registration).where(Registration.offering_id == training)
            ).all()
            == []
        )
