"""Making a referral and working it: status, notes, follow-ups, services, consent and flags.

Every function takes the acting user, commits its change with its audit row and its messages
(the outbox) in one transaction, and raises ReferralError for a rule the input breaks.
Scope is the caller's job: these functions are handed a referral the actor may read.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.auth.roles import Role
from portal.concerns.models import Case
from portal.extensions import db
from portal.families.services import ContactInput, find_or_create_contact
from portal.referrals import notify, workflow
from portal.referrals.models import (
    Consent,
    ConsentMethod,
    EntryKind,
    Outcome,
    Reason,
    Referral,
    ReferralEntry,
    ReferralReason,
    ServiceReferral,
    Status,
    Urgency,
)
from portal.resources.models import Resource
from portal.schools.models import School
from portal.textclean import clean_line
from portal.timeutil import district_today, utcnow


class ReferralError(ValueError):
    """A rule the input breaks; `field` names the form field the message belongs to."""

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.field = field


@dataclass(frozen=True)
class ConsentInput:
    """Who gave consent to share with the county agency, how and when."""

    given_by: str
    method: ConsentMethod
    given_on: date
    relationship: str = ""


@dataclass(frozen=True)
class ReferralInput:
    """What the referring staff member wrote on the form."""

    submission_key: str
    school_id: int
    student_first_name: str
    contact: ContactInput
    reasons: frozenset[Reason]
    student_last_initial: str = ""
    student_grade: str = ""
    urgency: Urgency = Urgency.ROUTINE
    details: str = ""
    tried: str = ""
    to_caseworker: bool = False
    consent: ConsentInput | None = None
    case_id: int | None = None


def new_token() -> str:
    """128 random bits, URL-safe: a referral's address that cannot be guessed or counted."""
    return secrets.token_urlsafe(16)


def _who(actor: Any) -> int | None:
    return getattr(actor, "id", None)


def _only_one(people: list[Any]) -> int | None:
    # One worker covers the school: they have it. Several: whoever accepts it takes it.
    return people[0].id if len(people) == 1 else None


def submit(data: ReferralInput, *, actor: Any, ip: str | None) -> Referral:
    """Record a referral once, however many times the form arrives, and tell who works it."""
    existing = db.session.scalar(
        select(Referral).where(Referral.submission_key == data.submission_key)
    )
    if existing is not None:
        return existing
    if not data.reasons:
        raise ReferralError(_l("Choose at least one reason."), "reasons")
    school = db.session.get(School, data.school_id)
    if school is None:
        raise ReferralError(_l("Choose a school from the list."), "school")
    child_safety = Reason.CHILD_SAFETY in data.reasons
    if data.to_caseworker and not school.human_services_pilot:
        raise ReferralError(
            _l("The county caseworker works only at human-services pilot schools."),
            "destination",
        )
    to_caseworker = data.to_caseworker or (child_safety and school.human_services_pilot)
    if to_caseworker and not child_safety and data.consent is None:
        raise ReferralError(
            _l("Sharing with the county caseworker needs a guardian's consent: record it below."),
            "consent_given_by",
        )
    stored_consent = data.consent is not None and to_caseworker and not child_safety
    if stored_consent and data.consent.given_on > district_today():  # type: ignore[union-attr]
        raise ReferralError(_l("Consent cannot be dated in the future."), "consent_given_on")
    contact = find_or_create_contact(data.contact)
    referral = Referral(
        token=new_token(),
        submission_key=data.submission_key,
        school_id=school.id,
        contact=contact,
        case_id=data.case_id,
        student_first_name=data.student_first_name,
        student_last_initial=data.student_last_initial[:1].upper(),
        student_grade=data.student_grade,
        # A child-safety report is acted on today, whatever the form said.
        urgency=Urgency.URGENT if child_safety else data.urgency,
        details=data.details,
        tried=data.tried,
        child_safety=child_safety,
        mckinney_vento=Reason.HOUSING in data.reasons,
        foster_youth=Reason.FOSTER_CARE in data.reasons,
        # Child safety goes to the social worker and (at pilot schools) the caseworker at once.
        for_social_worker=child_safety or not to_caseworker,
        for_caseworker=to_caseworker,
        status=Status.NEW,
        referred_by_id=_who(actor),
        social_worker_id=_only_one(notify.workers_at(school.id, Role.SOCIAL_WORKER)),
        caseworker_id=(
            _only_one(notify.workers_at(school.id, Role.CASEWORKER)) if to_caseworker else None
        ),
    )
    if not referral.for_social_worker:
        referral.social_worker_id = None
    referral.reason_rows = [ReferralReason(reason=r) for r in sorted(data.reasons)]
    if stored_consent:
        referral.consents.append(_consent_row(data.consent, actor))
    referral.entries.append(
        ReferralEntry(
            kind=EntryKind.SUBMITTED,
            author_id=_who(actor),
            detail={"reasons": sorted(r.value for r in data.reasons)},
        )
    )
    db.session.add(referral)
    try:
        db.session.flush()
    except IntegrityError:
        # The same form sent twice at once: the other request won; answer with its referral.
        db.session.rollback()
        return db.session.scalars(
            select(Referral).where(Referral.submission_key == data.submission_key)
        ).one()
    notify.new_referral(referral)
    record(
        "referral.submitted",
        actor_id=_who(actor),
        target=referral,
        ip=ip,
        detail={"child_safety": child_safety, "to_caseworker": to_caseworker},
    )
    db.session.commit()
    return referral


