"""Referrals of a student or family to the school social worker or the county caseworker."""

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
    from portal.concerns.models import Case
    from portal.families.models import FamilyContact
    from portal.resources.models import Resource
    from portal.schools.models import School


class Reason(StrEnum):
    """Why a student or family is referred; a referral has one or more."""

    ATTENDANCE = "attendance"
    ACADEMIC = "academic"
    BEHAVIOUR = "behaviour"
    MENTAL_HEALTH = "mental_health"
    BASIC_NEEDS = "basic_needs"
    HOUSING = "housing"  # housing instability or homelessness (McKinney-Vento)
    FOSTER_CARE = "foster_care"
    CHILD_SAFETY = "child_safety"


class Urgency(StrEnum):
    ROUTINE = "routine"
    PRIORITY = "priority"  # within a couple of school days
    URGENT = "urgent"  # today


class Status(StrEnum):
    """Where a referral stands; the allowed moves live in referrals/workflow.py."""

    NEW = "new"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CONTACTED = "contacted"
    SERVICES_STARTED = "services_started"
    CLOSED = "closed"


class Outcome(StrEnum):
    """How a closed referral ended."""

    GOALS_MET = "goals_met"
    CONNECTED_TO_SERVICES = "connected"
    FAMILY_DECLINED = "family_declined"
    UNABLE_TO_CONTACT = "unable_to_contact"
    MOVED = "moved"
    TRANSFERRED = "transferred"  # handed to another agency or team
    OTHER = "other"


class EntryKind(StrEnum):
    """Everything that happens on a referral's timeline."""

    SUBMITTED = "submitted"
    STATUS_CHANGE = "status_change"
    NOTE = "note"  # confidential: only the assigned roles and their supervisor read it
    FOLLOW_UP = "follow_up"
    SERVICE = "service"
    CONSENT = "consent"
    ASSIGNMENT = "assignment"
    FLAGS = "flags"


class ConsentMethod(StrEnum):
    """How a guardian gave (or withdrew) consent to share with an outside agency."""

    SIGNED_FORM = "signed_form"
    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"


