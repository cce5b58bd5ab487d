"""The purge on fixed data: a dry run changes nothing; a real run does exactly what it reported."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.analytics.models import CaseFact
from portal.analytics.refresh import refresh
from portal.audit.models import AuditEvent
from portal.auth.models import UserSession
from portal.concerns.models import Case, CaseEntry
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.outbox.models import OutboxMessage
from portal.programmes.models import Registration
from portal.retention.models import AnonymisedRecord
from portal.retention.services import months_before, purge, save_settings
from tests.retention.conftest import NOW


def snapshot() -> dict:
    """Everything a purge could touch, in a comparable form."""
    return {
        "cases": db.session.execute(
            select(Case.id, Case.description, Case.student_first_name, Case.access_code_hash)
        ).all(),
        "entries": db.session.execute(select(CaseEntry.id, CaseEntry.body)).all(),
        "contacts": db.session.execute(
            select(FamilyContact.id, FamilyContact.name, FamilyContact.phone, FamilyContact.email)
        ).all(),
        "registrations": db.session.execute(
            select(Registration.id, Registration.children_ages, Registration.accommodations)
        ).all(),
        "messages": db.session.scalars(select(OutboxMessage.id)).all(),
        "sessions": db.session.scalars(select(UserSession.id)).all(),
        "marks": db.session.scalar(select(func.count()).select_from(AnonymisedRecord)),
    }


def by_type(reports) -> dict[str, list[int]]:
    return {r.key: r.ids for r in reports}


def test_a_dry_run_reports_what_is_due_and_changes_nothing(fixed):
    before = snapshot()
    audit_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    found = by_type(purge(now=NOW))
    assert fixed.old_case in found["concern_cases"]
    assert fixed.old_case_of_mixed in found["concern_cases"]
    assert fixed.recent_case not in found["concern_cases"]
    assert fixed.open_old_case not in found["concern_cases"]  # never closed: still worked on
    assert fixed.old_registration in found["registrations"]
    assert fixed.old_message in found["outbox_messages"]
    assert fixed.pending_message not in found["outbox_messages"]  # not yet delivered
    assert fixed.old_session in found["user_sessions"]
    # Every record pointing at the old family is due in the same run, so the family is too.
    assert fixed.old_contact in found["family_contacts"]
    assert fixed.mixed_contact not in found["family_contacts"]
    db.session.expire_all()
    assert snapshot() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audit_before


def test_a_real_run_removes_exactly_what_the_dry_run_reported(fixed):
    reported = by_type(purge(now=NOW))
    done = by_type(purge(now=NOW, apply=True))
    assert done == reported

    marked = {
        key: set(
            db.session.scalars(
                select(AnonymisedRecord.record_id).where(AnonymisedRecord.record_type == key)
            )
        )
        for key in ("concern_cases", "registrations", "family_contacts")
    }
    for key, ids in marked.items():
        assert ids == set(reported[key]), key
    assert not set(reported["outbox_messages"]) & set(db.session.scalars(select(OutboxMessage.id)))
    assert not set(reported["user_sessions"]) & set(db.session.scalars(select(UserSession.id)))

    old = db.session.get(Case, fixed.old_case)
    assert (old.description, old.student_first_name, old.access_code_hash) == ("", "", "")
    assert all(entry.body == "" for entry in old.entries)
    assert old.status.value == "closed" and old.tier == 2  # still counted
    recent = db.session.get(Case, fixed.recent_case)
    assert recent.description.startswith("Mateo")
    assert db.session.get(Case, fixed.open_old_case).description.startswith("Mateo")
    contact = db.session.get(FamilyContact, fixed.old_contact)
    assert (contact.name, contact.phone, contact.email) == ("", None, None)
    assert db.session.get(FamilyContact, fixed.mixed_contact).phone == "+17205550102"
    registration = db.session.get(Registration, fixed.old_registration)
    assert (registration.children_ages, registration.accommodations) == ("", "")
    assert registration.children_count == 2
    assert db.session.get(OutboxMessage, fixed.pending_message) is not None

    # A second run finds nothing more: what was purged is never reported twice.
    assert all(not ids for ids in by_type(purge(now=NOW)).values())


def test_a_real_run_is_audited_with_counts_only(fixed):
    reports = purge(now=NOW, apply=True)
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "retention.purged")
    ).all()
    by_key = {row.target_type: row.detail for row in rows[-len(reports) :]}
    assert by_key["concern_cases"]["count"] == len(by_type(reports)["concern_cases"])
    text = str([row.detail for row in rows])
    assert "Olga" not in text and "olga@example.org" not in text and "Mateo" not in text


def test_dashboard_counts_stay_the_same_after_anonymising(fixed):
    refresh(full=True)
    facts = db.session.execute(select(CaseFact).order_by(CaseFact.case_id)).all()
    facts_before = [tuple(r[0].__dict__[c] for c in ("case_id", "tier", "resolved")) for r in facts]
    purge(now=NOW, apply=True)
    refresh(full=True)
    facts = db.session.execute(select(CaseFact).order_by(CaseFact.case_id)).all()
    facts_after = [tuple(r[0].__dict__[c] for c in ("case_id", "tier", "resolved")) for r in facts]
    assert facts_after == facts_before


def test_a_longer_setting_keeps_records_the_default_would_purge(fixed):
    save_settings({"concern_cases": 1200}, actor_id=None, ip=None)
    found = by_type(purge(now=NOW))
    assert fixed.old_case not in found["concern_cases"]
    # The old family's case is now kept, so their contact details are kept too.
    assert fixed.old_contact not in found["family_contacts"]


def test_months_before_handles_short_months():
    from datetime import UTC, datetime

    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(
        2024, 12, 15, tzinfo=UTC
    )


def test_old_team_meetings_are_deleted_with_their_attendees_and_steps(fixed):
    from datetime import date

    from portal.coordination.models import NextStep, TeamAttendee, TeamKind, TeamMeeting
    from portal.schools.models import School

    school_id = db.session.scalar(select(School.id).limit(1))
    old, recent = (
        TeamMeeting(school_id=school_id, kind=TeamKind.COST, held_on=day)
        for day in (date(2016, 1, 5), date(2026, 11, 2))
    )
    for meeting in (old, recent):
        meeting.attendees.append(TeamAttendee(kind="family", name="Olga Old", role="Mother"))
        meeting.steps.append(NextStep(description="Call", due_on=meeting.held_on))
    db.session.add_all([old, recent])
    db.session.commit()
    old_id, recent_id = old.id, recent.id
    reported = by_type(purge(now=NOW))["team_meetings"]
    assert reported == [old_id]
    assert by_type(purge(now=NOW, apply=True))["team_meetings"] == [old_id]
    db.session.expire_all()
    assert db.session.get(TeamMeeting, old_id) is None
    assert db.session.get(TeamMeeting, recent_id) is not None
    left = db.session.scalars(select(TeamAttendee.meeting_id)).all()
    assert old_id not in left and recent_id in left
    assert old_id not in db.session.scalars(select(NextStep.meeting_id)).all()
