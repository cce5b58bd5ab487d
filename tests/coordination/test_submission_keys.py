"""Each creating form counts once: a double click or a resend makes one row, same answer."""

from __future__ import annotations

import re
import secrets
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.coordination import services
from portal.coordination.models import NextStep, TeamAttendee, TeamKind, TeamMeeting
from portal.extensions import db
from tests.conftest import demo_email, post
from tests.coordination import test_coordination
from tests.coordination.test_coordination import demo_user, school

meeting_at = test_coordination.meeting_at  # the same fixture: a meeting with one step

KEYS = re.compile(r'name="submission_key"[^>]*value="([^"]*)"')


def count(model, **where) -> int:  # noqa: ANN001
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def test_the_meeting_form_carries_a_key_and_counts_once(as_role, app):
    client = as_role(Role.SOCIAL_WORKER)
    page = client.get("/coordination/new").get_data(as_text=True)
    key = KEYS.search(page).group(1)
    assert 16 <= len(key) <= 64
    with app.app_context():
        sid = school("103")
    data = {"school": sid, "kind": "cost", "held_on": "2026-11-20", "submission_key": key}
    first = post(client, "/coordination/new", data)
    again = post(client, "/coordination/new", {**data, "decisions": "Changed"})
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert count(TeamMeeting, submission_key=key) == 1
    meeting = db.session.scalar(select(TeamMeeting).where(TeamMeeting.submission_key == key))
    assert meeting.decisions == ""  # the resend changed nothing
    assert len(meeting.attendees) == 1  # the recorder, once


def test_the_meeting_page_gives_each_adding_form_its_own_key(as_role, meeting_at):
    meeting_id = meeting_at("101")
    client = as_role(Role.SOCIAL_WORKER)
    page = client.get(f"/coordination/{meeting_id}").get_data(as_text=True)
    keys = KEYS.findall(page)
    assert len(keys) == 3 and len(set(keys)) == 3 and all(len(k) >= 16 for k in keys)
    assert 'id="submission_key"' not in page  # three forms, no clashing ids
    # A form sent back with an error keeps its key, so the retry still counts once.
    refused = post(
        client,
        f"/coordination/{meeting_id}/steps",
        {"description": "", "owner": "", "due_on": "", "submission_key": "r" * 24},
    )
    assert refused.status_code == 422
    assert "r" * 24 in KEYS.findall(refused.get_data(as_text=True))


@pytest.mark.parametrize(
    ("path", "fields", "model", "anchor"),
    [
        ("attendees/staff", {"staff_role": "Counselor"}, TeamAttendee, "attendees"),
        (
            "attendees/family",
            {"name": "Lucía Pérez", "family_role": "Tía"},
            TeamAttendee,
            "attendees",
        ),
        ("steps", {"description": "Home visit", "due_on": "2026-12-01"}, NextStep, "steps"),
    ],
)
def test_adding_twice_with_one_key_adds_once(
    as_role, app, meeting_at, make_user, path, fields, model, anchor
):  # noqa: E501, PLR0913
    meeting_id = meeting_at("101")
    with app.app_context():
        colleague = make_user(Role.LIAISON, schools=(school("101"),), name="Carla Counselor")
    data = {**fields, "staff": colleague.id, "owner": colleague.id, "submission_key": "k" * 32}
    client = as_role(Role.SOCIAL_WORKER)
    before = count(model, meeting_id=meeting_id)
    first = post(client, f"/coordination/{meeting_id}/{path}", data)
    # The resend answers as the first did: not "already on the list", not a second row.
    again = post(client, f"/coordination/{meeting_id}/{path}", {**data, "extra": "ignored"})
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert first.headers["Location"].endswith(f"/coordination/{meeting_id}#{anchor}")
    assert count(model, meeting_id=meeting_id) == before + 1
    assert count(model, submission_key="k" * 32) == 1
    htmx = post(client, f"/coordination/{meeting_id}/{path}", data, headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].endswith(f"#{anchor}")
    assert count(model, meeting_id=meeting_id) == before + 1