def _consent_row(data: ConsentInput, actor: Any) -> Consent:
    return Consent(
        given_by=data.given_by,
        relationship_to_student=data.relationship,
        method=data.method,
        given_on=data.given_on,
        recorded_by_id=_who(actor),
        recorded_at=utcnow(),
    )


def _changed(referral: Referral, actor: Any, ip: str | None, change: str, **detail: Any) -> None:
    record(
        "referral.changed",
        actor_id=_who(actor),
        target=referral,
        ip=ip,
        detail={"change": change, **detail},
    )


@dataclass(frozen=True)
class StatusChange:
    """A move on the workflow, with what that move needs."""

    to: Status
    reason: str = ""  # why it was declined
    outcome: Outcome | None = None  # how it ended, when closing
    notes: str = ""
    follow_up_on: date | None = None


def change_status(
    referral: Referral, change: StatusChange, *, actor: Any, ip: str | None
) -> Referral:
    """Move the referral on; accepting it makes the actor its social worker or caseworker."""
    if not workflow.can_move(referral.status, change.to):
        raise ReferralError(_l("That step is not possible from the referral's status."), "to")
    if change.to is Status.DECLINED and not change.reason:
        raise ReferralError(_l("Say why the referral is declined."), "reason")
    if change.to is Status.CLOSED and change.outcome is None:
        raise ReferralError(_l("Choose the outcome."), "outcome")
    if change.follow_up_on is not None and change.follow_up_on < district_today():
        raise ReferralError(_l("Choose today or a later date."), "follow_up_on")
    now = utcnow()
    before = referral.status
    referral.status = change.to
    if change.to is Status.ACCEPTED:
        referral.accepted_at = now
        _take(referral, actor)
    elif change.to is Status.DECLINED:
        referral.decline_reason = change.reason
        referral.closed_at = now
    elif change.to is Status.CONTACTED:
        referral.contacted_at = now
    elif change.to is Status.SERVICES_STARTED:
        referral.services_started_at = now
    elif change.to is Status.CLOSED:
        referral.outcome = change.outcome
        referral.outcome_notes = change.notes
        referral.closed_at = now
    if change.follow_up_on is not None:
        referral.follow_up_on = change.follow_up_on
    if not referral.is_open:
        referral.follow_up_on = None
    referral.entries.append(
        ReferralEntry(
            kind=EntryKind.STATUS_CHANGE,
            author_id=_who(actor),
            body=change.reason or change.notes,
            detail={
                "from": before.value,
                "to": change.to.value,
                **({"outcome": change.outcome.value} if change.outcome else {}),
            },
        )
    )
    notify.status_changed(referral)
    _changed(referral, actor, ip, "status", to=change.to.value)
    db.session.commit()
    return referral


def _take(referral: Referral, actor: Any) -> None:
    """Whoever accepts a referral routed to their role becomes the one assigned to it."""
    roles = getattr(actor, "roles", frozenset())
    taken = False
    if Role.SOCIAL_WORKER in roles and referral.for_social_worker:
        referral.social_worker_id = actor.id
        taken = True
    if Role.CASEWORKER in roles and referral.for_caseworker and not taken:
        referral.caseworker_id = actor.id
        taken = True
    if taken:
        referral.entries.append(
            ReferralEntry(
                kind=EntryKind.ASSIGNMENT, author_id=actor.id, detail={"user_id": actor.id}
            )
        )


def add_note(referral: Referral, text: str, *, actor: Any, ip: str | None) -> ReferralEntry:
    """A confidential note: only the assigned roles and their supervisor ever read it."""
    if not text.strip():
        raise ReferralError(_l("Write the note."), "body")
    entry = ReferralEntry(kind=EntryKind.NOTE, author_id=_who(actor), body=text)
    referral.entries.append(entry)
    _changed(referral, actor, ip, "note")  # the audit row says a note was added, not what
    db.session.commit()
    return entry


def set_follow_up(
    referral: Referral, on: date | None, *, actor: Any, ip: str | None, today: date
) -> Referral:
    """The next date to check in with the family, or none."""
    if on is not None and on < today:
        raise ReferralError(_l("Choose today or a later date."), "follow_up_on")
    if not referral.is_open:
        raise ReferralError(_l("This referral is closed."), "follow_up_on")
    referral.follow_up_on = on
    referral.entries.append(
        ReferralEntry(
            kind=EntryKind.FOLLOW_UP,
            author_id=_who(actor),
            detail={"on": on.isoformat() if on else None},
        )
    )
    _changed(referral, actor, ip, "follow_up")
    db.session.commit()
    return referral


