"""Coordination-team meetings: who may see them, recording them, and the next steps due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import abort
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record
from portal.auth.models import User, UserRole, user_schools
from portal.auth.roles import STAFF_ROLES, Role
from portal.coordination.models import (
    AttendeeKind,
    NextStep,
    TeamAttendee,
    TeamKind,
    TeamMeeting,
)
from portal.extensions import db
from portal.referrals.models import Referral
from portal.referrals.scope import visible_referrals
from portal.schools.models import School
from portal.timeutil import utcnow

TEAM_ROLES = (Role.SOCIAL_WORKER, Role.CASEWORKER)
UPCOMING_DAYS = 14  # how far ahead the home page looks for next steps


class CoordinationError(ValueError):
    """A change refused, with a message per form field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("coordination change refused")
        self.errors = errors


def _already_sent(model: Any, key: str | None) -> Any:
    """The row a form with this key already made, if it was sent before."""
    if not key:
        return None
    return db.session.scalar(select(model).where(model.submission_key == key))


def _save_once(model: Any, key: str | None) -> Any:
    """Flush the new row; None when it went in, else the row a twin request made first.

    Two sends of one form at the same moment both find no row and both insert: the unique key
    stops the second, which answers with the first's row instead of a 500.
    """
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = _already_sent(model, key)
        if existing is None:
            raise
        return existing
    return None


def meeting_school_ids(user: Any) -> Select[tuple[int]]:
    """The schools whose teams this user records: a social worker's schools, and a
    caseworker's schools that are in the human-services pilot."""
    own = [s.id for s in user.schools]
    allowed = []
    if user.has_role(Role.SOCIAL_WORKER):
        allowed.append(School.id.in_(own))
    if user.has_role(Role.CASEWORKER):
        allowed.append(and_(School.id.in_(own), School.human_services_pilot))
    if not allowed:
        return select(School.id).where(False)
    return select(School.id).where(School.active, or_(*allowed))


def meeting_schools(user: Any) -> list[School]:
    return list(
        db.session.scalars(
            select(School).where(School.id.in_(meeting_school_ids(user))).order_by(School.name)
        )
    )


def visible_meetings(user: Any) -> Select[tuple[TeamMeeting]]:
    """The meetings at the user's team schools, newest first."""
    return (
        select(TeamMeeting)
        .where(TeamMeeting.school_id.in_(meeting_school_ids(user)))
        .order_by(TeamMeeting.held_on.desc(), TeamMeeting.id.desc())
    )


def get_meeting_or_404(user: Any, meeting_id: int) -> TeamMeeting:
    """A meeting in the user's scope, or 404: another school's meeting does not exist for them."""
    meeting = db.session.scalar(visible_meetings(user).where(TeamMeeting.id == meeting_id))
    if meeting is None:
        abort(404)
    return meeting


def staff_at(school_id: int, *, also: Any = None) -> list[User]:
    """Active staff accounts that work at the school (and `also`), for attendees and owners."""
    users = list(
        db.session.scalars(
            select(User)
            .join(user_schools, user_schools.c.user_id == User.id)
            .where(
                user_schools.c.school_id == school_id,
                User.active,
                User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(STAFF_ROLES))),
            )
            .order_by(User.name)
        )
    )
    if also is not None and all(u.id != also.id for u in users):
        users.insert(0, db.session.get(User, also.id))
    return users


def linkable_referrals(user: Any, meeting: TeamMeeting) -> list[Referral]:
    """Referrals at the meeting's school that this user may open, for the team to discuss.

    Through the referrals' own scope, so that whatever closes a referral to someone (a guardian
    withdrawing consent from the county, say) closes it here too.
    """
    linked = {r.id for r in meeting.referrals}
    rows = db.session.scalars(
        visible_referrals(user)
        .where(Referral.school_id == meeting.school_id)
        .order_by(Referral.created_at.desc())
        .limit(200)
    )
    return [r for r in rows if r.id not in linked]


def shown_referrals(user: Any, meeting: TeamMeeting) -> list[Referral]:
    """The referrals discussed at the meeting that this user may read.

    The team links a referral for everyone at the meeting's school, but a reader sees only
    the ones the referrals' own scope lets them open: a caseworker, say, not the students the
    social worker discussed without the guardian's consent to share with the county.
    """
    ids = [r.id for r in meeting.referrals]
    if not ids:
        return []
    readable = set(
        db.session.scalars(
            visible_referrals(user).with_only_columns(Referral.id).where(Referral.id.in_(ids))
        )
    )
    return [r for r in meeting.referrals if r.id in readable]


@dataclass(frozen=True)
class MeetingInput:
    school_id: int
    kind: TeamKind
    held_on: date
    decisions: str = ""
    submission_key: str | None = None


def create_meeting(user: Any, data: MeetingInput, *, ip: str | None) -> TeamMeeting:
    """Record a meeting at one of the user's team schools; the user attends it.

    Once per form: sent again with the same key, the meeting already recorded is the answer.
    """
    existing = _already_sent(TeamMeeting, data.submission_key)
    if existing is not None:
        return existing
    if data.school_id not in set(db.session.scalars(meeting_school_ids(user))):
        raise CoordinationError({"school": "not_yours"})
    meeting = TeamMeeting(
        school_id=data.school_id,
        kind=data.kind,
        held_on=data.held_on,
        decisions=data.decisions,
        created_by_id=user.id,
        submission_key=data.submission_key,
    )
    meeting.attendees.append(TeamAttendee(kind=AttendeeKind.STAFF, user_id=user.id))
    db.session.add(meeting)
    if (twin := _save_once(TeamMeeting, data.submission_key)) is not None:
        return twin
    record("team_meeting.created", actor_id=user.id, target=meeting, ip=ip)
    db.session.commit()
    return meeting


