"""The door: who may run which events, the roster, check-in, walk-ins and live counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, false, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

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

# The door's statements are built once, with bound parameters: a console answers taps all
# evening, and constructing these statements cost the server more than running them.


def _scope(user: Any) -> tuple[str, list[int]]:
    """Programme staff run every offering; a liaison, those at their schools; others none."""
    if user.has_role(Role.PROGRAMME_STAFF):
        return "all", []
    if user.has_role(Role.LIAISON):
        return "schools", [s.id for s in user.schools]
    return "none", []


def _visible(kind: str, schools: Any) -> list[ColumnElement[bool]]:
    conditions = [Offering.status != OfferingStatus.DRAFT]
    if kind == "schools":
        conditions.append(Offering.school_id.in_(schools))
    elif kind != "all":
        conditions.append(false())
    return conditions


def visible_offerings(user: Any) -> Select[tuple[Offering]]:
    """The offerings a user may run at the door."""
    return select(Offering).where(*_visible(*_scope(user)))


@cache
def _session_in_scope(kind: str) -> Select[tuple[OfferingSession]]:
    return (
        select(OfferingSession)
        .join(OfferingSession.offering)
        .where(
            OfferingSession.id == bindparam("session_id"),
            Offering.id == bindparam("offering_id"),
            *_visible(kind, bindparam("schools", expanding=True)),
        )
        .options(
            contains_eager(OfferingSession.offering).options(
                joinedload(Offering.programme), joinedload(Offering.school)
            )
        )
    )


def session_in_scope(user: Any, offering_id: int, session_id: int) -> OfferingSession | None:
    """A session of an offering the user may run, or None (the view answers 404)."""
    kind, schools = _scope(user)
    return db.session.scalar(
        _session_in_scope(kind),
        {"session_id": session_id, "offering_id": offering_id, "schools": schools},
    )


@dataclass(frozen=True)
class Door:
    """What the console's fragments need of a session, read before anything commits."""

    offering_id: int
    session_id: int
    homework: bool  # the programme assigns homework: each row has its button

    @classmethod
    def of(cls, session: OfferingSession) -> Door:
        return cls(session.offering_id, session.id, session.offering.programme.assigns_homework)


@dataclass(frozen=True)
class RosterRow:
    """One participant as the door shows them; plain values, still good after a commit."""

    registration_id: int
    name: str
    phone: str | None
    walk_in: bool
    children_count: int
    checked_in: bool
    homework_done: bool


# What a roster row shows of a registration, beside its attendance at the session.
_ROW = (
    Registration.id,
    FamilyContact.name,
    FamilyContact.phone,
    Registration.walk_in,
    Registration.children_count,
)


@cache
def _on_roster() -> Select[Any]:
    # The attendance is None for someone not marked at this session yet.
    return (
        select(*_ROW, Attendance)
        .join(FamilyContact, Registration.contact_id == FamilyContact.id)
        .outerjoin(
            Attendance,
            and_(
                Attendance.registration_id == Registration.id,
                Attendance.session_id == bindparam("session_id"),
            ),
        )
        .where(
            Registration.offering_id == bindparam("offering_id"),
            Registration.status == RegistrationStatus.REGISTERED,
        )
    )


@cache
def _one_on_roster() -> Select[Any]:
    return _on_roster().where(Registration.id == bindparam("registration_id"))


def _at(door: Door, **more: object) -> dict[str, object]:
    return {"offering_id": door.offering_id, "session_id": door.session_id, **more}


def _row(found: Any, attendance: Attendance | None) -> RosterRow:
    return RosterRow(
        registration_id=found.id,
        name=found.name,
        phone=found.phone,
        walk_in=found.walk_in,
        children_count=found.children_count,
        checked_in=bool(attendance and attendance.checked_in_at),
        homework_done=bool(attendance and attendance.homework_done),
    )


