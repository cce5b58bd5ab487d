"""Demo meetings: a few COST and SAART meetings at the demo social worker's schools."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.auth.models import User
from portal.coordination.models import AttendeeKind, NextStep, TeamAttendee, TeamKind, TeamMeeting
from portal.extensions import db
from portal.referrals.models import Referral
from portal.schools.models import School

SOCIAL_WORKER = "social.worker@demo.puente.example.org"
CASEWORKER = "caseworker@demo.puente.example.org"

# school code, team, days before today, decisions, family attendees, steps (text, due in days,
# owner is the caseworker, done)
MEETINGS = [
    (
        "101",
        TeamKind.COST,
        12,
        "Start weekly check-ins with the counselor. Refer the family to the food bank on "
        "Federal Blvd. Review progress at the next COST meeting.",
        [("Marisol Vega", "Mother")],
        [
            ("Call the family about the food bank referral", -3, False, False),
            ("Home visit with the family", 4, True, False),
            ("Share the check-in schedule with the teacher", -8, False, True),
        ],
    ),
    (
        "103",
        TeamKind.SAART,
        5,
        "Attendance contract signed. Bus pass requested. Morning greeter assigned.",
        [("Jorge Ramírez", "Father"), ("Inés Ramírez", "Grandmother")],
        [
            ("Confirm the bus pass with transportation", 2, False, False),
            ("Review attendance after two weeks", 9, False, False),
        ],
    ),
    (
        "301",
        TeamKind.COST,
        30,
        "Referred to school-based mental health services; family agreed.",
        [],
        [("Send the consent form in Spanish", -20, False, True)],
    ),
]


def load_demo_meetings(today: date) -> dict[str, int]:
    """Create the demo meetings once; running it again changes nothing."""
    if db.session.scalar(select(TeamMeeting.id).limit(1)) is not None:
        return {"coordination meetings": 0}
    worker = db.session.scalar(select(User).where(User.email == SOCIAL_WORKER))
    caseworker = db.session.scalar(select(User).where(User.email == CASEWORKER))
    if worker is None:
        return {"coordination meetings": 0}
    schools = {s.code: s.id for s in db.session.scalars(select(School))}
    made = 0
    for code, kind, days_ago, decisions, family, steps in MEETINGS:
        if code not in schools:
            continue
        meeting = TeamMeeting(
            school_id=schools[code],
            kind=kind,
            held_on=today - timedelta(days=days_ago),
            decisions=decisions,
            created_by_id=worker.id,
        )
        meeting.attendees.append(TeamAttendee(kind=AttendeeKind.STAFF, user_id=worker.id))
        for name, role in family:
            meeting.attendees.append(TeamAttendee(kind=AttendeeKind.FAMILY, name=name, role=role))
        for text, due_in, by_caseworker, done in steps:
            owner = caseworker if by_caseworker and caseworker else worker
            meeting.steps.append(
                NextStep(
                    description=text,
                    owner_id=owner.id,
                    due_on=today + timedelta(days=due_in),
                    done=done,
                )
            )
        # Referrals at the school, if the demo has any: the students this team discussed.
        meeting.referrals.extend(
            db.session.scalars(
                select(Referral)
                .where(Referral.school_id == schools[code], Referral.for_social_worker)
                .order_by(Referral.id)
                .limit(2)
            )
        )
        db.session.add(meeting)
        made += 1
    db.session.commit()
    return {"coordination meetings": made}
