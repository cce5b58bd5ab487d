"""Triage, timeline entries, meetings, escalation, quick logs and service levels."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.auth.roles import Role
from portal.calendar.models import DayKind, NonSchoolDay
from portal.concerns import casework, service_levels
from portal.concerns.models import (
    CallOutcome,
    CaseKind,
    EntryKind,
    EscalationTarget,
    MeetingKind,
    MeetingOutcome,
    QuickLog,
    Status,
)
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.schools.models import Network, School
from tests.concerns.conftest import category_id, load_case, school_id, user_id

pytestmark = pytest.mark.usefixtures("app_ctx")


def specialist() -> int:
    return user_id(Role.SPECIALIST)


def plan(kind: MeetingKind = MeetingKind.MEDIATION) -> casework.MeetingPlan:
    return casework.MeetingPlan(
        kind=kind,
        scheduled_for=datetime(2026, 11, 20, 16, tzinfo=UTC),
        location="César Chávez Elementary, library",
        video=False,
        school_leader="Principal Ortega",
        participants="",
        interpreter_language="Spanish",
    )


def test_triage_sets_tier_assignee_and_acknowledges(submit):
    case = load_case(submit(kind=CaseKind.QUESTION).reference)
    casework.triage(
        case,
        casework.Triage(
            tier=2,
            category_id=category_id("bullying"),
            school_id=school_id("103"),
            assignee_id=specialist(),
            urgent=True,
        ),
        actor_id=specialist(),
        ip=None,
    )
    assert (case.tier, case.status, case.assignee_id, case.urgent) == (
        2,
        Status.ACKNOWLEDGED,
        specialist(),
        True,
    )
    assert case.acknowledge_due is not None and case.acknowledged_at is not None
    kinds = [e.kind for e in case.entries]
    assert EntryKind.TRIAGE in kinds and EntryKind.ASSIGNMENT in kinds
    assert db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "concern.acknowledged")
    ).first()


def test_logging_a_call_with_the_family_is_first_contact(submit):
    case = load_case(submit().reference)
    casework.add_entry(case, EntryKind.CALL, "Spoke with Rosa.", actor_id=specialist(), ip=None)
    assert case.first_contact_at is not None and case.status == Status.IN_PROGRESS


def test_a_call_with_the_school_is_not_first_contact(submit):
    case = load_case(submit().reference)
    casework.add_entry(
        case,
        EntryKind.CALL,
        "Left a message for the principal.",
        actor_id=specialist(),
        ip=None,
        school_contact=True,
    )
    assert case.first_contact_at is None and case.last_school_contact_at is not None


def test_entries_need_text_and_corrections_are_new_entries(submit):
    case = load_case(submit().reference)
    with pytest.raises(casework.CaseworkError):
        casework.add_entry(case, EntryKind.INTERNAL_NOTE, "   ", actor_id=specialist(), ip=None)
    note = casework.add_entry(
        case, EntryKind.INTERNAL_NOTE, "Met on Tuesday.", actor_id=specialist(), ip=None
    )
    fix = casework.correct_entry(
        case, note.id, "Met on Wednesday, not Tuesday.", actor_id=specialist(), ip=None
    )
    assert note.body == "Met on Tuesday." and fix.corrects_id == note.id


def test_meeting_then_outcome(submit):
    case = load_case(submit().reference)
    meeting = casework.schedule_meeting(case, plan(), actor_id=specialist(), ip=None)
    assert case.status == Status.MEETING
    invite = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "concern.meeting")
    ).one()
    assert "César Chávez Elementary, library" in invite.body
    casework.record_outcome(
        meeting,
        MeetingOutcome.PARTIAL_AGREEMENT,
        "Bus stop moved.",
        date(2026, 12, 4),
        actor_id=specialist(),
        ip=None,
    )
    assert case.status == Status.IN_PROGRESS and meeting.follow_up_on == date(2026, 12, 4)


def test_no_meetings_for_tier_1(submit):
    case = load_case(submit(kind=CaseKind.QUESTION).reference)
    with pytest.raises(casework.CaseworkError):
        casework.schedule_meeting(case, plan(), actor_id=specialist(), ip=None)


def test_escalation_to_the_networks_superintendent(submit):
    case = load_case(submit(school_id=school_id("101")).reference)  # Northwest Network
    casework.escalate(
        case,
        EscalationTarget.SUPERINTENDENT,
        "Principal not responding.",
        actor_id=specialist(),
        ip=None,
    )
    assert case.tier == 3 and case.status == Status.ESCALATED
    assert case.escalated_to_id == user_id(Role.SUPERINTENDENT)


def test_escalation_needs_a_reason_and_someone_to_receive_it(submit):
    case = load_case(submit().reference)
    with pytest.raises(casework.CaseworkError):
        casework.escalate(
            case, EscalationTarget.SENIOR_MANAGER, " ", actor_id=specialist(), ip=None
        )
    network = db.session.scalars(select(Network).join(School).where(School.code == "101")).one()
    network.superintendent_id = None
    with pytest.raises(casework.CaseworkError):
        casework.escalate(
            case, EscalationTarget.SUPERINTENDENT, "x", actor_id=specialist(), ip=None
        )


def test_unresponsive_school_leader_escalates_after_the_set_business_days(submit):
    case = load_case(submit().reference)
    casework.triage(
        case,
        casework.Triage(
            tier=2,
            category_id=case.category_id,
            school_id=case.school_id,
            assignee_id=specialist(),
            urgent=False,
        ),
        actor_id=specialist(),
        ip=None,
    )
    case.acknowledged_at = datetime(2026, 11, 16, 17, tzinfo=UTC)
    db.session.commit()
    # Five business days from Monday 16 Nov: four that week, none in Thanksgiving week.
    assert casework.escalate_unresponsive(date(2026, 11, 27)) == []
    assert casework.escalate_unresponsive(date(2026, 11, 30)) == [case.reference]
    assert case.status == Status.ESCALATED
    assert "not responding" in case.entries[-1].body


def test_resolving_needs_a_summary_and_queues_the_survey(submit):
    case = load_case(submit().reference)
    with pytest.raises(casework.CaseworkError):
        casework.change_status(case, Status.RESOLVED, actor_id=specialist(), ip=None)
    casework.change_status(
        case,
        Status.RESOLVED,
        actor_id=specialist(),
        ip=None,
        summary="The route changed on 1 December.",
    )
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "concern.resolved")
    ).one()
    assert "The route changed on 1 December." in message.body
    with pytest.raises(casework.CaseworkError):
        casework.change_status(case, Status.NEW, actor_id=specialist(), ip=None)


def test_quick_log_counts_without_a_case(app):
    casework.quick_log(
        category_id=category_id("enrollment"),
        school_id=None,
        language="es",
        outcome=CallOutcome.POLICY_CLARIFIED,
        actor_id=specialist(),
    )
    log = db.session.scalars(select(QuickLog)).one()
    assert log.language == "es" and log.outcome == CallOutcome.POLICY_CLARIFIED


def test_due_dates_move_with_the_calendar_and_the_targets(submit):
    case = load_case(submit(today=date(2027, 4, 5)).reference)  # a Monday
    assert str(case.resolve_due) == "2027-04-19"
    db.session.add(
        NonSchoolDay(
            day=date(2027, 4, 9), kind=DayKind.HOLIDAY, name_en="Snow day", name_es="Día de nieve"
        )
    )
    service_levels.refresh_open_cases()
    assert str(case.resolve_due) == "2027-04-20"
    moved = service_levels.update_levels(
        acknowledge_days=1,
        first_contact_days=2,
        resolve_days=5,
        escalate_unresponsive_days=5,
        actor_id=user_id(Role.SENIOR_MANAGER),
        ip=None,
    )
    assert moved >= 1 and str(case.resolve_due) == "2027-04-13"


def test_overdue_is_judged_per_target(submit):
    case = load_case(submit().reference)
    assert case.overdue_targets(date(2026, 11, 17)) == []
    assert case.overdue_targets(date(2026, 11, 18)) == ["acknowledge"]
    assert case.overdue_targets(date(2026, 12, 8)) == ["acknowledge", "first_contact", "resolve"]
