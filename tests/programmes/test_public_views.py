"""Families browse, register, get a confirmation, a calendar file and a cancel link."""

from __future__ import annotations

import re

from icalendar import Calendar
from sqlalchemy import select

from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.programmes.models import OfferingStatus, Registration, RegistrationStatus
from tests.conftest import csrf


def register(client, offering_id: int, n: int, **fields):  # noqa: ANN001, ANN201
    data = {
        "csrf_token": csrf(client),
        "name": f"Parent {n}",
        "phone": f"720-555-{n:04d}",
        "email": "",
        "language": "es",
        "children_count": "2",
        "children_ages": "3 y 5",
    }
    data.update(fields)
    return client.post(f"/workshops/{offering_id}", data=data)


def manage_code(client) -> str:  # noqa: ANN001
    page = client.get("/workshops/registered").get_data(as_text=True)
    return re.search(r"/workshops/r/([\w-]+)/calendar.ics", page).group(1)


def test_browse_shows_seats_left_with_plurals_in_spanish(client, offering):
    offering(capacity=3)
    body = client.get("/workshops", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Reto de Comidas Saludables" in body and "Quedan 3 plazas" in body
    fragment = client.get("/workshops?language=en", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="workshop-results"')


def test_register_confirm_and_calendar(client, app, offering):
    offering_id = offering(capacity=3)
    response = register(client, offering_id, 1)
    assert response.status_code == 303 and response.headers["Location"] == "/workshops/registered"
    code = manage_code(client)
    assert len(code) >= 22  # 128 bits
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "registration.confirmed")
        ).one()
        assert message.language == "es" and f"/workshops/r/{code}" in message.body
    ics = client.get(f"/workshops/r/{code}/calendar.ics")
    assert ics.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(ics.data).walk("VEVENT")]
    assert len(events) == 3 and "Tema 1" in str(events[0]["summary"])
    assert "Reto de Comidas Saludables" in str(events[0]["summary"])
    assert client.get(f"/workshops/r/{code}").status_code == 200
    assert client.get("/workshops/r/not-a-real-code").status_code == 404


def test_full_offering_waitlists_and_a_cancellation_promotes(app, offering):
    offering_id = offering(capacity=1)
    first, second = app.test_client(), app.test_client()
    register(first, offering_id, 1)
    first_code = manage_code(first)
    register(second, offering_id, 2)
    assert "lista de espera" in second.get("/workshops/registered").get_data(as_text=True)
    response = first.post(f"/workshops/r/{first_code}/cancel", data={"csrf_token": csrf(first)})
    assert response.status_code == 303
    with app.app_context():
        rows = {r.contact.name: r.status for r in db.session.scalars(select(Registration))}
        assert rows == {
            "Parent 1": RegistrationStatus.CANCELLED,
            "Parent 2": RegistrationStatus.REGISTERED,
        }
        kinds = set(db.session.scalars(select(OutboxMessage.kind)))
        assert {
            "registration.waitlisted",
            "registration.cancelled",
            "registration.promoted",
        } <= kinds


def test_the_same_person_twice_keeps_one_registration(client, app, offering):
    offering_id = offering(capacity=3)
    register(client, offering_id, 7)
    again = register(client, offering_id, 7)
    assert again.status_code == 303 and again.headers["Location"] == f"/workshops/{offering_id}"
    with app.app_context():
        assert len(db.session.scalars(select(Registration)).all()) == 1


def test_bad_input_is_explained_and_kept(client, offering):
    offering_id = offering()
    response = register(client, offering_id, 1, phone="12", name="<b>Ana</b>", children_count="99")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Enter a phone number we can call" in body and "&lt;b&gt;Ana&lt;/b&gt;" in body


def test_drafts_are_not_public_and_closed_ones_take_no_registrations(client, offering):
    assert client.get(f"/workshops/{offering(status=OfferingStatus.DRAFT)}").status_code == 404
    closed = offering(status=OfferingStatus.CLOSED)
    assert client.get(f"/workshops/{closed}").status_code == 200
    response = register(client, closed, 1)
    assert response.status_code == 200  # the page again, saying registration is not open
    assert "Registration is not open" in response.get_data(as_text=True)


def test_typing_part_of_a_school_name_finds_its_workshops(app, client, offering):
    from portal.schools.models import School

    offering_id = offering()
    with app.app_context():
        other = db.session.scalar(select(School).where(School.code == "101"))
        other_name = other.name

    def listed(typed: str) -> bool:
        page = client.get("/workshops", query_string={"school": typed}).get_data(as_text=True)
        return f"/workshops/{offering_id}" in page

    # The offering is at Goldrick Elementary: any case, part of the name, a trailing space.
    assert listed("goldrick")
    assert listed("GOLD ")
    assert not listed(other_name)
    assert not listed("no such school")
    # The typed text stays in the box (and in the URL) for the next visit.
    page = client.get("/workshops?school=gold").get_data(as_text=True)
    assert 'value="gold"' in page
