"""The record types the portal has today, with their retention defaults.

Defaults, and why (the administrator may lengthen or shorten them within the minimums):
- Concern cases: 5 years after the case is resolved or closed. Long enough to see a family's
  history if the concern comes back, and past the usual three-year limit on complaints; the
  case row stays (tier, category, school, dates, language) so the dashboards count it.
- Workshop registrations: 3 years the offering's last session (a facilitator's
  completion and certification questions come up within that); the row stays for attendance.
- Family contacts: 3 years after the contact last changed, and only once no kept record
  (a case, a registration, a certification, a referral) points at it.
- Messages sent or given up: 3 months. The text already reached the family; delivery problems
  are looked into within days. Pending messages are never touched.
- Staff sign-in sessions: 3 months after last use, for investigating a misused account.
- Coordination-team meetings (portal/coordination/retention.py): 5 years after the meeting.
- Referrals (portal/referrals/retention.py): 5 years after closing or declining, 15 years for a
  child-safety referral (a mandatory report); open referrals are kept. A family's contact
  details stay while any of its referrals does.

Kept on purpose: audit rows (the record of who saw, changed and disclosed what; FERPA asks
that the record of disclosures be kept as long as the records themselves, and an audit trail
that a purge can edit proves nothing; they hold ids and counts, not case text) and quick logs
of Tier 1 calls (category, school, language and outcome only: no personal data).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, exists, func, or_, select, union, update

from portal.auth.models import UserSession
from portal.concerns.models import Case, CaseEntry, Meeting, SatisfactionResponse, Status
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.outbox.models import MessageStatus, OutboxMessage
from portal.programmes.models import (
    FacilitatorCertification,
    OfferingSession,
    Registration,
    SessionFeedback,
)
from portal.retention import exports
from portal.retention.models import AnonymisedRecord
from portal.retention.registry import (
    Action,
    RecordType,
    chunks,
    contact_keepers,
    register,
)

Cutoffs = dict[str, datetime]


def not_purged(key: str, column: Any):
    """True for rows of `key` the purge has not anonymised yet."""
    return ~exists().where(
        AnonymisedRecord.record_type == key, AnonymisedRecord.record_id == column
    )


# Concern cases ---------------------------------------------------------------------------

_case_ended = func.coalesce(Case.closed_at, Case.resolved_at)


def _cases_due(cutoff: datetime, cutoffs: Cutoffs | None = None) -> Select[tuple[int]]:
    return (
        select(Case.id)
        .where(
            Case.status.in_((Status.RESOLVED, Status.CLOSED)),
            _case_ended < cutoff,
            not_purged("concern_cases", Case.id),
        )
        .order_by(Case.id)
    )


def _cases_purge(ids: list[int]) -> None:
    for part in chunks(ids):
        # The family's words and the student go; tier, category, school, status, channel,
        # language and dates stay, so every dashboard figure is unchanged. An empty access-code
        # hash matches no code: the tracking page opens nothing any more.
        db.session.execute(
            update(Case)
            .where(Case.id.in_(part))
            .values(
                description="",
                desired_outcome="",
                student_first_name="",
                student_grade="",
                resolution_summary="",
                access_code_hash="",
            ),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            update(CaseEntry).where(CaseEntry.case_id.in_(part)).values(body=""),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            update(Meeting)
            .where(Meeting.case_id.in_(part))
            .values(location="", school_leader="", participants="", outcome_notes=""),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            update(SatisfactionResponse)
            .where(SatisfactionResponse.case_id.in_(part))
            .values(comment=""),
            execution_options={"synchronize_session": False},
        )


def _cases_keep(cutoff: datetime) -> Select[tuple[int]]:
    return select(Case.contact_id).where(
        not_purged("concern_cases", Case.id), Case.id.not_in(_cases_due(cutoff))
    )


# Workshop registrations -----------------------------------------------------------------

_last_session = (
    select(func.max(OfferingSession.ends_at))
    .where(OfferingSession.offering_id == Registration.offering_id)
    .correlate(Registration)
    .scalar_subquery()
)


def _registrations_due(cutoff: datetime, cutoffs: Cutoffs | None = None) -> Select[tuple[int]]:
    return (
        select(Registration.id)
        .where(
            func.coalesce(_last_session, Registration.created_at) < cutoff,
            not_purged("registrations", Registration.id),
        )
        .order_by(Registration.id)
    )


def _registrations_purge(ids: list[int]) -> None:
    for part in chunks(ids):
        # Who came and how often stays (show-up rates, returning families); what the family
        # wrote about their children and needs goes, and so do survey comments (not ratings).
        db.session.execute(
            update(Registration)
            .where(Registration.id.in_(part))
            .values(children_ages="", accommodations=""),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            update(SessionFeedback)
            .where(SessionFeedback.registration_id.in_(part))
            .values(comment=""),
            execution_options={"synchronize_session": False},
        )


def _registrations_keep(cutoff: datetime) -> Select[tuple[int]]:
    kept = select(Registration.contact_id).where(
        not_purged("registrations", Registration.id),
        Registration.id.not_in(_registrations_due(cutoff)),
    )
    # A certified facilitator stays on the books as long as the certification does.
    return union(kept, select(FacilitatorCertification.contact_id))  # type: ignore[return-value]


# Family contacts ---------------------------------------------------------------------------


def _contacts_due(cutoff: datetime, cutoffs: Cutoffs | None = None) -> Select[tuple[int]]:
    keepers = contact_keepers(cutoffs or {}, cutoff)
    query = select(FamilyContact.id).where(
        func.coalesce(FamilyContact.updated_at, FamilyContact.created_at) < cutoff,
        not_purged("family_contacts", FamilyContact.id),
    )
    for kept in keepers:
        query = query.where(FamilyContact.id.not_in(kept))
    return query.order_by(FamilyContact.id)


def _contacts_purge(ids: list[int]) -> None:
    for part in chunks(ids):
        # The row stays so that the records pointing at it (and the dashboards' count of new
        # and returning families) keep working; nothing in it names or reaches anyone.
        db.session.execute(
            update(FamilyContact)
            .where(FamilyContact.id.in_(part))
            .values(name="", phone=None, email=None, best_time="", other_language=""),
            execution_options={"synchronize_session": False},
        )


# Outbox messages ----------------------------------------------------------------------------


def _messages_due(cutoff: datetime, cutoffs: Cutoffs | None = None) -> Select[tuple[int]]:
    return (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status.in_((MessageStatus.SENT, MessageStatus.FAILED)),
            func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < cutoff,
        )
        .order_by(OutboxMessage.id)
    )


def _messages_purge(ids: list[int]) -> None:
    for part in chunks(ids):
        db.session.execute(
            delete(OutboxMessage).where(OutboxMessage.id.in_(part)),
            execution_options={"synchronize_session": False},
        )


# Staff sessions ------------------------------------------------------------------------------


def _sessions_due(cutoff: datetime, cutoffs: Cutoffs | None = None) -> Select[tuple[int]]:
    return (
        select(UserSession.id)
        .where(or_(UserSession.ended_at < cutoff, UserSession.last_seen_at < cutoff))
        .order_by(UserSession.id)
    )


def _sessions_purge(ids: list[int]) -> None:
    for part in chunks(ids):
        db.session.execute(
            delete(UserSession).where(UserSession.id.in_(part)),
            execution_options={"synchronize_session": False},
        )


register(
    RecordType(
        key="concern_cases",
        label=_l("Questions and concerns"),
        starts=_l("the day the case is resolved or closed"),
        removes=_l(
            "Anonymised: the family's description, hoped-for outcome, student, notes, meeting "
            "notes, survey comment and access code. Counts on the dashboards stay."
        ),
        action=Action.ANONYMISE,
        default_months=60,
        minimum_months=12,
        due=_cases_due,
        purge=_cases_purge,
        keeps_contacts=_cases_keep,
        export=exports.cases,
        order=10,
    )
)
register(
    RecordType(
        key="registrations",
        label=_l("Workshop registrations"),
        starts=_l("the offering's last session"),
        removes=_l(
            "Anonymised: children's ages, accommodations and survey comments. Attendance "
            "and ratings stay for the dashboards."
        ),
        action=Action.ANONYMISE,
        default_months=36,
        minimum_months=12,
        due=_registrations_due,
        purge=_registrations_purge,
        keeps_contacts=_registrations_keep,
        export=exports.registrations,
        order=20,
    )
)
register(
    RecordType(
        key="outbox_messages",
        label=_l("Messages sent to families and staff"),
        starts=_l("the day the message was sent or given up"),
        removes=_l("Deleted. Messages still waiting to be sent are never removed."),
        action=Action.DELETE,
        default_months=3,
        minimum_months=1,
        due=_messages_due,
        purge=_messages_purge,
        export=exports.messages,
        order=30,
    )
)
register(
    RecordType(
        key="user_sessions",
        label=_l("Staff sign-in sessions"),
        starts=_l("the session's last use"),
        removes=_l("Deleted, with the address it was used from."),
        action=Action.DELETE,
        default_months=3,
        minimum_months=1,
        due=_sessions_due,
        purge=_sessions_purge,
        order=40,
    )
)
register(
    RecordType(
        key="family_contacts",
        label=_l("Family contact details"),
        starts=_l("the contact's last change, once no kept record points at it"),
        removes=_l("Anonymised: name, phone, email and best time to call."),
        action=Action.ANONYMISE,
        default_months=36,
        minimum_months=12,
        due=_contacts_due,
        purge=_contacts_purge,
        export=exports.contact,
        order=1000,
    )
)

# Features' own record types register when their module is imported.
from portal.coordination import retention as _coordination  # noqa: E402, F401
from portal.referrals import retention as _referrals  # noqa: E402, F401
