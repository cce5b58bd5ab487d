"""What staff do on a case: triage, status, timeline entries, meetings, escalation, quick logs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.services import record
from portal.auth.models import User
from portal.calendar.services import business_days_between
from portal.concerns import workflow
from portal.concerns.models import (
    CallOutcome,
    Case,
    CaseEntry,
    EntryKind,
    EscalationTarget,
    Meeting,
    MeetingKind,
    MeetingOutcome,
    QuickLog,
    Status,
)
from portal.concerns.notify import notify_family
from portal.concerns.service_levels import apply_due_dates, current
from portal.extensions import db
from portal.schools.models import Network, School
from portal.timeutil import utcnow

# Kinds a specialist records by hand; the others are written by the actions below.
CONTACT_KINDS = (EntryKind.CALL, EntryKind.EMAIL, EntryKind.TEXT, EntryKind.IN_PERSON)
NOTE_KINDS = (*CONTACT_KINDS, EntryKind.INTERNAL_NOTE, EntryKind.FAMILY_NOTE)


class CaseworkError(ValueError):
    """An action that cannot be done to this case; `field` names the form field at fault."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.field = field


def _entry(
    case: Case,
    kind: EntryKind,
    actor_id: int | None,
    *,
    body: str = "",
    visible: bool = False,
    **detail: object,
) -> CaseEntry:
    entry = CaseEntry(
        kind=kind,
        author_id=actor_id,
        body=body,
        visible_to_family=visible,
        detail={k: v for k, v in detail.items() if v is not None},
    )
    case.entries.append(entry)
    return entry


def _set_status(case: Case, target: Status, actor_id: int | None, *, visible: bool = True) -> None:
    workflow.check(case.status, case.tier, target)
    previous = case.status
    case.status = target
    now = utcnow()
    if target == Status.ACKNOWLEDGED and case.acknowledged_at is None:
        case.acknowledged_at = now
    if target in (Status.RESOLVED,):
        case.resolved_at = now
    if target == Status.CLOSED:
        case.closed_at = now
    if previous == Status.RESOLVED and target == Status.IN_PROGRESS:
        case.resolved_at = None  # reopened: the resolution target applies again
    _entry(
        case,
        EntryKind.STATUS_CHANGE,
        actor_id,
        visible=visible,
        **{"from": previous.value, "to": target.value},
    )


@dataclass(frozen=True)
class Triage:
    tier: int
    category_id: int
    school_id: int | None
    assignee_id: int | None
    urgent: bool


def triage(case: Case, data: Triage, *, actor_id: int, ip: str | None) -> None:
    """Set tier, category, school, urgency and assignee; due dates follow the tier."""
    if data.tier not in (1, 2, 3):
        raise CaseworkError(_l("Choose Tier 1, 2 or 3."), "tier")
    if case.status == Status.MEETING and data.tier == 1:
        raise CaseworkError(_l("A case with a meeting cannot be a Tier 1 inquiry."), "tier")
    changes = {}
    for attr in ("tier", "category_id", "school_id", "urgent"):
        if getattr(case, attr) != getattr(data, attr):
            changes[attr] = {"from": getattr(case, attr), "to": getattr(data, attr)}
            setattr(case, attr, getattr(data, attr))
    if "tier" in changes:
        apply_due_dates(case)
    if changes:
        _entry(case, EntryKind.TRIAGE, actor_id, **changes)
    if case.assignee_id != data.assignee_id:
        assign(case, data.assignee_id, actor_id=actor_id, ip=ip, commit=False)
    if case.status == Status.NEW:
        _set_status(case, Status.ACKNOWLEDGED, actor_id)
        notify_family(case, "concern.acknowledged", dedupe="acknowledged")
    record("case.triaged", actor_id=actor_id, target=case, ip=ip, detail=changes)
    db.session.commit()


def assign(
    case: Case, assignee_id: int | None, *, actor_id: int, ip: str | None, commit: bool = True
) -> None:
    previous = case.assignee_id
    case.assignee_id = assignee_id
    _entry(case, EntryKind.ASSIGNMENT, actor_id, **{"from": previous, "to": assignee_id})
    record(
        "case.assigned",
        actor_id=actor_id,
        target=case,
        ip=ip,
        detail={"from": previous, "to": assignee_id},
    )
    if commit:
        db.session.commit()