def roster(door: Door, text: str = "") -> list[RosterRow]:
    """Registered participants (walk-ins included), by name, narrowed by name or phone digits."""
    query = _on_roster().order_by(func.lower(FamilyContact.name), Registration.id)
    text = text.strip()[:60]
    if text:
        digits = re.sub(r"\D", "", text)
        conditions = [contains(FamilyContact.name, text)]
        if len(digits) >= 3:
            conditions.append(FamilyContact.phone.like(f"%{digits}%"))
        query = query.where(or_(*conditions))
    found = db.session.execute(query.limit(200), _at(door))
    return [_row(one, one.Attendance) for one in found]


@dataclass(frozen=True)
class Marked:
    """One participant's row and the door's numbers, as a change left them."""

    row: RosterRow
    counts: DoorCounts


def set_checked_in(
    door: Door, registration_id: int, present: bool, *, actor_id: int
) -> Marked | None:
    """One tap at the door; the same tap again undoes it."""
    return _mark(door, registration_id, actor_id, checked_in_at=utcnow() if present else None)


def set_homework(door: Door, registration_id: int, done: bool, *, actor_id: int) -> Marked | None:
    return _mark(door, registration_id, actor_id, homework_done=done)


def _mark(door: Door, registration_id: int, actor_id: int, **changes: object) -> Marked | None:
    """Change one participant's attendance at one session; None when not on the roster."""
    found = db.session.execute(
        _one_on_roster(), _at(door, registration_id=registration_id)
    ).one_or_none()
    if found is None:
        return None
    row = found.Attendance
    if row is None:
        row = Attendance(session_id=door.session_id, registration_id=registration_id)
        db.session.add(row)
    for name, value in changes.items():
        setattr(row, name, value)
    if "checked_in_at" in changes:
        row.checked_in_by_id = actor_id
    # The row and the numbers as this change leaves them, read in its own transaction: after
    # the commit every loaded row is expired, and reading them again would cost a statement each.
    marked = Marked(_row(found, row), counts(door))
    db.session.commit()
    return marked


@dataclass(frozen=True)
class DoorCounts:
    registered: int
    checked_in: int
    walk_ins: int
    childcare: int  # children of those checked in who need childcare


@cache
def _counts() -> Select[Any]:
    present = Attendance.checked_in_at.is_not(None)
    return (
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
                Attendance.registration_id == Registration.id,
                Attendance.session_id == bindparam("session_id"),
            ),
        )
        .where(
            Registration.offering_id == bindparam("offering_id"),
            Registration.status == RegistrationStatus.REGISTERED,
        )
    )


def counts(door: Door) -> DoorCounts:
    """The live numbers at the door, in one query."""
    row = db.session.execute(_counts(), _at(door)).one()
    return DoorCounts(
        registered=row[0], checked_in=row[1], walk_ins=int(row[2]), childcare=int(row[3])
    )


@dataclass(frozen=True)
class WalkIn:
    row: RosterRow
    counts: DoorCounts
    already_registered: bool


def walk_in(door: Door, data: reg.RegistrationInput, *, actor_id: int, today: Any) -> WalkIn:
    """Register someone at the door and check them in; a match by phone or email finds them."""
    # One transaction: the registration, its seat and the check-in are saved together.
    outcome = reg.place(
        door.offering_id,
        reg.RegistrationInput(
            contact=data.contact,
            language=data.language,
            children_count=data.children_count,
            walk_in=True,
            registered_by_id=actor_id,
        ),
        today=today,
    )
    if outcome.created:
        # New at the door: registered whatever the seats (place counts walk-ins in), so the
        # row need not be loaded back.
        registration_id = outcome.registration_id
    else:
        registration = outcome.registration
        if registration.status != RegistrationStatus.REGISTERED:
            # Waiting for a seat, but here in person: the door lets them in.
            registration.status = RegistrationStatus.REGISTERED
        registration_id = registration.id
    marked = set_checked_in(door, registration_id, True, actor_id=actor_id)
    if marked is None:  # cannot be: registered for this offering a moment ago
        raise RuntimeError("a walk-in who just registered is not on the roster")
    return WalkIn(row=marked.row, counts=marked.counts, already_registered=not outcome.created)
