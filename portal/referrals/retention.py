"""Referrals under the retention rules: anonymised years after they are closed or declined.

Two record types, because the law asks more of one kind (each admin-editable on the data
retention page, within its minimum):

- `referrals`: 5 years (60 months, minimum 36) after the referral was closed or declined.
  These are student-support records (the social worker's or caseworker's file). A student is
  often referred again in later grades and the worker needs to see what was tried before, and
  5 years is what the portal keeps for concern cases, so a family's history ends at one time.
  The floor of 3 years is the federal record-keeping period for grant-funded programmes
  (2 CFR 200.334: McKinney-Vento and Title I services are paid from such grants) during which
  the records behind the district's counts may be audited.
- `child_safety_referrals`: 15 years (180 months, minimum 120) after closing. A record that the
  school made or passed on a report of suspected abuse or neglect (mandatory reporting) can be
  asked for in a later investigation, in dependency court, or in a claim that a report was or
  was not made, and a minor's claims usually wait until they are 18. The portal has no date of
  birth: 15 years from closing covers a kindergartner until past 18 plus the usual two-year
  limitation. District counsel should check it against the state's schedule for school records;
  the administrator can lengthen it.

What anonymising removes: the student's name, initial and grade; the referrer's account and
what was tried; decline reasons and closing notes; the body of every timeline entry (the
confidential notes among them); the names on consent records; and the community services the
family was referred to (the rows go, and the service's id in the timeline with them).

What stays, and why: the row with its school, status, reasons, urgency, routing, flags
(McKinney-Vento, foster care, child safety), outcome, dates and assigned staff. The caseload
filters and counts referrals by status, reason, school and flag, and the federal counts of
homeless and foster students come from the flags; none of those name anyone once the student's
name is gone. The consent rows stay with how and when consent was given or withdrawn (no name),
so a past sharing with the county agency is still explained. The audit trail, and with it the
referral's access history, is kept as the retention types say.

Open referrals are never purged, however old: someone is still working them. A family's contact
details are kept while any of its referrals is within retention, and released by the same run
that anonymises the last one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, exists, func, select, update

from portal.audit.services import record
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.referrals.models import (
    Consent,
    EntryKind,
    Referral,
    ReferralEntry,
    ServiceReferral,
    Status,
)
from portal.retention.models import AnonymisedRecord
from portal.retention.registry import Action, RecordType, chunks, register

KEY = "referrals"
CHILD_SAFETY_KEY = "child_safety_referrals"
ENDED = (Status.CLOSED, Status.DECLINED)

# Closing and declining both set closed_at; the last change stands in for a row without one.
_ended_at = func.coalesce(Referral.closed_at, Referral.updated_at)


def _not_purged():  # noqa: ANN202 - a SQL expression
    """The referral is not anonymised yet (under either key: a referral belongs to one)."""
    return ~exists().where(
        AnonymisedRecord.record_type.in_((KEY, CHILD_SAFETY_KEY)),
        AnonymisedRecord.record_id == Referral.id,
    )


def _due_query(child_safety: bool):  # noqa: ANN202
    def due(cutoff: datetime, cutoffs: dict[str, datetime] | None = None) -> Select[tuple[int]]:
        return (
            select(Referral.id)
            .where(
                Referral.child_safety.is_(child_safety),
                Referral.status.in_(ENDED),
                _ended_at < cutoff,
                _not_purged(),
            )
            .order_by(Referral.id)
        )

    return due


def _keep_query(child_safety: bool):  # noqa: ANN202
    due = _due_query(child_safety)

    def keep(cutoff: datetime) -> Select[tuple[int]]:
        # Open, or closed within retention, and not anonymised: the family's contact stays.
        return select(Referral.contact_id).where(
            Referral.child_safety.is_(child_safety),
            _not_purged(),
            Referral.id.not_in(due(cutoff)),
        )

    return keep


def purge(ids: list[int]) -> None:
    """Blank what names or describes the student and family; the counted fields stay."""
    for part in chunks(ids):
        run = {"synchronize_session": False}
        db.session.execute(
            update(Referral)
            .where(Referral.id.in_(part))
            .values(
                student_first_name="",
                student_last_initial="",
                student_grade="",
                details="",
                tried="",
                decline_reason="",
                outcome_notes="",
            ),
            execution_options=run,
        )
        db.session.execute(
            update(ReferralEntry).where(ReferralEntry.referral_id.in_(part)).values(body=""),
            execution_options=run,
        )
        # A service entry's only detail is which service the family was sent to.
        db.session.execute(
            update(ReferralEntry)
            .where(
                ReferralEntry.referral_id.in_(part),
                ReferralEntry.kind == EntryKind.SERVICE,
            )
            .values(detail={}),
            execution_options=run,
        )
        db.session.execute(
            update(Consent)
            .where(Consent.referral_id.in_(part))
            .values(given_by="", relationship_to_student=""),
            execution_options=run,
        )
        db.session.execute(
            delete(ServiceReferral).where(ServiceReferral.referral_id.in_(part)),
            execution_options=run,
        )


# Access requests ---------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def export(contact: FamilyContact) -> list[dict[str, Any]]:
    """The family's referrals, everything in them, for an access request (FERPA).

    As for concern cases, nothing is left out here: confidential notes are in the timeline
    marked `"confidential": true`, and a referral with such notes or about child safety is
    marked `"review_before_release": true`, so that whoever answers the request reviews it
    first (FERPA lets a district withhold a worker's sole-possession notes, and state law may
    keep a report to child protective services from the person it concerns).
    """
    referrals = db.session.scalars(
        select(Referral).where(Referral.contact_id == contact.id).order_by(Referral.id)
    ).all()
    out = []
    for referral in referrals:
        confidential = any(e.kind is EntryKind.NOTE and e.body for e in referral.entries)
        out.append(
            {
                "referral_id": referral.id,
                "review_before_release": referral.child_safety or confidential,
                "school": referral.school.name,
                "status": referral.status.value,
                "reasons": [r.value for r in referral.reasons],
                "urgency": referral.urgency.value,
                "child_safety": referral.child_safety,
                "mckinney_vento": referral.mckinney_vento,
                "foster_youth": referral.foster_youth,
                "to_school_social_worker": referral.for_social_worker,
                "to_county_caseworker": referral.for_caseworker,
                "student_first_name": referral.student_first_name,
                "student_last_initial": referral.student_last_initial,
                "student_grade": referral.student_grade,
                "details": referral.details,
                "tried": referral.tried,
                "decline_reason": referral.decline_reason,
                "outcome": referral.outcome.value if referral.outcome else None,
                "outcome_notes": referral.outcome_notes,
                "referred_at": _iso(referral.created_at),
                "accepted_at": _iso(referral.accepted_at),
                "contacted_at": _iso(referral.contacted_at),
                "services_started_at": _iso(referral.services_started_at),
                "closed_at": _iso(referral.closed_at),
                "follow_up_on": _iso(referral.follow_up_on),
                "services": [
                    {
                        "service": service.resource.name_en,
                        "referred_on": _iso(service.referred_on),
                        "started": service.started,
                    }
                    for service in referral.services
                ],
                "consents": [
                    {
                        "given_by": consent.given_by,
                        "relationship_to_student": consent.relationship_to_student,
                        "method": consent.method.value,
                        "given_on": _iso(consent.given_on),
                        "recorded_at": _iso(consent.recorded_at),
                        "withdrawn_at": _iso(consent.revoked_at),
                        "withdrawal_method": (
                            consent.revocation_method.value if consent.revocation_method else None
                        ),
                    }
                    for consent in referral.consents
                ],
                "timeline": [
                    {
                        "at": _iso(entry.created_at),
                        "kind": entry.kind.value,
                        "confidential": entry.kind is EntryKind.NOTE,
                        "body": entry.body,
                    }
                    for entry in referral.entries
                ],
            }
        )
    return out


def audit_export(
    contact: FamilyContact, rows: list[dict[str, Any]], actor_id: int | None, ip: str | None
) -> None:
    """Each released referral's own disclosure row, so its access history shows the release."""
    for row in rows:
        record(
            "referral.disclosed",
            actor_id=actor_id,
            target_type=Referral.__tablename__,
            target_id=row["referral_id"],
            ip=ip,
            detail={"disclosure": "family_records", "family_contact_id": contact.id},
        )


register(
    RecordType(
        key=KEY,
        label=_l("Referrals to the social worker or caseworker"),
        starts=_l("the day the referral is closed or declined"),
        removes=_l(
            "Anonymised: the student's name and grade, the referral's account, what was tried, "
            "notes, names on consent records and the services the family was referred to. "
            "Status, reasons, school and flags stay for the counts. Open referrals are kept."
        ),
        action=Action.ANONYMISE,
        default_months=60,
        minimum_months=36,
        due=_due_query(False),
        purge=purge,
        keeps_contacts=_keep_query(False),
        export=export,
        audit_export=audit_export,
        order=60,
    )
)
register(
    RecordType(
        key=CHILD_SAFETY_KEY,
        label=_l("Child-safety referrals (mandatory reports)"),
        starts=_l("the day the referral is closed or declined"),
        removes=_l(
            "Anonymised like other referrals, but kept longer: the record of a report of "
            "suspected abuse or neglect may be asked for years later."
        ),
        action=Action.ANONYMISE,
        default_months=180,
        minimum_months=120,
        due=_due_query(True),
        purge=purge,
        keeps_contacts=_keep_query(True),
        # The family's referrals are all exported (and audited) once, under `referrals`.
        order=61,
    )
)