class Referral(db.Model):
    """One referral: who the student is, why, how urgent, to whom, and where it stands.

    Addressed in URLs by `token` (random, 128 bits), never by `id`.
    """

    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_school_status", "school_id", "status"),
        CheckConstraint("for_social_worker OR for_caseworker", name="routed_somewhere"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    # The form's one-time key: a retried or doubled submit finds this row instead of a second.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The composite index on (school_id, status) also serves lookups by school alone.
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("family_contacts.id"), index=True)
    # A concern a specialist opened this referral from; linked, its notes are not copied.
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    student_first_name: Mapped[str] = mapped_column(String(60))
    student_last_initial: Mapped[str] = mapped_column(String(1), default="")
    student_grade: Mapped[str] = mapped_column(String(4), default="")
    urgency: Mapped[Urgency] = mapped_column(
        str_enum(Urgency, "referral_urgency", length=10), default=Urgency.ROUTINE
    )
    details: Mapped[str] = mapped_column(Text, default="")  # the referrer's account
    tried: Mapped[str] = mapped_column(Text, default="")  # what has been tried already
    child_safety: Mapped[bool] = mapped_column(default=False, index=True)
    # Flags set from the reasons at intake and kept up to date by the social worker.
    mckinney_vento: Mapped[bool] = mapped_column(default=False)
    foster_youth: Mapped[bool] = mapped_column(default=False)
    for_social_worker: Mapped[bool] = mapped_column(default=True)
    for_caseworker: Mapped[bool] = mapped_column(default=False)
    status: Mapped[Status] = mapped_column(
        str_enum(Status, "referral_status", length=20), default=Status.NEW, index=True
    )
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[Outcome | None] = mapped_column(
        str_enum(Outcome, "referral_outcome", length=20)
    )
    outcome_notes: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    social_worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    caseworker_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    referred_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    services_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    school: Mapped[School] = relationship()
    contact: Mapped[FamilyContact] = relationship()
    case: Mapped[Case | None] = relationship()
    social_worker: Mapped[User | None] = relationship(foreign_keys=[social_worker_id])
    caseworker: Mapped[User | None] = relationship(foreign_keys=[caseworker_id])
    referred_by: Mapped[User | None] = relationship(foreign_keys=[referred_by_id])
    reason_rows: Mapped[list[ReferralReason]] = relationship(
        back_populates="referral",
        cascade="all, delete-orphan",
        order_by="ReferralReason.reason",
        lazy="selectin",
    )
    entries: Mapped[list[ReferralEntry]] = relationship(
        back_populates="referral", order_by="ReferralEntry.id", cascade="all, delete-orphan"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="referral", order_by="Consent.id", cascade="all, delete-orphan"
    )
    services: Mapped[list[ServiceReferral]] = relationship(
        back_populates="referral", order_by="ServiceReferral.id", cascade="all, delete-orphan"
    )

    @property
    def reasons(self) -> list[Reason]:
        return [row.reason for row in self.reason_rows]

    @property
    def student_label(self) -> str:
        """First name and last initial: all a page ever shows of the student's name.

        A dash once the retention purge has removed the name.
        """
        if not self.student_first_name:
            return "—"
        if self.student_last_initial:
            return f"{self.student_first_name} {self.student_last_initial}."
        return self.student_first_name

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.DECLINED, Status.CLOSED)

    def active_consent(self) -> Consent | None:
        """The consent to share with the outside agency in force now, if any."""
        for consent in reversed(self.consents):
            if consent.revoked_at is None:
                return consent
        return None

    def needs_consent(self) -> bool:
        """Sharing with the county agency needs a guardian's consent, except for child safety."""
        return self.for_caseworker and not self.child_safety

    def follow_up_due(self, today: date) -> bool:
        return self.is_open and self.follow_up_on is not None and self.follow_up_on <= today

    def __repr__(self) -> str:  # no names: reprs end up in logs
        return f"<Referral {self.id} {self.status}>"


class ReferralReason(db.Model):
    """One reason a referral was made."""

    __tablename__ = "referral_reasons"

    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[Reason] = mapped_column(
        str_enum(Reason, "referral_reason", length=16), primary_key=True, index=True
    )

    referral: Mapped[Referral] = relationship(back_populates="reason_rows")


class ReferralEntry(db.Model):
    """One attributed, time-stamped event on a referral; never edited."""

    __tablename__ = "referral_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "referral_entry_kind", length=16))
    body: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    referral: Mapped[Referral] = relationship(back_populates="entries")
    author: Mapped[User | None] = relationship()


class Consent(db.Model):
    """A guardian's consent to share the referral with the county agency, until revoked."""

    __tablename__ = "referral_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    given_by: Mapped[str] = mapped_column(String(120))  # the guardian's name
    relationship_to_student: Mapped[str] = mapped_column(String(60), default="")
    method: Mapped[ConsentMethod] = mapped_column(
        str_enum(ConsentMethod, "consent_method", length=12)
    )
    given_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revocation_method: Mapped[ConsentMethod | None] = mapped_column(
        str_enum(ConsentMethod, "consent_revocation_method", length=12)
    )

    referral: Mapped[Referral] = relationship(back_populates="consents")


class ServiceReferral(db.Model):
    """A community service from the resource directory the family was referred to."""

    __tablename__ = "referral_services"
    __table_args__ = (UniqueConstraint("referral_id", "resource_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), index=True)
    referred_on: Mapped[date] = mapped_column(Date)
    started: Mapped[bool] = mapped_column(default=False)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="services")
    resource: Mapped[Resource] = relationship()


class Supervision(db.Model):
    """A supervisor link: the supervisor reads what their social worker or caseworker reads.

    Set by the admin; a supervisor is any staff account with one or more of these rows.
    """

    __tablename__ = "referral_supervision"

    supervisor_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    worker_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])
    worker: Mapped[User] = relationship(foreign_keys=[worker_id])