def change_status(
    case: Case, target: Status, *, actor_id: int, ip: str | None, summary: str = ""
) -> None:
    """A plain status change from the case page; resolving needs a summary for the family."""
    if target in workflow.SPECIAL:
        raise CaseworkError(_l("Use the meeting or escalation form for that."), "status")
    if target == Status.RESOLVED and not summary.strip():
        raise CaseworkError(_l("Write a resolution summary for the family."), "summary")
    try:
        _set_status(case, target, actor_id)
    except workflow.TransitionNotAllowed as exc:
        raise CaseworkError(
            _l("That status change is not allowed for this case."), "status"
        ) from exc
    if target == Status.RESOLVED:
        case.resolution_summary = summary.strip()
        _entry(case, EntryKind.RESOLUTION, actor_id, body=case.resolution_summary, visible=True)
        # The resolution and the one-question survey travel together.
        notify_family(
            case,
            "concern.resolved",
            {"summary": case.resolution_summary},
            dedupe=f"resolved:{len(case.entries)}",
        )
    elif target == Status.IN_PROGRESS and case.first_contact_at is None:
        case.first_contact_at = utcnow()
    record(
        "case.status_changed", actor_id=actor_id, target=case, ip=ip, detail={"to": target.value}
    )
    db.session.commit()


def add_entry(
    case: Case,
    kind: EntryKind,
    body: str,
    *,
    actor_id: int,
    ip: str | None,
    school_contact: bool = False,
) -> CaseEntry:
    """Log a call, email, text, visit or note. Contacting the family counts as first contact."""
    if kind not in NOTE_KINDS:
        raise CaseworkError(_l("Choose what kind of entry this is."), "kind")
    if not body.strip():
        raise CaseworkError(_l("Write what happened."), "body")
    visible = kind == EntryKind.FAMILY_NOTE
    entry = _entry(
        case, kind, actor_id, body=body.strip(), visible=visible, with_school=school_contact or None
    )
    now = utcnow()
    if kind in CONTACT_KINDS and not school_contact and case.first_contact_at is None:
        case.first_contact_at = now
        if case.status in (Status.NEW, Status.ACKNOWLEDGED):
            if case.acknowledged_at is None:
                case.acknowledged_at = now
            _set_status(case, Status.IN_PROGRESS, actor_id)
    if school_contact:
        case.last_school_contact_at = now
    if visible:
        notify_family(
            case, "concern.update", {"note": entry.body}, dedupe=f"note:{now.isoformat()}"
        )
    record("case.entry_added", actor_id=actor_id, target=case, ip=ip, detail={"kind": kind.value})
    db.session.commit()
    return entry


def correct_entry(
    case: Case, original_id: int, body: str, *, actor_id: int, ip: str | None
) -> CaseEntry:
    """A correction is a new entry that points at the one it corrects; nothing is rewritten."""
    original = next((e for e in case.entries if e.id == original_id), None)
    if original is None:
        raise CaseworkError(_l("No such entry on this case."), "entry")
    if not body.strip():
        raise CaseworkError(_l("Write the correction."), "body")
    entry = _entry(
        case, original.kind, actor_id, body=body.strip(), visible=original.visible_to_family
    )
    entry.corrects_id = original.id
    record(
        "case.entry_corrected", actor_id=actor_id, target=case, ip=ip, detail={"entry": original.id}
    )
    db.session.commit()
    return entry


@dataclass(frozen=True)
class MeetingPlan:
    kind: MeetingKind
    scheduled_for: datetime
    location: str
    video: bool
    school_leader: str
    participants: str
    interpreter_language: str


def schedule_meeting(case: Case, plan: MeetingPlan, *, actor_id: int, ip: str | None) -> Meeting:
    """Schedule a facilitated meeting or a mediation and invite the family."""
    if case.tier == 1:
        raise CaseworkError(_l("Make the case Tier 2 before scheduling a meeting."), "kind")
    if not case.is_open:
        raise CaseworkError(_l("The case is resolved: reopen it first."), "kind")
    meeting = Meeting(
        kind=plan.kind,
        scheduled_for=plan.scheduled_for,
        location=plan.location,
        video=plan.video,
        school_leader=plan.school_leader,
        participants=plan.participants,
        interpreter_language=plan.interpreter_language,
        created_by_id=actor_id,
    )
    case.meetings.append(meeting)
    if case.status != Status.MEETING:
        _set_status(case, Status.MEETING, actor_id)
    if case.first_contact_at is None:
        case.first_contact_at = utcnow()
    _entry(
        case,
        EntryKind.MEETING,
        actor_id,
        visible=True,
        meeting_kind=plan.kind.value,
        when=plan.scheduled_for.isoformat(),
        video=plan.video,
    )
    db.session.flush()
    notify_family(case, "concern.meeting", {"meeting": meeting}, dedupe=f"meeting:{meeting.id}")
    record(
        "case.meeting_scheduled",
        actor_id=actor_id,
        target=case,
        ip=ip,
        detail={"kind": plan.kind.value},
    )
    db.session.commit()
    return meeting