def update_decisions(user: Any, meeting: TeamMeeting, decisions: str, *, ip: str | None) -> None:
    meeting.decisions = decisions
    record("team_meeting.updated", actor_id=user.id, target=meeting, ip=ip)
    db.session.commit()


def add_staff_attendee(
    user: Any,
    meeting: TeamMeeting,
    staff_id: int,
    role: str,
    *,
    ip: str | None,
    submission_key: str | None = None,
) -> TeamAttendee:
    # Before the "already on the list" check: the same form again is not a second person.
    existing = _already_sent(TeamAttendee, submission_key)
    if existing is not None:
        return existing
    if staff_id not in {u.id for u in staff_at(meeting.school_id, also=user)}:
        raise CoordinationError({"staff": "not_at_school"})
    if any(a.user_id == staff_id for a in meeting.attendees):
        raise CoordinationError({"staff": "already"})
    attendee = TeamAttendee(
        kind=AttendeeKind.STAFF, user_id=staff_id, role=role, submission_key=submission_key
    )
    meeting.attendees.append(attendee)
    if (twin := _save_once(TeamAttendee, submission_key)) is not None:
        return twin
    record("team_meeting.attendee_added", actor_id=user.id, target=meeting, ip=ip)
    db.session.commit()
    return attendee


def add_family_attendee(
    user: Any,
    meeting: TeamMeeting,
    name: str,
    role: str,
    *,
    ip: str | None,
    submission_key: str | None = None,
) -> TeamAttendee:
    existing = _already_sent(TeamAttendee, submission_key)
    if existing is not None:
        return existing
    attendee = TeamAttendee(
        kind=AttendeeKind.FAMILY, name=name, role=role, submission_key=submission_key
    )
    meeting.attendees.append(attendee)
    if (twin := _save_once(TeamAttendee, submission_key)) is not None:
        return twin
    record("team_meeting.attendee_added", actor_id=user.id, target=meeting, ip=ip)
    db.session.commit()
    return attendee


def remove_attendee(user: Any, meeting: TeamMeeting, attendee_id: int, *, ip: str | None) -> None:
    attendee = next((a for a in meeting.attendees if a.id == attendee_id), None)
    if attendee is None:
        abort(404)
    meeting.attendees.remove(attendee)
    record("team_meeting.attendee_removed", actor_id=user.id, target=meeting, ip=ip)
    db.session.commit()


def add_step(
    user: Any,
    meeting: TeamMeeting,
    *,
    description: str,
    owner_id: int,
    due_on: date,
    ip: str | None,
    submission_key: str | None = None,
) -> NextStep:
    """An agreed action; its owner must be staff at the meeting's school. Once per form."""
    existing = _already_sent(NextStep, submission_key)
    if existing is not None:
        return existing
    if owner_id not in {u.id for u in staff_at(meeting.school_id, also=user)}:
        raise CoordinationError({"owner": "not_at_school"})
    step = NextStep(
        description=description, owner_id=owner_id, due_on=due_on, submission_key=submission_key
    )
    meeting.steps.append(step)
    if (twin := _save_once(NextStep, submission_key)) is not None:
        return twin
    record("team_meeting.step_added", actor_id=user.id, target=meeting, ip=ip)
    db.session.commit()
    return step


def set_step_done(
    user: Any, meeting: TeamMeeting, step_id: int, done: bool, *, ip: str | None
) -> NextStep:
    step = next((s for s in meeting.steps if s.id == step_id), None)
    if step is None:
        abort(404)
    step.done = done
    step.done_at = utcnow() if done else None
    record(
        "team_meeting.step_done" if done else "team_meeting.step_reopened",
        actor_id=user.id,
        target=meeting,
        ip=ip,
        detail={"step": step.id},
    )
    db.session.commit()
    return step


def link_referral(user: Any, meeting: TeamMeeting, referral_id: int, *, ip: str | None) -> None:
    """Note that the team discussed a referral; only one at the meeting's school, of the user's."""
    referral = next((r for r in linkable_referrals(user, meeting) if r.id == referral_id), None)
    if referral is None:
        raise CoordinationError({"referral": "not_here"})
    meeting.referrals.append(referral)
    record(
        "team_meeting.referral_linked",
        actor_id=user.id,
        target=meeting,
        ip=ip,
        detail={"referral": referral.id},
    )
    db.session.commit()


def unlink_referral(user: Any, meeting: TeamMeeting, referral_id: int, *, ip: str | None) -> None:
    referral = next((r for r in shown_referrals(user, meeting) if r.id == referral_id), None)
    if referral is None:
        abort(404)
    meeting.referrals.remove(referral)
    record(
        "team_meeting.referral_unlinked",
        actor_id=user.id,
        target=meeting,
        ip=ip,
        detail={"referral": referral.id},
    )
    db.session.commit()


@dataclass(frozen=True)
class StepsDue:
    """Open next steps at the user's team schools: overdue, and due in the coming days."""

    overdue: list[NextStep]
    upcoming: list[NextStep]


def steps_due(user: Any, today: date, days: int = UPCOMING_DAYS) -> StepsDue:
    steps = db.session.scalars(
        select(NextStep)
        .join(TeamMeeting, NextStep.meeting_id == TeamMeeting.id)
        .where(
            TeamMeeting.school_id.in_(meeting_school_ids(user)),
            NextStep.done.is_(False),
            NextStep.due_on <= today + timedelta(days=days),
        )
        .order_by(NextStep.due_on, NextStep.id)
        .limit(200)
    ).all()
    return StepsDue(
        overdue=[s for s in steps if s.due_on < today],
        upcoming=[s for s in steps if s.due_on >= today],
    )
