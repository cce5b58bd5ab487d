"""Programmes, their offerings and sessions, registrations and attendance."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
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
    from portal.schools.models import School

# A facilitator leads at most this many parents (seed 004).
PARENTS_PER_FACILITATOR = 40


class Audience(StrEnum):
    FAMILIES = "families"
    LIAISONS = "liaisons"
    SCHOOL_LEADERS = "school_leaders"


class Programme(db.Model):
    """A programme the FACE office runs, named and described in both languages."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_es: Mapped[str] = mapped_column(String(120))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[Audience] = mapped_column(
        str_enum(Audience, "audience", length=16), default=Audience.FAMILIES
    )
    # Completing the trainer-of-trainers programme certifies a facilitator.
    certifies_facilitators: Mapped[bool] = mapped_column(default=False)
    assigns_homework: Mapped[bool] = mapped_column(default=False)
    # Offerings need at least one facilitator, and at most 40 parents per facilitator.
    facilitated: Mapped[bool] = mapped_column(default=False)
    # Only facilitators certified by a trainer-of-trainers offering may lead it.
    requires_certification: Mapped[bool] = mapped_column(default=False)
    # Share of sessions to attend to complete a series, as a fraction (5 of 6 by default).
    completion_numerator: Mapped[int] = mapped_column(default=5)
    completion_denominator: Mapped[int] = mapped_column(default=6)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, language: str) -> str:
        return self.name_es if language == "es" else self.name_en

    def description(self, language: str) -> str:
        return self.description_es if language == "es" else self.description_en


class OfferingLanguage(StrEnum):
    ENGLISH = "en"
    SPANISH = "es"
    BILINGUAL = "bilingual"


class OfferingStatus(StrEnum):
    """An offering's life; "full" is not stored: it is seats taken reaching capacity."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


offering_facilitators = Table(
    "offering_facilitators",
    db.metadata,
    Column("offering_id", ForeignKey("offerings.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Offering(db.Model):
    """One run of a programme (a cohort) or a one-off event, at a school or district-wide."""

    __tablename__ = "offerings"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        # The backstop under the conditional update: never more seats taken than there are.
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    title_en: Mapped[str] = mapped_column(String(160), default="")
    title_es: Mapped[str] = mapped_column(String(160), default="")
    language: Mapped[OfferingLanguage] = mapped_column(
        str_enum(OfferingLanguage, "offering_language", length=10)
    )
    capacity: Mapped[int] = mapped_column()
    seats_taken: Mapped[int] = mapped_column(default=0)
    status: Mapped[OfferingStatus] = mapped_column(
        str_enum(OfferingStatus, "offering_status", length=10),
        default=OfferingStatus.DRAFT,
        index=True,
    )
    location: Mapped[str] = mapped_column(String(200), default="")
    childcare_offered: Mapped[bool] = mapped_column(default=False)
    interpretation_offered: Mapped[bool] = mapped_column(default=False)
    registration_opens: Mapped[date | None] = mapped_column(Date)
    registration_closes: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[Programme] = relationship()
    school: Mapped[School | None] = relationship()
    facilitators: Mapped[list[User]] = relationship(secondary=offering_facilitators)
    sessions: Mapped[list[OfferingSession]] = relationship(
        back_populates="offering",
        order_by="OfferingSession.starts_at",
        cascade="all, delete-orphan",
    )

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.seats_taken >= self.capacity

    def title(self, language: str) -> str:
        own = self.title_es if language == "es" else self.title_en
        return own or self.programme.name(language)


class OfferingSession(db.Model):
    """One meeting of an offering: a workshop of a series, or the whole of a one-off event."""

    __tablename__ = "offering_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(
        ForeignKey("offerings.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    topic_en: Mapped[str] = mapped_column(String(200), default="")
    topic_es: Mapped[str] = mapped_column(String(200), default="")
    # Where this session meets when not at the offering's usual place (a moved session).
    location: Mapped[str] = mapped_column(String(200), default="")
    # When the reminders before it, and the feedback requests after it, were queued.
    reminders_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feedback_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    offering: Mapped[Offering] = relationship(back_populates="sessions")

    @property
    def place(self) -> str:
        return self.location or self.offering.location

    def topic(self, language: str) -> str:
        return self.topic_es if language == "es" else self.topic_en


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Registration(db.Model):
    """A family (or a liaison) registered for an offering, or waiting for a seat."""

    __tablename__ = "registrations"
    __table_args__ = (
        # The same person registering twice gets their existing registration.
        UniqueConstraint("offering_id", "contact_id"),
        CheckConstraint("children_count >= 0 AND children_count <= 20", name="children_range"),
        Index("ix_registrations_waitlist", "offering_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(ForeignKey("offerings.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("family_contacts.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "registration_status", length=12)
    )
    # The confirmation code a family keeps; its hash opens the cancel link.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    children_count: Mapped[int] = mapped_column(default=0)
    children_ages: Mapped[str] = mapped_column(String(60), default="")
    accommodations: Mapped[str] = mapped_column(Text, default="")
    walk_in: Mapped[bool] = mapped_column(default=False)
    # Whether this registration counts in the offering's seats_taken (a walk-in over capacity
    # does not, so that cancelling it frees nothing).
    holds_seat: Mapped[bool] = mapped_column(default=False)
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # A staff member taking part (a liaison at a training, a leader at trainer-of-trainers).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    offering: Mapped[Offering] = relationship()
    contact: Mapped[FamilyContact] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class Attendance(db.Model):
    """A participant at one session: checked in at the door, homework done or not."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("registration_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("offering_sessions.id", ondelete="CASCADE"), index=True
    )
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    homework_done: Mapped[bool] = mapped_column(default=False)