def add_service(
    referral: Referral, resource_id: int, *, actor: Any, ip: str | None, today: date
) -> ServiceReferral:
    """A service from the resource directory the family was referred to."""
    resource = db.session.get(Resource, resource_id)
    if resource is None or resource.archived_at is not None:
        raise ReferralError(_l("Choose a service from the directory."), "resource")
    if any(s.resource_id == resource.id for s in referral.services):
        raise ReferralError(_l("This service is already on the referral."), "resource")
    service = ServiceReferral(resource_id=resource.id, referred_on=today, added_by_id=_who(actor))
    referral.services.append(service)
    referral.entries.append(
        ReferralEntry(
            kind=EntryKind.SERVICE,
            author_id=_who(actor),
            detail={"resource_id": resource.id},
        )
    )
    _changed(referral, actor, ip, "service", resource_id=resource.id)
    db.session.commit()
    return service


def record_consent(
    referral: Referral, data: ConsentInput, *, actor: Any, ip: str | None, today: date
) -> Consent:
    """A guardian's consent to share with the county agency; the caseworker then has it."""
    if not referral.school.human_services_pilot:
        raise ReferralError(
            _l("The county caseworker works only at human-services pilot schools."), "given_by"
        )
    if referral.child_safety:
        raise ReferralError(_l("A child-safety referral needs no consent."), "given_by")
    if data.given_on > today:
        raise ReferralError(_l("Consent cannot be dated in the future."), "given_on")
    if referral.active_consent() is not None:
        raise ReferralError(_l("Consent is already recorded."), "given_by")
    consent = _consent_row(data, actor)
    referral.consents.append(consent)
    referral.for_caseworker = True
    referral.entries.append(
        ReferralEntry(
            kind=EntryKind.CONSENT,
            author_id=_who(actor),
            detail={"given": True, "method": data.method.value},
        )
    )
    db.session.flush()
    notify.shared_with_caseworker(referral)
    _changed(referral, actor, ip, "consent_given")
    db.session.commit()
    return consent


def revoke_consent(
    referral: Referral,
    consent_id: int,
    method: ConsentMethod,
    *,
    actor: Any,
    ip: str | None,
) -> Consent:
    """The guardian withdraws consent: nothing more goes to the agency.

    The caseworker loses access to a referral that is not about child safety at once (the
    scope reads the consent), and the referral falls back to the school social worker.
    """
    consent = next((c for c in referral.consents if c.id == consent_id), None)
    if consent is None:
        raise ReferralError(_l("There is no such consent on this referral."), "consent")
    if consent.revoked_at is not None:
        raise ReferralError(_l("This consent was already withdrawn."), "consent")
    consent.revoked_at = utcnow()
    consent.revoked_by_id = _who(actor)
    consent.revocation_method = method
    handed_back = False
    if not referral.child_safety and referral.active_consent() is None:
        if not referral.for_social_worker:
            referral.for_social_worker = True
            handed_back = True
    referral.entries.append(
        ReferralEntry(
            kind=EntryKind.CONSENT,
            author_id=_who(actor),
            detail={"given": False, "method": method.value},
        )
    )
    if handed_back:
        notify.consent_revoked(referral, consent.id)
    _changed(referral, actor, ip, "consent_revoked")
    db.session.commit()
    return consent


def set_flags(
    referral: Referral, *, mckinney_vento: bool, foster_youth: bool, actor: Any, ip: str | None
) -> Referral:
    """The social worker's determination; a newly set flag tells the district liaison."""
    newly_mv = mckinney_vento and not referral.mckinney_vento
    newly_foster = foster_youth and not referral.foster_youth
    if (mckinney_vento, foster_youth) == (referral.mckinney_vento, referral.foster_youth):
        return referral
    referral.mckinney_vento = mckinney_vento
    referral.foster_youth = foster_youth
    referral.entries.append(
        ReferralEntry(
            kind=EntryKind.FLAGS,
            author_id=_who(actor),
            detail={"mckinney_vento": mckinney_vento, "foster_youth": foster_youth},
        )
    )
    notify.flags_set(referral, mckinney_vento=newly_mv, foster=newly_foster)
    _changed(referral, actor, ip, "flags")
    db.session.commit()
    return referral


def audit_reads(referrals: list[Referral], action: str, *, actor: Any, ip: str | None) -> None:
    """One audit row per referral read (FERPA's record of disclosures), committed now."""
    for referral in referrals:
        record(action, actor_id=_who(actor), target=referral, ip=ip)
    db.session.commit()


def access_history(referral: Referral, limit: int = 500) -> list[AuditEvent]:
    """Who read or changed this referral, newest first, from the audit trail."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.target_type == Referral.__tablename__,
                AuditEvent.target_id == str(referral.id),
            )
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def linked_case(user: Any, reference: str) -> Case | None:
    """A concern the user may open, to start a referral from; its notes are not copied."""
    from portal.concerns.queue import visible_cases

    # A reference comes from the address or a hidden field: whatever was typed there must not
    # reach the database as is (PostgreSQL refuses a NUL byte in text).
    reference = str(clean_line(reference))
    if not reference:
        return None
    return db.session.scalar(visible_cases(user).where(Case.reference == reference))
