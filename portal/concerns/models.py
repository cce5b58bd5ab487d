"""Cases, their timelines, meetings, quick logs of calls, surveys and service levels."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.dbtypes import str_enum
from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from portal.auth.models import User
    from portal.families.models import FamilyContact
    from portal.knowledge.models import Category
    from portal.schools.models import School


class CaseKind(StrEnum):
    QUESTION = "question"
    CONCERN = "concern"


class Status(StrEnum):
    """Where a case stands; the allowed moves between them live in concerns/workflow.py."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    MEETING = "meeting"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Channel(StrEnum):
    """How the family reached the district."""

    WEB = "web"
    PHONE = "phone"
    EMAIL = "email"
    IN_PERSON = "in_person"
    LIAISON = "liaison"


class Relationship(StrEnum):
    PARENT = "parent"
    GUARDIAN = "guardian"
    GRANDPARENT = "grandparent"
    RELATIVE = "relative"
    FOSTER_PARENT = "foster_parent"
    STUDENT = "student"
    OTHER = "other"


class EscalationTarget(StrEnum):
    SENIOR_MANAGER = "senior_manager"
    SUPERINTENDENT = "superintendent"


class EntryKind(StrEnum):
    """Every kind of thing that happens on a case's timeline."""

    SUBMITTED = "submitted"
    CALL = "call"
    EMAIL = "email"
    TEXT = "text"
    IN_PERSON = "in_person"
    INTERNAL_NOTE = "internal_note"
    FAMILY_NOTE = "family_note"
    STATUS_CHANGE = "status_change"
    TRIAGE = "triage"
    ASSIGNMENT = "assignment"
    MEETING = "meeting"
    ESCALATION = "escalation"
    FAMILY_MESSAGE = "family_message"
    ACCESS_CODE = "access_code"
    RESOLUTION = "resolution"


