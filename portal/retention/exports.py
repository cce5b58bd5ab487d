"""Each built-in record type's part of a family's records, for an access request (FERPA)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from portal.concerns.models import Case
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.outbox.models import OutboxMessage
from portal.programmes.models import Attendance, Registration


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def cases(contact: FamilyContact) -> list[dict[str, Any]]:
    cases = db.session.scalars(
        select(Case).where(Case.contact_id == contact.id).order_by(Case.id)
    ).all()
    return [
        {
            "reference": case.reference,
            "kind": case.kind.value,
            "status": case.status.value,
            "tier": case.tier,
            "category": case.category.name_en if case.category else None,
            "school": case.school.name if case.school else None,
            "received_on": _iso(case.received_on),
            "student_first_name": case.student_first_name,
            "student_grade": case.student_grade,
            "description": case.description,
            "desired_outcome": case.desired_outcome,
            "resolution_summary": case.resolution_summary,
            "closed_at": _iso(case.closed_at),
            # Internal notes are listed with their visibility so that whoever answers the
            # request can review them before release (FERPA allows some to be withheld).
            "timeline": [
                {
                    "at": _iso(entry.created_at),
                    "kind": entry.kind.value,
                    "visible_to_family": entry.visible_to_family,
                    "body": entry.body,
                }
                for entry in case.entries
            ],
            "meetings": [
                {
                    "kind": meeting.kind.value,
                    "scheduled_for": _iso(meeting.scheduled_for),
                    "outcome": meeting.outcome.value if meeting.outcome else None,
                    "outcome_notes": meeting.outcome_notes,
                }
                for meeting in case.meetings
            ],
        }
        for case in cases
    ]


def registrations(contact: FamilyContact) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(Registration).where(Registration.contact_id == contact.id).order_by(Registration.id)
    ).all()
    out = []
    for registration in rows:
        attended = db.session.scalar(
            select(func.count())
            .select_from(Attendance)
            .where(
                Attendance.registration_id == registration.id,
                Attendance.checked_in_at.is_not(None),
            )
        )
        out.append(
            {
                "offering": registration.offering.title_en
                or registration.offering.programme.name_en,
                "status": registration.status.value,
                "registered_at": _iso(registration.created_at),
                "language": registration.language,
                "children_count": registration.children_count,
                "children_ages": registration.children_ages,
                "accommodations": registration.accommodations,
                "walk_in": registration.walk_in,
                "sessions_attended": attended,
            }
        )
    return out


def contact(contact: FamilyContact) -> list[dict[str, Any]]:
    return [
        {
            "name": contact.name,
            "phone": contact.phone,
            "email": contact.email,
            "language": contact.language,
            "other_language": contact.other_language,
            "interpreter_needed": contact.interpreter_needed,
            "contact_method": contact.contact_method.value,
            "best_time": contact.best_time,
            "first_seen": _iso(contact.created_at),
            "last_updated": _iso(contact.updated_at),
        }
    ]


def messages(contact: FamilyContact) -> list[dict[str, Any]]:
    addresses = [a for a in (contact.phone, contact.email) if a]
    if not addresses:
        return []
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient.in_(addresses))
        .order_by(OutboxMessage.id)
    ).all()
    return [
        {
            "created_at": _iso(m.created_at),
            "channel": m.channel.value,
            "recipient": m.recipient,
            "status": m.status.value,
            "subject": m.subject,
            "body": m.body,
        }
        for m in rows
    ]
