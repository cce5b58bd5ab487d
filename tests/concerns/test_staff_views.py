"""Staff pages over HTTP: every route for every role, scope, audit and the main actions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.roles import Role
from portal.concerns.models import Case, CaseKind, QuickLog, Status
from portal.extensions import db
from tests.concerns.conftest import category_id, user_id
from tests.conftest import csrf, post

CASEWORK = {Role.SPECIALIST, Role.SENIOR_MANAGER, Role.SUPERINTENDENT}


@pytest.fixture
def reference(app, submit):  # noqa: ANN001, ANN201
    """An unassigned concern at a Northwest school: in reach of specialists and the manager."""
    return submit().reference


def page_routes(reference: str) -> dict[str, set[Role]]:
    return {
        "/cases/": CASEWORK,
        f"/cases/{reference}": {Role.SPECIALIST, Role.SENIOR_MANAGER},
        "/cases/knowledge": {Role.SPECIALIST, Role.SENIOR_MANAGER},
        "/cases/service-levels": {Role.SENIOR_MANAGER},
    }


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_page_for_every_role(as_role, role, reference):
    client = as_role(role)
    for path, allowed in page_routes(reference).items():
        status = client.get(path).status_code
        if role in allowed:
            assert status == 200, (role, path)
        elif role == Role.SUPERINTENDENT and path.startswith("/cases/FCS"):
            assert status == 404, (role, path)  # not escalated to them: out of scope
        else:
            assert status == 403, (role, path)


@pytest.mark.parametrize("role", [r for r in Role if r not in CASEWORK])
def test_every_case_action_is_refused_to_other_roles(as_role, role, reference):
    client = as_role(role)
    token = csrf(client)
    for action in [
        "triage",
        "status",
        "entries",
        "meetings",
        "escalate",
        "access-code",
        "meetings/1/outcome",
    ]:
        response = client.post(f"/cases/{reference}/{action}", data={"csrf_token": token})
        assert response.status_code == 403, (role, action)
    assert client.post("/cases/quick-log", data={"csrf_token": token}).status_code == 403


def test_a_case_out_of_scope_is_404_for_page_and_actions(as_role, app, submit, make_user):
    other = make_user(Role.SPECIALIST, email="someone.else@test.example.org")
    reference = submit().reference
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        case.assignee_id = other.id
        db.session.commit()
    client = as_role(Role.SPECIALIST)
    assert client.get(f"/cases/{reference}").status_code == 404
    assert client.get("/cases/FCS-2026-999999").status_code == 404
    response = post(
        client, f"/cases/{reference}/entries", {"entry-kind": "call", "entry-body": "Sneaky"}
    )
    assert response.status_code == 404


def test_viewing_a_case_is_audited(as_role, app, reference):
    as_role(Role.SENIOR_MANAGER).get(f"/cases/{reference}")
    with app.app_context():
        row = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.viewed")).one()
        assert row.actor_id == user_id(Role.SENIOR_MANAGER)


def test_triage_log_and_resolve_over_http(as_role, app, reference):
    client = as_role(Role.SPECIALIST)
    with app.app_context():
        specialist = user_id(Role.SPECIALIST)
        category = category_id("bullying")
    response = post(
        client,
        f"/cases/{reference}/triage",
        {
            "triage-tier": "2",
            "triage-category": str(category),
            "triage-school": "",
            "triage-assignee": str(specialist),
            "triage-urgent": "y",
        },
    )
    assert response.status_code == 303
    response = post(
        client,
        f"/cases/{reference}/entries",
        {"entry-kind": "call", "entry-body": "Spoke with the family in Spanish."},
    )
    assert response.status_code == 303
    refused = post(
        client, f"/cases/{reference}/status", {"status-status": "resolved", "status-summary": ""}
    )
    assert refused.status_code == 422
    response = post(
        client,
        f"/cases/{reference}/status",
        {"status-status": "resolved", "status-summary": "Bullying plan agreed with the school."},
    )
    assert response.status_code == 303
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        assert case.status == Status.RESOLVED and case.urgent and case.category_id == category
        assert case.first_contact_at is not None


def test_forged_status_is_refused(as_role, reference):
    client = as_role(Role.SPECIALIST)
    response = post(client, f"/cases/{reference}/status", {"status-status": "closed"})
    assert response.status_code == 422


def test_quick_log_from_the_queue_with_htmx(as_role, app):
    client = as_role(Role.SPECIALIST)
    token = csrf(client, "/cases/")
    with app.app_context():
        category = category_id("enrollment")
    response = client.post(
        "/cases/quick-log",
        headers={"HX-Request": "true"},
        data={
            "csrf_token": token,
            "category": str(category),
            "school": "",
            "language": "es",
            "outcome": "answered",
        },
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith('<div id="recent-calls"')
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuickLog)) == 1


def test_queue_filter_answers_htmx_with_a_fragment_and_keeps_the_url(as_role, submit):
    submit(kind=CaseKind.QUESTION, language="en")
    client = as_role(Role.SENIOR_MANAGER)
    fragment = client.get("/cases/?tier=1&language=en", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="queue-results"') and "<html" not in body
    full = client.get("/cases/?tier=1&language=en").get_data(as_text=True)
    assert 'value="1" selected' in full


def test_service_levels_page_moves_due_dates(as_role, app, reference):
    client = as_role(Role.SENIOR_MANAGER)
    response = post(
        client,
        "/cases/service-levels",
        {
            "acknowledge_days": "1",
            "first_contact_days": "2",
            "resolve_days": "15",
            "escalate_unresponsive_days": "5",
        },
    )
    assert response.status_code == 303
    bad = post(
        client,
        "/cases/service-levels",
        {
            "acknowledge_days": "-3",
            "first_contact_days": "x",
            "resolve_days": "",
            "escalate_unresponsive_days": "5",
        },
    )
    assert bad.status_code == 422


def test_an_entry_is_corrected_by_a_new_entry(as_role, app, reference):
    client = as_role(Role.SPECIALIST)
    post(
        client,
        f"/cases/{reference}/entries",
        {"entry-kind": "internal_note", "entry-body": "Met the principal Tuesday."},
    )
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        note = case.entries[-1]
    assert f"/entries/{note.id}/correct" in client.get(f"/cases/{reference}").get_data(as_text=True)
    empty = post(client, f"/cases/{reference}/entries/{note.id}/correct", {"correction-body": " "})
    assert empty.status_code == 422
    response = post(
        client,
        f"/cases/{reference}/entries/{note.id}/correct",
        {"correction-body": "It was Wednesday."},
    )
    assert response.status_code == 303
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        assert case.entries[-1].corrects_id == note.id
        assert db.session.get(type(note), note.id).body == "Met the principal Tuesday."
    assert (
        post(
            client, f"/cases/{reference}/entries/999999/correct", {"correction-body": "x"}
        ).status_code
        == 422
    )
