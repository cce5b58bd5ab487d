"""A family's question or concern: submission, receipt, tracking, messages and the survey."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record
from portal.auth.models import User, UserRole
from portal.auth.roles import Role
from portal.concerns import access_codes
from portal.concerns.models import (
    Case,
    CaseEntry,
    CaseKind,
    Channel,
    EntryKind,
    Relationship,
    SatisfactionResponse,
    Status,
)
from portal.concerns.notify import notify_family
from portal.concerns.service_levels import apply_due_dates
from portal.extensions import db
from portal.families.models import ContactMethod
from portal.families.services import ContactInput, find_or_create_contact
from portal.timeutil import utcnow


class SurveyAlreadyAnswered(ValueError):
    """The family has already answered the satisfaction question for this case."""


class SurveyNotOpen(ValueError):
    """The case is not resolved yet, so there is nothing to rate."""


@dataclass(frozen=True)
class Submission:
    """What a family (or a liaison on their behalf) sent on the intake form."""

    submission_key: str
    kind: CaseKind
    name: str
    relationship: Relationship
    category_id: int
    description: str
    language: str = "en"
    other_language: str = ""
    interpreter_needed: bool = False
    phone: str | None = None
    email: str | None = None
    contact_method: ContactMethod = ContactMethod.PHONE
    best_time: str = ""
    school_id: int | None = None
    student_first_name: str = ""
    student_grade: str = ""
    desired_outcome: str = ""
    child_in_danger: bool = False
    channel: Channel = Channel.WEB
    filed_by_id: int | None = None


@dataclass(frozen=True)
class Receipt:
    """What the family is shown and sent: the reference and the secret access code."""

    case_id: int
    reference: str
    access_code: str  # formatted in groups
    language: str
    kind: CaseKind
    child_safety: bool


def receipt_for(case: Case, secret_key: str) -> Receipt:
    code = access_codes.derive_code(secret_key, case.reference, case.access_salt)
    return Receipt(
        case.id,
        case.reference,
        access_codes.format_code(code),
        case.language,
        case.kind,
        case.child_safety,
    )


def senior_manager_id() -> int | None:
    return db.session.scalar(
        select(User.id)
        .join(UserRole)
        .where(UserRole.role == Role.SENIOR_MANAGER, User.active)
        .order_by(User.id)
        .limit(1)
    )


def submit(data: Submission, *, secret_key: str, today: date, ip: str | None) -> Receipt:
    """Record a submission once, however many times it arrives, and queue the receipt."""
    existing = db.session.scalar(select(Case).where(Case.submission_key == data.submission_key))
    if existing is not None:
        return receipt_for(existing, secret_key)
    contact = find_or_create_contact(
        ContactInput(
            name=data.name,
            phone=data.phone,
            email=data.email,
            language=data.language,
            other_language=data.other_language,
            interpreter_needed=data.interpreter_needed,
            contact_method=data.contact_method,
            best_time=data.best_time,
        )
    )
    reference = access_codes.next_reference(today.year)
    salt = access_codes.new_salt()
    case = Case(
        reference=reference,
        submission_key=data.submission_key,
        access_salt=salt,
        access_code_hash=access_codes.hash_code(
            access_codes.derive_code(secret_key, reference, salt)
        ),
        kind=data.kind,
        # A question is an inquiry (Tier 1); a concern needs a specialist (Tier 2).
        tier=1 if data.kind == CaseKind.QUESTION and not data.child_in_danger else 2,
        status=Status.NEW,
        channel=data.channel,
        category_id=data.category_id,
        school_id=data.school_id,
        contact=contact,
        relationship_to_student=data.relationship,
        student_first_name=data.student_first_name,
        student_grade=data.student_grade,
        description=data.description,
        desired_outcome=data.desired_outcome,
        language=data.language,
        urgent=data.child_in_danger,
        child_safety=data.child_in_danger,
        filed_by_id=data.filed_by_id,
        received_on=today,
    )
    if data.child_in_danger:
        # Straight to the senior manager's queue, before anyone triages it.
        case.assignee_id = senior_manager_id()
    apply_due_dates(case)
    case.entries.append(
        CaseEntry(
            kind=EntryKind.SUBMITTED,
            visible_to_family=True,
            author_id=data.filed_by_id,
            detail={"channel": data.channel.value},
        )
    )
    db.session.add(case)
    try:
        db.session.flush()
    except IntegrityError:
        # The same form sent twice at once: the other request won; answer with its receipt.
        db.session.rollback()
        existing = db.session.scalars(
            select(Case).where(Case.submission_key == data.submission_key)
        ).one()
        return receipt_for(existing, secret_key)
    receipt = receipt_for(case, secret_key)
    notify_family(case, "concern.receipt", {"access_code": receipt.access_code}, dedupe="receipt")
    record(
        "case.submitted",
        actor_id=data.filed_by_id,
        target=case,
        ip=ip,
        detail={"channel": data.channel.value, "urgent": case.urgent},
    )
    db.session.commit()
    return receipt


def find_for_family(reference: str, code: str) -> Case | None:
    """The case these two secrets open, or None; a reference alone opens nothing."""
    normalized = access_codes.normalize_reference(reference)
    if not normalized:
        return None
    case = db.session.scalar(select(Case).where(Case.reference == normalized))
    if case is None:
        access_codes.code_matches("0" * 64, code)  # same work whether or not it exists
        return None
    return case if access_codes.code_matches(case.access_code_hash, code) else None


def family_timeline(case: Case) -> list[CaseEntry]:
    """Only what the family may see: never internal notes or child-safety detail."""
    return [entry for entry in case.entries if entry.visible_to_family]


def add_family_message(case: Case, text: str, *, ip: str | None) -> CaseEntry:
    """A message from the family on their case's page."""
    entry = CaseEntry(kind=EntryKind.FAMILY_MESSAGE, visible_to_family=True, body=text)
    case.entries.append(entry)
    record("case.family_message", target=case, ip=ip)
    db.session.commit()
    return entry