def record_outcome(
    meeting: Meeting,
    outcome: MeetingOutcome,
    notes: str,
    follow_up_on: date | None,
    *,
    actor_id: int,
    ip: str | None,
) -> None:
    """What came of a meeting; the case goes back to in progress for the follow-up."""
    meeting.outcome = outcome
    meeting.outcome_notes = notes.strip()
    meeting.follow_up_on = follow_up_on
    meeting.recorded_at = utcnow()
    case = meeting.case
    if outcome != MeetingOutcome.SCHOOL_DID_NOT_ATTEND:
        case.last_school_contact_at = meeting.recorded_at
    _entry(
        case,
        EntryKind.MEETING,
        actor_id,
        body=meeting.outcome_notes,
        outcome=outcome.value,
        meeting=meeting.id,
        follow_up_on=follow_up_on.isoformat() if follow_up_on else None,
    )
    if case.status == Status.MEETING:
        _set_status(case, Status.IN_PROGRESS, actor_id)
    record(
        "case.meeting_outcome",
        actor_id=actor_id,
        target=case,
        ip=ip,
        detail={"outcome": outcome.value},
    )
    db.session.commit()


def escalation_recipient(case: Case, target: EscalationTarget) -> int | None:
    """Who receives a Tier 3 escalation: the senior manager, or the network's superintendent."""
    if target == EscalationTarget.SUPERINTENDENT:
        if case.school_id is None:
            return None
        return db.session.scalar(
            select(Network.superintendent_id)
            .join(School, School.network_id == Network.id)
            .where(School.id == case.school_id)
        )
    from portal.concerns.intake import senior_manager_id

    return senior_manager_id()


def escalate(
    case: Case, target: EscalationTarget, reason: str, *, actor_id: int | None, ip: str | None
) -> None:
    """Tier 3: to the senior manager or the instructional superintendent, with a reason."""
    if not reason.strip():
        raise CaseworkError(_l("Say why the case is escalated."), "reason")
    recipient = escalation_recipient(case, target)
    if recipient is None:
        raise CaseworkError(_l("Nobody holds that role for this case's school yet."), "target")
    try:
        _set_status(case, Status.ESCALATED, actor_id)
    except workflow.TransitionNotAllowed as exc:
        raise CaseworkError(_l("This case cannot be escalated now."), "target") from exc
    case.tier = 3
    case.escalation_target = target
    case.escalated_to_id = recipient
    _entry(
        case, EntryKind.ESCALATION, actor_id, body=reason.strip(), target=target.value, to=recipient
    )
    record(
        "case.escalated",
        actor_id=actor_id,
        target=case,
        ip=ip,
        detail={"target": target.value, "to": recipient},
    )
    db.session.commit()


def escalate_unresponsive(today: date) -> list[str]:
    """Escalate Tier 2 cases whose school leader has not responded within the set business days.

    Run daily (`flask concerns escalate-unresponsive`). The clock starts at the last contact
    with the school, or at acknowledgement when there has been none.
    """
    days = current().escalate_unresponsive_days
    escalated = []
    candidates = db.session.scalars(
        select(Case).where(
            Case.tier == 2, Case.status.in_((Status.ACKNOWLEDGED, Status.IN_PROGRESS))
        )
    )
    for case in candidates:
        since = case.last_school_contact_at or case.acknowledged_at
        if since is None or business_days_between(since.date(), today) < days:
            continue
        target = (
            EscalationTarget.SUPERINTENDENT
            if escalation_recipient(case, EscalationTarget.SUPERINTENDENT)
            else EscalationTarget.SENIOR_MANAGER
        )
        try:
            escalate(
                case,
                target,
                f"School leader not responding for {days} business days.",
                actor_id=None,
                ip=None,
            )
        except CaseworkError:
            db.session.rollback()
            continue
        escalated.append(case.reference)
    return escalated


def quick_log(
    *,
    category_id: int,
    school_id: int | None,
    language: str,
    outcome: CallOutcome,
    actor_id: int,
    at: datetime | None = None,
) -> QuickLog:
    """Count a Tier 1 call answered on the spot, without opening a case."""
    log = QuickLog(
        category_id=category_id,
        school_id=school_id,
        language=language,
        outcome=outcome,
        logged_by_id=actor_id,
        created_at=at or utcnow(),
    )
    db.session.add(log)
    db.session.commit()
    return log


def specialists() -> list[User]:
    """Who a case can be assigned to: active specialists and the senior manager."""
    from portal.auth.models import UserRole
    from portal.auth.roles import Role

    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(User.active, UserRole.role.in_((Role.SPECIALIST, Role.SENIOR_MANAGER)))
            .order_by(User.name)
            .distinct()
        )
    )


def recent_quick_logs(actor_id: int, since: timedelta = timedelta(hours=12)) -> list[QuickLog]:
    return list(
        db.session.scalars(
            select(QuickLog)
            .where(QuickLog.logged_by_id == actor_id, QuickLog.created_at >= utcnow() - since)
            .order_by(QuickLog.created_at.desc())
            .limit(10)
        )
    )
