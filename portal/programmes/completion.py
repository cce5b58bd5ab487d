"""Completing a series: the share of sessions to attend, and who has attended enough."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.families.models import FamilyContact
from portal.programmes.models import (
    Attendance,
    Offering,
    OfferingSession,
    Programme,
    Registration,
    RegistrationStatus,
)


def required_sessions(programme: Programme, session_count: int) -> int:
    """The fewest sessions that make the programme's share of `session_count` (5 of 6 → 5).

    Integer ceiling of numerator × count / denominator, so 5/6 of 6 is exactly 5, never 4.99….
    A share that is missing, zero or above one is read as "every session": a broken setting
    must not hand out certificates for attending nothing.
    """
    if session_count <= 0:
        return 0
    numerator = programme.completion_numerator or 0
    denominator = programme.completion_denominator or 0
    if numerator <= 0 or denominator <= 0 or numerator > denominator:
        return session_count
    return -(-numerator * session_count // denominator)


@dataclass(frozen=True)
class ParticipantProgress:
    """How far one registered participant is through their series."""

    registration: Registration
    attended: int
    sessions: int
    required: int
    # None when the programme assigns no homework.
    homework_done: int | None

    @property
    def completed(self) -> bool:
        # A series with no sessions yet cannot be completed.
        return self.sessions > 0 and self.attended >= self.required


def _progress(*conditions: ColumnElement[bool]) -> list[ParticipantProgress]:
    """Registered participants matching `conditions`, by name, counted in one query."""
    sessions = (
        select(func.count(OfferingSession.id))
        .where(OfferingSession.offering_id == Registration.offering_id)
        .correlate(Registration)
        .scalar_subquery()
    )
    query = (
        select(
            Registration,
            func.count(Attendance.checked_in_at).label("attended"),
            func.coalesce(
                func.sum(case((Attendance.homework_done.is_(True), 1), else_=0)), 0
            ).label("homework"),
            sessions.label("sessions"),
        )
        .join(FamilyContact, Registration.contact_id == FamilyContact.id)
        .outerjoin(Attendance, Attendance.registration_id == Registration.id)
        .where(Registration.status == RegistrationStatus.REGISTERED, *conditions)
        # Grouped by both primary keys, so PostgreSQL accepts every selected column.
        .group_by(Registration.id, FamilyContact.id)
        .order_by(func.lower(FamilyContact.name), Registration.id)
        .options(
            selectinload(Registration.contact),
            selectinload(Registration.offering).selectinload(Offering.programme),
        )
    )
    rows = []
    for registration, attended, homework, count in db.session.execute(query):
        programme = registration.offering.programme
        rows.append(
            ParticipantProgress(
                registration=registration,
                attended=attended,
                sessions=count,
                required=required_sessions(programme, count),
                homework_done=homework if programme.assigns_homework else None,
            )
        )
    return rows


def progress(offering: Offering) -> list[ParticipantProgress]:
    """Every registered participant of the offering, by name, with attendance and homework."""
    return _progress(Registration.offering_id == offering.id)


def progress_of(registrations: Iterable[Registration]) -> list[ParticipantProgress]:
    """The progress of these registrations (those still registered), by name."""
    ids = [r.id for r in registrations]
    if not ids:
        return []
    return _progress(Registration.id.in_(ids))


def completers(offering: Offering) -> list[Registration]:
    """The participants who have attended enough of the series, by name."""
    return [row.registration for row in progress(offering) if row.completed]


def has_completed(registration: Registration) -> bool:
    rows = _progress(Registration.id == registration.id)
    return bool(rows) and rows[0].completed