def reissue_code(case: Case, *, secret_key: str, actor_id: int, ip: str | None) -> str:
    """Revoke the family's access code and make a new one, sent to them by the outbox."""
    case.access_salt = access_codes.new_salt()
    code = access_codes.derive_code(secret_key, case.reference, case.access_salt)
    case.access_code_hash = access_codes.hash_code(code)
    formatted = access_codes.format_code(code)
    case.entries.append(
        CaseEntry(kind=EntryKind.ACCESS_CODE, author_id=actor_id, visible_to_family=False, body="")
    )
    notify_family(case, "concern.new_code", {"access_code": formatted})
    record("case.access_code_reissued", actor_id=actor_id, target=case, ip=ip)
    db.session.commit()
    return formatted


def answer_survey(case: Case, rating: int, comment: str) -> SatisfactionResponse:
    """The family's one rating of a resolved case."""
    if case.status not in (Status.RESOLVED, Status.CLOSED):
        raise SurveyNotOpen(case.reference)
    if not 1 <= rating <= 5:
        raise ValueError("rating must be 1 to 5")
    if (
        db.session.scalar(
            select(SatisfactionResponse.id).where(SatisfactionResponse.case_id == case.id)
        )
        is not None
    ):
        raise SurveyAlreadyAnswered(case.reference)
    response = SatisfactionResponse(
        case_id=case.id, rating=rating, comment=comment, created_at=utcnow()
    )
    db.session.add(response)
    try:
        db.session.commit()
    except IntegrityError as exc:  # answered twice at once
        db.session.rollback()
        raise SurveyAlreadyAnswered(case.reference) from exc
    return response


def survey_answered(case: Case) -> bool:
    return (
        db.session.scalar(
            select(SatisfactionResponse.id).where(SatisfactionResponse.case_id == case.id)
        )
        is not None
    )
