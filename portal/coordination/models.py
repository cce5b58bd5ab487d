"""COST and SAART meetings at a school: who came, what was decided, the next steps."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.dbtypes import str_enum
from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from portal.auth.models import User
    from portal.referrals.models import Referral
    from portal.schools.models import School


class TeamKind(StrEnum):
    """Which team met."""

    COST = "cost"  # Coordination of Services Team
    SAART = "saart"  # Student Attendance Achievement Review Team


class AttendeeKind(StrEnum):
    STAFF = "staff"
    FAMILY = "family"


# The referrals (students) a meeting discussed; only referrals at the meeting's school.
meeting_referrals = Table(
    "team_meeting_referrals",
    db.metadata,
    Column("meeting_id", ForeignKey("team_meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("referral_id", ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True),
)


class TeamMeeting(db.Model):
    """One meeting of a school's COST or SAART."""

    __tablename__ = "team_meetings"
    __table_args__ = (Index("ix_team_meetings_school_held", "school_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    kind: Mapped[TeamKind] = mapped_column(str_enum(TeamKind, "team_kind", length=8))
    held_on: Mapped[date] = mapped_column(Date)
    decisions: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The "Record a meeting" form's one-off key: sent twice, it still makes one meeting.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    school: Mapped[School] = relationship()
    attendees: Mapped[list[TeamAttendee]] = relationship(
        back_populates="meeting", order_by="TeamAttendee.id", cascade="all, delete-orphan"
    )
    steps: Mapped[list[NextStep]] = relationship(
        back_populates="meeting",
        order_by=lambda: [NextStep.done, NextStep.due_on, NextStep.id],
        cascade="all, delete-orphan",
    )
    referrals: Mapped[list[Referral]] = relationship(secondary=meeting_referrals)


class TeamAttendee(db.Model):
    """Someone at the meeting: a staff account, or a family member by name and role."""

    __tablename__ = "team_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("team_meetings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AttendeeKind] = mapped_column(str_enum(AttendeeKind, "attendee_kind", length=8))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120), default="")  # family members only
    role: Mapped[str] = mapped_column(String(80), default="")  # "Mother", "Teacher", ...
    # The adding form's one-off key (none for the recorder, added with the meeting).
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    meeting: Mapped[TeamMeeting] = relationship(back_populates="attendees")
    user: Mapped[User | None] = relationship()

    @property
    def display_name(self) -> str:
        return self.user.name if self.user is not None else self.name


class NextStep(db.Model):
    """An action agreed at the meeting, owned by a staff member, due on a date."""

    __tablename__ = "team_next_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("team_meetings.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date] = mapped_column(Date, index=True)
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The adding form's one-off key: a double click adds the step once.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    meeting: Mapped[TeamMeeting] = relationship(back_populates="steps")
    owner: Mapped[User | None] = relationship()

    def is_overdue(self, today: date) -> bool:
        return not self.done and self.due_on < today
