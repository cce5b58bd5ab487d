"""Who sees which cases, and the queue's filters."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.auth.models import User
from portal.auth.roles import Role
from portal.concerns import casework, queue
from portal.concerns.models import Case, CaseKind, EscalationTarget
from portal.extensions import db
from tests.concerns.conftest import load_case, school_id, user_id
from tests.conftest import demo_email

pytestmark = pytest.mark.usefixtures("app_ctx")


def user(role: Role) -> User:
    return db.session.scalars(select(User).where(User.email == demo_email(role))).one()


def refs(who: User, **args: str) -> set[str]:
    flt = queue.parse_filter(MultiDict(args))
    return {c.reference for c in db.session.scalars(queue.queue(who, flt, date(2026, 11, 23)))}


@pytest.fixture
def cases(submit, make_user):  # noqa: ANN001, ANN201
    other = make_user(Role.SPECIALIST, email="other.specialist@test.example.org")
    mine = load_case(submit().reference)
    theirs = load_case(submit().reference)
    unassigned = load_case(submit(kind=CaseKind.QUESTION, language="en").reference)
    safety = load_case(submit(child_in_danger=True).reference)
    escalated = load_case(submit(school_id=school_id("102")).reference)  # Northwest
    elsewhere = load_case(submit(school_id=school_id("401")).reference)  # Southeast
    mine.assignee_id = user_id(Role.SPECIALIST)
    theirs.assignee_id = other.id
    escalated.assignee_id = other.id
    elsewhere.assignee_id = other.id
    db.session.commit()
    casework.escalate(
        escalated,
        EscalationTarget.SUPERINTENDENT,
        "No answer from school.",
        actor_id=other.id,
        ip=None,
    )
    casework.escalate(
        elsewhere,
        EscalationTarget.SUPERINTENDENT,
        "No answer from school.",
        actor_id=other.id,
        ip=None,
    )
    return {
        "mine": mine.reference,
        "theirs": theirs.reference,
        "unassigned": unassigned.reference,
        "safety": safety.reference,
        "escalated": escalated.reference,
        "elsewhere": elsewhere.reference,
    }


def test_specialist_sees_unassigned_and_their_own(cases):
    assert refs(user(Role.SPECIALIST)) == {cases["mine"], cases["unassigned"]}


def test_child_safety_cases_go_to_the_senior_manager_only(cases):
    assert cases["safety"] in refs(user(Role.SENIOR_MANAGER))
    assert cases["safety"] not in refs(user(Role.SPECIALIST))


def test_superintendent_sees_their_networks_escalations_only(cases):
    assert refs(user(Role.SUPERINTENDENT)) == {cases["escalated"]}


def test_senior_manager_sees_everything(cases):
    assert set(cases.values()) <= refs(user(Role.SENIOR_MANAGER))


@pytest.mark.parametrize(
    "role",
    [
        Role.LIAISON,
        Role.ANALYST,
        Role.ADMIN,
        Role.FAMILY,
        Role.SOCIAL_WORKER,
        Role.CASEWORKER,
        Role.PROGRAMME_STAFF,
    ],
)
def test_other_roles_see_no_cases(cases, role):
    assert refs(user(role)) == set()


def test_filters(cases):
    manager = user(Role.SENIOR_MANAGER)
    assert refs(manager, tier="1") == {cases["unassigned"]}
    assert refs(manager, language="en") == {cases["unassigned"]}
    assert refs(manager, urgent="1") == {cases["safety"]}
    assert refs(manager, assignee="none") == {cases["unassigned"]}
    assert cases["escalated"] in refs(manager, status="escalated")
    assert cases["mine"] not in refs(manager, status="escalated")
    assert refs(manager, school=str(school_id("401"))) == {cases["elsewhere"]}
    # Received Monday 16 Nov: acknowledgement was due on the 17th, the inquiry's answer on
    # the 18th; both are late on the 23rd.
    assert {cases["mine"], cases["unassigned"]} <= refs(manager, overdue="1")


def test_a_case_received_today_is_not_overdue(submit):
    fresh = submit(today=date(2026, 11, 23)).reference
    assert fresh not in refs(user(Role.SENIOR_MANAGER), overdue="1")
    assert fresh in refs(user(Role.SENIOR_MANAGER))


def test_unknown_filter_values_are_ignored():
    flt = queue.parse_filter(
        MultiDict(
            {
                "status": "'; drop table cases;--",
                "tier": "9",
                "assignee": "<script>",
                "language": "fr",
            }
        )
    )
    assert flt == queue.QueueFilter()


def test_urgent_cases_come_first_then_soonest_due(cases):
    manager = user(Role.SENIOR_MANAGER)
    ordered = [
        c.reference
        for c in db.session.scalars(queue.queue(manager, queue.QueueFilter(), date(2026, 11, 23)))
    ]
    assert ordered[0] == cases["safety"]
    rest = [
        db.session.scalars(select(Case).where(Case.reference == r)).one().resolve_due
        for r in ordered[1:]
    ]
    assert rest == sorted(rest)