class SessionFeedback(db.Model):
    """A participant's answer to the short survey after one session: one per person and session."""

    __tablename__ = "session_feedback"
    __table_args__ = (
        UniqueConstraint("registration_id", "session_id"),
        CheckConstraint("rating_useful BETWEEN 1 AND 5", name="useful_range"),
        CheckConstraint("rating_facilitator BETWEEN 1 AND 5", name="facilitator_range"),
        CheckConstraint("rating_welcome BETWEEN 1 AND 5", name="welcome_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("offering_sessions.id", ondelete="CASCADE"), index=True
    )
    rating_useful: Mapped[int] = mapped_column()
    rating_facilitator: Mapped[int] = mapped_column()
    rating_welcome: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()
    session: Mapped[OfferingSession] = relationship()


class FacilitatorCertification(db.Model):
    """A person certified to facilitate by completing a trainer-of-trainers offering.

    Kept on the participant's contact, so a school leader without a portal account is
    certified too; `user_id` links the account once there is one with the same email.
    """

    __tablename__ = "facilitator_certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("family_contacts.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    offering_id: Mapped[int | None] = mapped_column(ForeignKey("offerings.id", ondelete="SET NULL"))
    certified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    certified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    contact: Mapped[FamilyContact] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    offering: Mapped[Offering | None] = relationship()


class WaitlistStatus(StrEnum):
    WAITING = "waiting"
    ENROLLED = "enrolled"
    WITHDRAWN = "withdrawn"


class TrainingWaitlistEntry(db.Model):
    """A school leader waiting, in order, for a place at the next trainer-of-trainers."""

    __tablename__ = "training_waitlist"
    __table_args__ = (Index("ix_training_waitlist_order", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    status: Mapped[WaitlistStatus] = mapped_column(
        str_enum(WaitlistStatus, "waitlist_status", length=10), default=WaitlistStatus.WAITING
    )
    note: Mapped[str] = mapped_column(String(300), default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    school: Mapped[School] = relationship()
    registration: Mapped[Registration | None] = relationship()
