"""The door: who may run which events, the roster, check-in, walk-ins and live counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from portal.auth.roles import Role
from portal.dbtypes import contains
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.programmes import registration as reg
from portal.programmes.models import (
    Attendance,
    Offering,
    OfferingSession,
    OfferingStatus,
    Registration,
    RegistrationStatus,
)
from portal.timeutil import utcnow


def visible_offerings(user: Any) -> Select[tuple[Offering]]:
    """Programme staff see every offering; a liaison, those at their schools; others none."""
    query = select(Offering).where(Offering.status != OfferingStatus.DRAFT)
    if user.has_role(Role.PROGRAMME_STAFF):
        return query
    if user.has_role(Role.LIAISON):
        return query.where(Offering.school_id.in_([s.id for s in user.schools]))
    return query.where(False)  # noqa: FBT003


def session_in_scope(user: Any, offering_id: int, session_id: int) -> OfferingSession | None:
    """A session of an offering the user may run, or None (the view answers 404)."""
    offering = db.session.scalar(visible_offerings(user).where(Offering.id == offering_id))
    if offering is None:
        return None
    return db.session.scalar(
        select(OfferingSession).where(
            OfferingSession.id == session_id, OfferingSession.offering_id == offering_id
        )
    )


@dataclass(frozen=True)
class RosterRow:
    registration: Registration
    checked_in: bool
    homework_done: bool


def roster(session: OfferingSession, text: str = "") -> list[RosterRow]:
    """Registered participants (walk-ins included), by name, narrowed by name or phone digits."""
    query = (
        select(Registration, Attendance)
        .join(FamilyContact, Registration.contact_id == FamilyContact.id)
        .outerjoin(
            Attendance,
            and_(
                Attendance.registration_id == Registration.id, Attendance.session_id == session.id
            ),
        )
        .where(
            Registration.offering_id == session.offering_id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
        .options(selectinload(Registration.contact))
        .order_by(func.lower(FamilyContact.name), Registration.id)
    )
    text = text.strip()[:60]
    if text:
        digits = re.sub(r"\D", "", text)
        conditions = [contains(FamilyContact.name, text)]
        if len(digits) >= 3:
            conditions.append(FamilyContact.phone.like(f"%{digits}%"))
        query = query.where(or_(*conditions))
    return [
        RosterRow(r, bool(a and a.checked_in_at), bool(a and a.homework_done))
        for r, a in db.session.execute(query.limit(200))
    ]


def _attendance(session_id: int, registration_id: int) -> Attendance:
    row = db.session.scalar(
        select(Attendance).where(
            Attendance.session_id == session_id, Attendance.registration_id == registration_id
        )
    )
    if row is None:
        row = Attendance(session_id=session_id, registration_id=registration_id)
        db.session.add(row)
    return row


def _registration(session: OfferingSession, registration_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.id == registration_id,
            Registration.offering_id == session.offering_id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
    )


def set_checked_in(
    session: OfferingSession, registration_id: int, present: bool, *, actor_id: int
) -> RosterRow | None:
    """One tap at the door; the same tap again undoes it."""
    return _mark(session, registration_id, actor_id, checked_in_at=utcnow() if present else None)


def set_homework(
    session: OfferingSession, registration_id: int, done: bool, *, actor_id: int
) -> RosterRow | None:
    return _mark(session, registration_id, actor_id, homework_done=done)


def _mark(
    session: OfferingSession, registration_id: int, actor_id: int, **changes: object
) -> RosterRow | None:
    """Change one participant's attendance at one session; None when not on the roster."""
    registration = _registration(session, registration_id)
    if registration is None:
        return None
    row = _attendance(session.id, registration.id)
    for name, value in changes.items():
        setattr(row, name, value)
    if "checked_in_at" in changes:
        row.checked_in_by_id = actor_id
    db.session.commit()
    return RosterRow(registration, row.checked_in_at is not None, bool(row.homework_done))


@dataclass(frozen=True)
class DoorCounts:
    registered: int
    checked_in: int
    walk_ins: int
    childcare: int  # children of those checked in who need childcare


def counts(session: OfferingSession) -> DoorCounts:
    """The live numbers at the door, in one query."""
    present = Attendance.checked_in_at.is_not(None)
    row = db.session.execute(
        select(
            func.count(Registration.id),
            func.count(Attendance.checked_in_at),
            func.coalesce(func.sum(case((Registration.walk_in, 1), else_=0)), 0),
            func.coalesce(func.sum(case((present, Registration.children_count), else_=0)), 0),
        )
        .select_from(Registration)
        .outerjoin(
            Attendance,
            and_(
                Attendance.registration_id == Registration.id, Attendance.session_id == session.id
            ),
        )
        .where(
            Registration.offering_id == session.offering_id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
    ).one()
    return DoorCounts(
        registered=row[0], checked_in=row[1], walk_ins=int(row[2]), childcare=int(row[3])
    )


@dataclass(frozen=True)
class WalkIn:
    row: RosterRow
    already_registered: bool


def walk_in(
    session: OfferingSession, data: reg.RegistrationInput, *, actor_id: int, today: Any
) -> WalkIn:
    """Register someone at the door and check them in; a match by phone or email finds them."""
    outcome = reg.register(
        session.offering_id,
        reg.RegistrationInput(
            contact=data.contact,
            language=data.language,
            children_count=data.children_count,
            walk_in=True,
            registered_by_id=actor_id,
        ),
        today=today,
    )
    registration = outcome.registration
    if registration.status != RegistrationStatus.REGISTERED:
        # Waiting for a seat, but here in person: the door lets them in.
        registration.status = RegistrationStatus.REGISTERED
        db.session.commit()
    row = set_checked_in(session, registration.id, True, actor_id=actor_id)
    return WalkIn(row=row, already_registered=not outcome.created)