@pytest.mark.parametrize("key", [None, "", "short", "x" * 65])
@pytest.mark.parametrize("path", ["new", "{id}/attendees/family", "{id}/steps"])
def test_a_missing_or_malformed_key_is_refused_and_saves_nothing(
    as_role, app, meeting_at, key, path
):  # noqa: E501
    meeting_id = meeting_at("101")
    with app.app_context():
        owner = demo_user(Role.SOCIAL_WORKER).id
    data = {
        "school": school("101"),
        "kind": "cost",
        "held_on": "2026-11-20",
        "name": "Lucía Pérez",
        "family_role": "Tía",
        "description": "Home visit",
        "owner": owner,
        "due_on": "2026-12-01",
    }
    if key is not None:
        data["submission_key"] = key
    before = (count(TeamMeeting), count(TeamAttendee), count(NextStep))
    client = as_role(Role.SOCIAL_WORKER)
    response = post(client, "/coordination/" + path.format(id=meeting_id), data)
    assert response.status_code == 400
    assert (count(TeamMeeting), count(TeamAttendee), count(NextStep)) == before


def test_a_staff_key_on_the_family_form_does_not_add_twice(as_role, app, meeting_at):
    meeting_id = meeting_at("101")
    with app.app_context():
        me = demo_user(Role.SOCIAL_WORKER).id
    client = as_role(Role.SOCIAL_WORKER)
    key = secrets.token_urlsafe(24)
    assert (
        post(
            client,
            f"/coordination/{meeting_id}/attendees/staff",
            {"staff": me, "submission_key": key},
        ).status_code
        == 303
    )  # noqa: E501
    family = {"name": "Lucía Pérez", "family_role": "Tía", "submission_key": key}
    assert post(client, f"/coordination/{meeting_id}/attendees/family", family).status_code == 303
    assert count(TeamAttendee, submission_key=key) == 1


def test_two_sends_at_the_same_moment_record_one_meeting(live_app, monkeypatch):
    """Both requests find no meeting with the key, both insert: the unique key keeps one."""
    key = secrets.token_urlsafe(24)
    with live_app.app_context():
        worker_id = db.session.scalar(
            select(User.id).where(User.email == demo_email(Role.SOCIAL_WORKER))
        )
        sid = school("101")
        # On PostgreSQL both really overlap; SQLite's BEGIN IMMEDIATE lets one writer in at a
        # time, so there the second finds no row only because the first look is skipped.
        overlap = db.engine.dialect.name == "postgresql"
    both_checked = threading.Barrier(2, timeout=20)
    real = services._already_sent  # noqa: SLF001
    first_look = threading.local()
    looks_skipped: list[bool] = []

    def racing(model, found_key):  # noqa: ANN001, ANN202
        if getattr(first_look, "done", False):
            return real(model, found_key)
        first_look.done = True
        looks_skipped.append(True)
        if overlap:
            both_checked.wait()  # both past the check before either writes
        return None

    monkeypatch.setattr(services, "_already_sent", racing)

    def send(_: int) -> int:
        with live_app.test_request_context():
            worker = db.session.get(User, worker_id)
            meeting = services.create_meeting(
                worker,
                services.MeetingInput(
                    school_id=sid,
                    kind=TeamKind.COST,
                    held_on=date(2026, 11, 20),
                    submission_key=key,
                ),
                ip=None,
            )
            return meeting.id

    ids: list[int] = []
    threads = [threading.Thread(target=lambda: ids.append(send(0))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(ids) == 2 and looks_skipped == [True, True]  # both really raced past the check
    assert ids[0] == ids[1]
    with live_app.app_context():
        assert count(TeamMeeting, submission_key=key) == 1
        meeting = db.session.get(TeamMeeting, ids[0])
        assert len(meeting.attendees) == 1
