"""The liaison's door console: scope, roster search, check-in and undo, walk-ins, counts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.families.services import ContactInput
from portal.programmes import registration as reg
from portal.programmes.models import OfferingSession, Registration
from tests.conftest import csrf, post, statements_sent
from tests.programmes.test_registration import TODAY


@pytest.fixture
def event(app, offering):  # noqa: ANN001, ANN201
    """An offering at Goldrick (the demo liaison's school) with two registered families."""
    offering_id = offering(capacity=5)
    with app.app_context():
        for name, phone, kids in (
            ("Ana Beltrán", "+17205550101", 2),
            ("Luis Pérez", "+17205550202", 0),
        ):
            reg.register(
                offering_id,
                reg.RegistrationInput(
                    contact=ContactInput(name=name, phone=phone), children_count=kids
                ),
                today=TODAY,
            )
        session_id = db.session.scalars(
            select(OfferingSession.id)
            .where(OfferingSession.offering_id == offering_id)
            .order_by(OfferingSession.starts_at)
        ).first()
        ids = {
            r.contact.name: r.id
            for r in db.session.scalars(
                select(Registration).where(Registration.offering_id == offering_id)
            )
        }
    return {
        "offering": offering_id,
        "session": session_id,
        "ids": ids,
        "url": f"/events/{offering_id}/sessions/{session_id}",
    }


@pytest.mark.parametrize(
    "role,status",
    [
        (Role.LIAISON, 200),
        (Role.PROGRAMME_STAFF, 200),
        (Role.SPECIALIST, 403),
        (Role.SOCIAL_WORKER, 403),
        (Role.ADMIN, 403),
        (Role.FAMILY, 403),
        (Role.ANALYST, 403),
    ],
)
def test_who_opens_the_door(as_role, event, role, status):
    assert as_role(role).get(event["url"]).status_code == status


def test_a_liaison_at_another_school_gets_404(app, make_user, event):
    from portal.schools.models import School
    from tests.conftest import sign_in

    with app.app_context():
        other = db.session.scalar(select(School.id).where(School.code == "101"))
    user = make_user(Role.LIAISON, schools=(other,))
    client = app.test_client()
    sign_in(client, user.email)
    assert client.get(event["url"]).status_code == 404
    assert (
        post(client, event["url"] + f"/check-in/{event['ids']['Ana Beltrán']}").status_code == 404
    )


def test_search_by_name_or_phone_digits(as_role, event):
    client = as_role(Role.LIAISON)
    by_name = client.get(event["url"] + "?q=beltr", headers={"HX-Request": "true"})
    body = by_name.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="roster"') and "Ana Beltrán" in body
    assert "Luis Pérez" not in body
    by_phone = client.get(event["url"] + "?q=0202", headers={"HX-Request": "true"})
    assert "Luis Pérez" in by_phone.get_data(as_text=True)


def test_check_in_and_undo_update_the_counts(as_role, event):
    client = as_role(Role.LIAISON)
    ana = event["ids"]["Ana Beltrán"]
    token = csrf(client, event["url"])
    response = client.post(
        event["url"] + f"/check-in/{ana}",
        headers={"HX-Request": "true", "X-CSRFToken": token},
        data={"present": "1"},
    )
    body = response.get_data(as_text=True)
    assert f'id="participant-{ana}"' in body and 'aria-pressed="true"' in body
    assert 'hx-swap-oob="true"' in body
    counts = re.findall(r"<dd>(\d+)</dd>", body)
    assert counts == ["2", "1", "0", "2"]  # registered, checked in, walk-ins, children
    undone = client.post(
        event["url"] + f"/check-in/{ana}",
        headers={"HX-Request": "true", "X-CSRFToken": token},
        data={"present": "0"},
    )
    assert re.findall(r"<dd>(\d+)</dd>", undone.get_data(as_text=True)) == ["2", "0", "0", "0"]


def test_walk_ins_new_and_known(as_role, app, event):
    client = as_role(Role.PROGRAMME_STAFF)  # an English-speaking account
    new = post(
        client,
        event["url"] + "/walk-in",
        {"name": "Rosa Núñez", "phone": "720 555 0303", "language": "es", "children_count": "1"},
    )
    assert new.status_code == 200 and "registered at the door" in new.get_data(as_text=True)
    known = post(
        client,
        event["url"] + "/walk-in",
        {"name": "Luis P.", "phone": "(720) 555-0202", "language": "es"},
    )
    assert "was already registered" in known.get_data(as_text=True)
    page = client.get(event["url"]).get_data(as_text=True)
    assert re.findall(r"<dd>(\d+)</dd>", page) == ["3", "2", "1", "1"]
    bad = post(client, event["url"] + "/walk-in", {"name": "", "phone": "1", "language": "es"})
    assert bad.status_code == 422


def test_a_walk_in_through_htmx_answers_the_row_the_counts_and_a_cleared_form(as_role, event):
    client = as_role(Role.PROGRAMME_STAFF)  # an English-speaking account
    token = csrf(client, event["url"])
    htmx = {"HX-Request": "true", "X-CSRFToken": token}
    new = client.post(
        event["url"] + "/walk-in",
        headers=htmx,
        data={"name": "Rosa Núñez", "phone": "720 555 0303", "language": "es", "q": ""},
    )
    body = new.get_data(as_text=True)
    assert new.status_code == 200 and body.lstrip().startswith('<div id="walk-in-form"')
    # The message goes into the status region already on the page, so that it is read out.
    status = re.search(r'id="walk-in-status" hx-swap-oob="innerHTML">(.*?)</div>\s*</div>', body)
    assert status and "Rosa Núñez registered at the door" in status.group(1)
    assert 'value="Rosa Núñez"' not in body and "720 555 0303" not in body  # a cleared form
    assert re.search(r'<input [^>]*\bautofocus\b[^>]*id="name"', body)  # ready for the next person
    assert re.findall(r"<dd>(\d+)</dd>", body) == ["3", "1", "1", "0"]
    added = r'<ul hx-swap-oob="afterbegin:#roster-list">\s*<li id="participant-\d+"'
    assert re.search(added, body) and 'aria-pressed="true"' in body
    assert "<html" not in body and 'id="roster"' not in body  # not the page, nor the whole list

    # Someone already on the list: the list is drawn again as the console's search shows it.
    known = client.post(
        event["url"] + "/walk-in",
        headers=htmx,
        data={"name": "Luis P.", "phone": "(720) 555-0202", "language": "es", "q": "luis"},
    )
    body = known.get_data(as_text=True)
    assert "was already registered" in body
    assert '<div id="roster" aria-live="polite" hx-swap-oob="true">' in body
    assert "Luis P." in body and "Ana Beltrán" not in body and "afterbegin" not in body

    bad = client.post(
        event["url"] + "/walk-in", headers=htmx, data={"name": "", "phone": "720 555 0404"}
    )
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and body.lstrip().startswith('<div id="walk-in-form"')
    assert 'id="error-summary"' in body and 'value="720 555 0404"' in body
    assert re.search(r'<input [^>]*\bautofocus\b[^>]*id="name"', body)  # the field to correct
    assert "registered at the door" not in body and "door-counts" not in body


def test_the_door_console_stays_within_its_sql_budget(app, as_role, event):
    """Every tap at the door used to load the account, the scope and the rows again."""

    client = as_role(Role.LIAISON)
    token = csrf(client, event["url"])
    htmx = {"HX-Request": "true", "X-CSRFToken": token}
    with app.app_context():
        engine = db.engine
    budget = {
        "check-in": (f"/check-in/{event['ids']['Ana Beltrán']}", {"present": "1"}, 6),
        "walk-in": (
            "/walk-in",
            {"name": "Rosa Núñez", "phone": "720 555 0303", "language": "es"},
            10,
        ),
    }
    with statements_sent(engine) as sent:
        for name, (path, data, most) in budget.items():
            sent.clear()
            response = client.post(event["url"] + path, headers=htmx, data=data)
            assert response.status_code == 200
            statements = [
                s
                for s in sent
                if s.lstrip().split(None, 1)[0].upper() in {"SELECT", "INSERT", "UPDATE"}
            ]
            assert len(statements) <= most, (name, statements)


def test_homework_is_recorded_for_programmes_that_assign_it(app, as_role, event):
    from portal.programmes.models import Attendance, Offering, Programme

    with app.app_context():
        offering = db.session.get(Offering, event["offering"])
        db.session.get(Programme, offering.programme_id).assigns_homework = True
        db.session.commit()
    client = as_role(Role.LIAISON)
    luis = event["ids"]["Luis Pérez"]
    assert "Tarea hecha" in client.get(event["url"]).get_data(as_text=True)
    post(client, event["url"] + f"/homework/{luis}", {"done": "1"})
    with app.app_context():
        assert (
            db.session.scalars(
                select(Attendance.homework_done).where(Attendance.registration_id == luis)
            ).one()
            is True
        )


def test_events_list_is_scoped(as_role, event):
    assert "Reto de Comidas Saludables" in as_role(Role.LIAISON).get("/events/").get_data(
        as_text=True
    )
    assert as_role(Role.SPECIALIST).get("/events/").status_code == 403


def test_programme_staff_cancel_an_offering_and_every_family_is_told(as_role, app, event):
    from portal.outbox.models import OutboxMessage
    from portal.programmes.models import Offering, OfferingStatus

    liaison = as_role(Role.LIAISON)
    assert post(liaison, f"/events/{event['offering']}/cancel").status_code == 403
    staff = as_role(Role.PROGRAMME_STAFF)
    assert "Cancel this offering" in staff.get("/events/").get_data(as_text=True)
    response = post(staff, f"/events/{event['offering']}/cancel")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Offering, event["offering"]).status == OfferingStatus.CANCELLED
        messages = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "offering.cancelled")
        ).all()
        assert len(messages) == 2 and all(m.language == "en" for m in messages)
    again = post(staff, f"/events/{event['offering']}/cancel")
    assert again.status_code == 303
    assert post(staff, "/events/999999/cancel").status_code == 404