class Case(db.Model):
    """A question or concern from a family, from intake to resolution."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("tier BETWEEN 1 AND 3", name="tier_range"),
        Index("ix_cases_queue", "status", "resolve_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # The form's one-time key: a retried or doubled submit finds this row instead of a second.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The access code is derived from this salt and the secret key; re-issuing changes the salt.
    access_salt: Mapped[str] = mapped_column(String(32))
    access_code_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[CaseKind] = mapped_column(str_enum(CaseKind, "case_kind", length=10))
    tier: Mapped[int] = mapped_column(default=1)
    status: Mapped[Status] = mapped_column(
        str_enum(Status, "case_status", length=16), default=Status.NEW, index=True
    )
    channel: Mapped[Channel] = mapped_column(
        str_enum(Channel, "case_channel", length=10), default=Channel.WEB
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("family_contacts.id"), index=True)
    relationship_to_student: Mapped[Relationship] = mapped_column(
        str_enum(Relationship, "relationship", length=16), default=Relationship.PARENT
    )
    student_first_name: Mapped[str] = mapped_column(String(60), default="")
    student_grade: Mapped[str] = mapped_column(String(4), default="")
    description: Mapped[str] = mapped_column(Text)
    desired_outcome: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    urgent: Mapped[bool] = mapped_column(default=False, index=True)
    child_safety: Mapped[bool] = mapped_column(default=False)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    escalation_target: Mapped[EscalationTarget | None] = mapped_column(
        str_enum(EscalationTarget, "escalation_target", length=16)
    )
    escalated_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    received_on: Mapped[date] = mapped_column(Date)  # the district's date of intake
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_school_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledge_due: Mapped[date | None] = mapped_column(Date)
    first_contact_due: Mapped[date | None] = mapped_column(Date)
    resolve_due: Mapped[date | None] = mapped_column(Date)
    resolution_summary: Mapped[str] = mapped_column(Text, default="")

    category: Mapped[Category] = relationship()
    school: Mapped[School | None] = relationship()
    contact: Mapped[FamilyContact] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    escalated_to: Mapped[User | None] = relationship(foreign_keys=[escalated_to_id])
    entries: Mapped[list[CaseEntry]] = relationship(
        back_populates="case", order_by="CaseEntry.id", cascade="all, delete-orphan"
    )
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="case", order_by="Meeting.scheduled_for", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.RESOLVED, Status.CLOSED)

    def overdue_targets(self, today: date) -> list[str]:
        """Which service levels this case has missed as of `today`."""
        if not self.is_open:
            return []
        missed = []
        if self.acknowledge_due and self.acknowledged_at is None and today > self.acknowledge_due:
            missed.append("acknowledge")
        if (
            self.first_contact_due
            and self.first_contact_at is None
            and today > self.first_contact_due
        ):
            missed.append("first_contact")
        if self.resolve_due and today > self.resolve_due:
            missed.append("resolve")
        return missed

    def is_overdue(self, today: date) -> bool:
        return bool(self.overdue_targets(today))

    def next_due(self) -> date | None:
        """The nearest service-level date still to meet."""
        pending = []
        if self.acknowledged_at is None and self.acknowledge_due:
            pending.append(self.acknowledge_due)
        if self.first_contact_at is None and self.first_contact_due:
            pending.append(self.first_contact_due)
        if self.resolve_due:
            pending.append(self.resolve_due)
        return min(pending) if pending and self.is_open else None


class CaseEntry(db.Model):
    """One attributed, time-stamped event on a case; never edited, corrected by a new one."""

    __tablename__ = "case_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "entry_kind", length=16))
    visible_to_family: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("case_entries.id"))

    case: Mapped[Case] = relationship(back_populates="entries")
    author: Mapped[User | None] = relationship()


class MeetingKind(StrEnum):
    FACILITATED = "facilitated"
    MEDIATION = "mediation"


class MeetingOutcome(StrEnum):
    AGREEMENT = "agreement"
    PARTIAL_AGREEMENT = "partial_agreement"
    NO_AGREEMENT = "no_agreement"
    RELATIONSHIP_REESTABLISHED = "relationship_reestablished"
    FAMILY_DID_NOT_ATTEND = "family_absent"
    SCHOOL_DID_NOT_ATTEND = "school_absent"


class Meeting(db.Model):
    """A facilitated meeting or a mediation between a family and school leaders."""

    __tablename__ = "case_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(str_enum(MeetingKind, "meeting_kind", length=12))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    video: Mapped[bool] = mapped_column(default=False)
    school_leader: Mapped[str] = mapped_column(String(120), default="")
    participants: Mapped[str] = mapped_column(Text, default="")
    interpreter_language: Mapped[str] = mapped_column(String(60), default="")
    outcome: Mapped[MeetingOutcome | None] = mapped_column(
        str_enum(MeetingOutcome, "meeting_outcome", length=28)
    )
    outcome_notes: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="meetings")


class CallOutcome(StrEnum):
    ANSWERED = "answered"
    TRANSFERRED = "transferred"
    POLICY_CLARIFIED = "policy_clarified"


class QuickLog(db.Model):
    """A Tier 1 call answered on the spot: counted without opening a case."""

    __tablename__ = "quick_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    language: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[CallOutcome] = mapped_column(str_enum(CallOutcome, "call_outcome", length=20))

    category: Mapped[Category] = relationship()
    school: Mapped[School | None] = relationship()


class SatisfactionResponse(db.Model):
    """The family's one answer, 1 to 5, after their case is resolved."""

    __tablename__ = "satisfaction_responses"
    __table_args__ = (
        UniqueConstraint("case_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship()


class ServiceLevels(db.Model):
    """Service-level targets in business days, set by the senior manager (one row)."""

    __tablename__ = "service_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    acknowledge_days: Mapped[int] = mapped_column(default=1)
    first_contact_days: Mapped[int] = mapped_column(default=2)
    resolve_days: Mapped[int] = mapped_column(default=10)
    escalate_unresponsive_days: Mapped[int] = mapped_column(default=5)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ReferenceCounter(db.Model):
    """The last case number used in a year: FCS-2026-000001, -000002, ..."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)
