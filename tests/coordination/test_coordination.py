"""COST and SAART meetings: scope, recording, referrals discussed and next steps due."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.auth.roles import Role
from portal.coordination import services
from portal.coordination.models import NextStep, TeamKind, TeamMeeting
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.referrals.models import Referral
from portal.schools.models import School
from tests.conftest import demo_email, post

TODAY = date(2026, 11, 23)


def school(code: str) -> int:
    return db.session.scalar(select(School.id).where(School.code == code))


def demo_user(role: Role) -> User:
    return db.session.scalar(select(User).where(User.email == demo_email(role)))


def referral_at(code: str, name: str, **fields) -> int:
    contact = FamilyContact(name="Ana Ruiz", phone="+17205550199")
    db.session.add(contact)
    db.session.flush()
    referral = Referral(
        token=secrets.token_hex(16),
        submission_key=secrets.token_hex(16),
        school_id=school(code),
        contact_id=contact.id,
        student_first_name=name,
        **fields,
    )
    db.session.add(referral)
    db.session.commit()
    return referral.id


@pytest.fixture
def meeting_at(app):
    """A factory: a meeting recorded by the demo social worker at a school, with one step."""

    def make(code: str = "101", *, due: date = TODAY - timedelta(days=2)) -> int:
        with app.test_request_context():
            worker = demo_user(Role.SOCIAL_WORKER)
            meeting = TeamMeeting(
                school_id=school(code), kind=TeamKind.COST, held_on=TODAY, decisions="Plan"
            )
            meeting.steps.append(
                NextStep(description="Call the family", owner_id=worker.id, due_on=due)
            )
            db.session.add(meeting)
            db.session.commit()
            return meeting.id

    return make


def test_social_worker_records_a_meeting_at_their_school(as_role, app):
    client = as_role(Role.SOCIAL_WORKER)
    with app.app_context():
        sid = school("103")
    response = post(
        client,
        "/coordination/new",
        {
            "school": sid,
            "kind": "saart",
            "held_on": "2026-11-20",
            "decisions": "Attendance plan",
            "submission_key": secrets.token_urlsafe(24),
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    meeting_id = int(re.search(r"/coordination/(\d+)", response.headers["Location"]).group(1))
    page = client.get(f"/coordination/{meeting_id}").get_data(as_text=True)
    assert "Student Attendance Achievement Review Team" in page
    assert "Tomás Aguilar" in page  # the recorder attends
    assert "Attendance plan" in page
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"team_meeting.created", "team_meeting.viewed"} <= actions


def test_a_meeting_cannot_be_recorded_at_another_school(as_role, app):
    client = as_role(Role.SOCIAL_WORKER)
    with app.app_context():
        other = school("102")
    response = post(
        client, "/coordination/new", {"school": other, "kind": "cost", "held_on": "2026-11-20"}
    )
    assert response.status_code == 422
    assert db.session.scalar(select(TeamMeeting).where(TeamMeeting.school_id == other)) is None


def test_bad_input_comes_back_with_messages_and_nothing_lost(as_role):
    client = as_role(Role.SOCIAL_WORKER)
    response = post(
        client, "/coordination/new", {"kind": "cost", "held_on": "31/02/2026", "decisions": "Keep"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose the school." in page
    assert "Keep" in page


def test_extra_posted_fields_are_ignored(as_role, app, meeting_at):
    meeting_id = meeting_at("101")
    client = as_role(Role.SOCIAL_WORKER)
    with app.app_context():
        other = school("102")
    post(client, f"/coordination/{meeting_id}/decisions", {"decisions": "New", "school_id": other})
    meeting = db.session.get(TeamMeeting, meeting_id)
    assert meeting.decisions == "New"
    assert meeting.school_id != other


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.CASEWORKER])
def test_another_schools_meeting_is_404(as_role, meeting_at, role):
    meeting_id = meeting_at("102")  # neither demo account works at 102
    client = as_role(role)
    assert client.get(f"/coordination/{meeting_id}").status_code == 404
    response = post(client, f"/coordination/{meeting_id}/decisions", {"decisions": "x"})
    assert response.status_code == 404
    response = post(client, f"/coordination/{meeting_id}/steps/1/done", {"done": "1"})
    assert response.status_code == 404


def test_a_caseworker_sees_only_pilot_schools(as_role, meeting_at):
    # The demo caseworker works at 101 (a pilot school) and 506; the social worker's 103 is
    # not theirs, and 101's meeting is.
    assert as_role(Role.CASEWORKER).get(f"/coordination/{meeting_at('101')}").status_code == 200
    assert as_role(Role.CASEWORKER).get(f"/coordination/{meeting_at('103')}").status_code == 404


def test_caseworker_at_a_non_pilot_school_is_out_of_scope(app, make_user):
    with app.app_context():
        user = make_user(Role.CASEWORKER, schools=(school("103"),))
        assert school("103") not in set(db.session.scalars(services.meeting_school_ids(user)))
        assert school("101") not in set(db.session.scalars(services.meeting_school_ids(user)))


@pytest.mark.parametrize(
    "role", [r for r in Role if r not in (Role.SOCIAL_WORKER, Role.CASEWORKER)]
)
def test_other_roles_are_refused(as_role, meeting_at, role):
    meeting_id = meeting_at("101")
    client = as_role(role)
    assert client.get("/coordination/").status_code == 403
    assert client.get(f"/coordination/{meeting_id}").status_code == 403
    assert (
        post(client, f"/coordination/{meeting_id}/decisions", {"decisions": "x"}).status_code == 403
    )


def test_attendees_staff_and_family(as_role, app, meeting_at, make_user):
    meeting_id = meeting_at("101")
    with app.app_context():
        counselor = make_user(Role.LIAISON, schools=(school("101"),), name="Carla Counselor")
        elsewhere = make_user(Role.LIAISON, schools=(school("102"),), name="Elsa Elsewhere")
    client = as_role(Role.SOCIAL_WORKER)
    ok = post(
        client,
        f"/coordination/{meeting_id}/attendees/staff",
        {"staff": counselor.id, "staff_role": "Counselor", "submission_key": "s" * 24},
    )
    assert ok.status_code == 303
    refused = post(client, f"/coordination/{meeting_id}/attendees/staff", {"staff": elsewhere.id})
    assert refused.status_code == 422
    family = post(
        client,
        f"/coordination/{meeting_id}/attendees/family",
        {"name": "Lucía Pérez", "family_role": "Grandmother", "submission_key": "f" * 24},
    )
    assert family.status_code == 303
    missing = post(client, f"/coordination/{meeting_id}/attendees/family", {"name": "X"})
    assert missing.status_code == 422
    page = client.get(f"/coordination/{meeting_id}").get_data(as_text=True)
    assert "Carla Counselor (Counselor)" in page and "Lucía Pérez (Grandmother)" in page
    assert "Elsa Elsewhere" not in page


def test_next_steps_added_done_and_due_on_the_home_page(as_role, app, meeting_at):
    meeting_id = meeting_at("101", due=date(2000, 1, 3))  # long overdue
    client = as_role(Role.SOCIAL_WORKER)
    with app.app_context():
        owner = demo_user(Role.CASEWORKER).id  # works at 101 too
    response = post(
        client,
        f"/coordination/{meeting_id}/steps",
        {
            "description": "Home visit",
            "owner": owner,
            "due_on": "2099-01-05",
            "submission_key": secrets.token_urlsafe(24),
        },
    )
    assert response.status_code == 303
    home = client.get("/").get_data(as_text=True)
    block = home.split('id="team-next-steps"')[1].split("</section>")[0]
    assert "Call the family" in block and "Overdue" in block
    assert "Home visit" not in block  # due far beyond the next two weeks

    step = db.session.scalar(select(NextStep).where(NextStep.description == "Call the family"))
    post(client, f"/coordination/{meeting_id}/steps/{step.id}/done", {"done": "1"})
    db.session.expire_all()
    assert db.session.get(NextStep, step.id).done
    assert "Call the family" not in client.get("/").get_data(as_text=True)


def test_a_step_owner_must_work_at_the_school(as_role, app, meeting_at, make_user):
    meeting_id = meeting_at("101")
    with app.app_context():
        outsider = make_user(Role.LIAISON, schools=(school("102"),))
    response = post(
        as_role(Role.SOCIAL_WORKER),
        f"/coordination/{meeting_id}/steps",
        {"description": "Anything", "owner": outsider.id, "due_on": "2026-12-01"},
    )
    assert response.status_code == 422


def test_home_page_shows_no_team_block_to_others(as_role, meeting_at):
    meeting_at("101")
    assert 'id="team-next-steps"' not in as_role(Role.LIAISON).get("/").get_data(as_text=True)


def test_referrals_discussed_only_at_the_meetings_school(as_role, app, meeting_at):
    meeting_id = meeting_at("101")
    with app.app_context():
        here = referral_at("101", "Diego")
        there = referral_at("103", "Sofía")  # the social worker's, but another school
    client = as_role(Role.SOCIAL_WORKER)
    page = client.get(f"/coordination/{meeting_id}").get_data(as_text=True)
    assert "Diego" in page and "Sofía" not in page
    assert (
        post(client, f"/coordination/{meeting_id}/referrals", {"referral": there}).status_code
        == 422
    )
    assert (
        post(client, f"/coordination/{meeting_id}/referrals", {"referral": here}).status_code == 303
    )
    meeting = db.session.get(TeamMeeting, meeting_id)
    assert [r.id for r in meeting.referrals] == [here]
    assert post(client, f"/coordination/{meeting_id}/referrals/{here}/remove").status_code == 303
    db.session.expire_all()
    assert db.session.get(TeamMeeting, meeting_id).referrals == []


def test_a_caseworker_cannot_link_a_social_worker_only_referral(as_role, app, meeting_at):
    meeting_id = meeting_at("101")
    with app.app_context():
        social_only = referral_at("101", "Diego")
        for_caseworker = referral_at(
            "101", "Iker", for_caseworker=True, for_social_worker=False, child_safety=True
        )
    client = as_role(Role.CASEWORKER)
    page = client.get(f"/coordination/{meeting_id}").get_data(as_text=True)
    assert "Iker" in page and "Diego" not in page
    response = post(client, f"/coordination/{meeting_id}/referrals", {"referral": social_only})
    assert response.status_code == 422
    response = post(client, f"/coordination/{meeting_id}/referrals", {"referral": for_caseworker})
    assert response.status_code == 303


def test_index_lists_only_my_schools_meetings(as_role, meeting_at):
    mine, theirs = meeting_at("301"), meeting_at("102")
    page = as_role(Role.SOCIAL_WORKER).get("/coordination/").get_data(as_text=True)
    assert f"/coordination/{mine}" in page
    assert f"/coordination/{theirs}" not in page


def test_demo_meetings_load_once_with_steps_due(app_ctx):
    from portal.coordination.demo import load_demo_meetings

    assert load_demo_meetings(TODAY) == {"coordination meetings": 3}
    assert load_demo_meetings(TODAY) == {"coordination meetings": 0}
    due = services.steps_due(demo_user(Role.SOCIAL_WORKER), TODAY)
    assert due.overdue and due.upcoming


def test_a_withdrawn_consent_takes_the_referral_off_the_caseworkers_meeting(
    as_role, app, meeting_at
):
    from portal.referrals.models import ConsentMethod
    from portal.referrals.services import ConsentInput, record_consent, revoke_consent

    meeting_id = meeting_at("101")
    with app.test_request_context():
        referral_id = referral_at("101", "Iker", for_social_worker=True)
        referral = db.session.get(Referral, referral_id)
        consent = record_consent(
            referral,
            ConsentInput(given_by="Ana Ruiz", method=ConsentMethod.SIGNED_FORM, given_on=TODAY),
            actor=demo_user(Role.SOCIAL_WORKER),
            ip=None,
            today=TODAY,
        )
    client = as_role(Role.CASEWORKER)
    assert "Iker" in client.get(f"/coordination/{meeting_id}").get_data(as_text=True)
    with app.test_request_context():
        referral = db.session.get(Referral, referral_id)
        revoke_consent(
            referral,
            consent.id,
            ConsentMethod.PHONE,
            actor=demo_user(Role.SOCIAL_WORKER),
            ip=None,
        )
    assert "Iker" not in client.get(f"/coordination/{meeting_id}").get_data(as_text=True)
    response = post(client, f"/coordination/{meeting_id}/referrals", {"referral": referral_id})
    assert response.status_code == 422


def test_a_meeting_shows_each_reader_only_the_referrals_they_may_read(as_role, app, meeting_at):
    """The social worker links a referral the county caseworker may not read (no consent):
    the caseworker at the same pilot school opens the meeting and sees no student of it."""
    meeting_id = meeting_at("101")
    with app.app_context():
        social_only = referral_at("101", "Zacarías", student_grade="3")
    worker = as_role(Role.SOCIAL_WORKER)
    response = post(worker, f"/coordination/{meeting_id}/referrals", {"referral": social_only})
    assert response.status_code == 303
    assert "Zacarías" in worker.get(f"/coordination/{meeting_id}").get_data(as_text=True)
    caseworker = as_role(Role.CASEWORKER)
    page = caseworker.get(f"/coordination/{meeting_id}")
    assert page.status_code == 200
    assert "Zacarías" not in page.get_data(as_text=True)
    assert f"/referrals/{social_only}/remove" not in page.get_data(as_text=True)
    # Nor can the caseworker take it off the meeting: it does not exist for them.
    response = post(caseworker, f"/coordination/{meeting_id}/referrals/{social_only}/remove")
    assert response.status_code == 404
    db.session.expire_all()
    assert [r.id for r in db.session.get(TeamMeeting, meeting_id).referrals] == [social_only]


def test_a_meeting_read_is_on_each_shown_referrals_access_history(as_role, app, meeting_at):
    """The meeting page names the students discussed: a read of each of those referrals."""
    meeting_id = meeting_at("101")
    with app.app_context():
        linked = referral_at("101", "Diego")
    worker = as_role(Role.SOCIAL_WORKER)
    assert post(worker, f"/coordination/{meeting_id}/referrals", {"referral": linked}).status_code
    worker.get(f"/coordination/{meeting_id}")
    rows = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.target_type == "referrals", AuditEvent.target_id == str(linked)
        )
    ).all()
    assert "referral.meeting_viewed" in {r.action for r in rows}
