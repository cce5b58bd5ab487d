"""Seats without overbooking: register, wait in order, cancel and promote, on both engines.

The seat is taken by one conditional UPDATE (`seats_taken < capacity`) in the same
transaction as the registration row, so concurrent registrations for the last seats cannot
overbook on PostgreSQL or SQLite; a CHECK constraint and a unique (offering, person) pair are
the backstops (WIRING.md, "Overbooking").
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.families.messages import message_family
from portal.families.services import ContactInput, find_or_create_contact
from portal.programmes.models import (
    Offering,
    OfferingStatus,
    Registration,
    RegistrationStatus,
)
from portal.timeutil import utcnow
from portal.urls import public_url


class RegistrationClosed(ValueError):
    """The offering is not taking registrations (draft, closed, cancelled, out of its window)."""


@dataclass(frozen=True)
class RegistrationInput:
    """What a family gives when registering (or a liaison at the door for a walk-in)."""

    contact: ContactInput
    language: str = "en"
    children_count: int = 0
    children_ages: str = ""
    accommodations: str = ""
    walk_in: bool = False
    registered_by_id: int | None = None
    # Staff enrolling someone (a leader for a training) are not held to the public window.
    by_staff: bool = False


@dataclass(frozen=True)
class Outcome:
    """The registration, whether it is new, and its confirmation code when it was just made."""

    registration: Registration
    created: bool
    code: str | None  # shown once; only its hash is stored

    @property
    def waitlisted(self) -> bool:
        return self.registration.status == RegistrationStatus.WAITLISTED


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


# Built once, and as plain table updates: the ORM's bulk-update machinery did nothing for these
# but cost each registration time while it held the offering's row.
_SEATS = Offering.__table__.c
_TAKE_SEAT = (
    update(Offering.__table__)
    .where(_SEATS.id == bindparam("offering"), _SEATS.seats_taken < _SEATS.capacity)
    .values(seats_taken=_SEATS.seats_taken + 1)
)
_FREE_SEAT = (
    update(Offering.__table__)
    .where(_SEATS.id == bindparam("offering"), _SEATS.seats_taken > 0)
    .values(seats_taken=_SEATS.seats_taken - 1)
)


def _take_seat(offering_id: int) -> bool:
    """Take one seat if one is left: a single conditional UPDATE, atomic on every engine."""
    return db.session.execute(_TAKE_SEAT, {"offering": offering_id}).rowcount == 1


def _free_seat(offering_id: int) -> None:
    db.session.execute(_FREE_SEAT, {"offering": offering_id})


def accepting(offering: Offering, today: date) -> bool:
    """Whether families can register today (walk-ins at the door skip the window)."""
    if offering.status != OfferingStatus.OPEN:
        return False
    if offering.registration_opens and today < offering.registration_opens:
        return False
    return not (offering.registration_closes and today > offering.registration_closes)


def register(
    offering_id: int, data: RegistrationInput, *, today: date, confirm: bool = False
) -> Outcome:
    """A seat if one is left, else a place on the waitlist; the same person gets their own.

    With `confirm`, the family's confirmation (their seat, or their place on the waitlist) is
    queued in the same transaction: it exists exactly when the new registration does.
    """
    outcome = place(offering_id, data, today=today, confirm=confirm)
    db.session.commit()
    return outcome


def place(
    offering_id: int, data: RegistrationInput, *, today: date, confirm: bool = False
) -> Outcome:
    """`register` without the commit, for a caller with more to do in the same transaction."""
    offering = db.session.get(Offering, offering_id)
    if offering is None:
        raise RegistrationClosed("no such offering")
    if not (
        accepting(offering, today)
        or (
            (data.walk_in or data.by_staff)
            and offering.status in (OfferingStatus.OPEN, OfferingStatus.CLOSED)
        )
    ):
        raise RegistrationClosed(offering.status.value)
    contact = find_or_create_contact(data.contact)
    existing = None
    if contact.id is not None:  # only a family known before can have registered already
        existing = db.session.scalar(
            select(Registration).where(
                Registration.offering_id == offering_id, Registration.contact_id == contact.id
            )
        )
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        return Outcome(existing, created=False, code=None)  # what they told us now is kept
    # All that does not depend on the seat is done first, the new contact written too: from
    # taking the seat to the commit the offering's row is locked, and every family registering
    # at the same moment waits for it.
    code = secrets.token_urlsafe(16)  # 128 bits
    registration = existing or Registration(offering=offering, contact=contact)
    registration.code_hash = hash_code(code)
    registration.language = data.language
    registration.children_count = data.children_count
    registration.children_ages = data.children_ages
    registration.accommodations = data.accommodations
    registration.walk_in = data.walk_in
    registration.registered_by_id = data.registered_by_id
    registration.cancelled_at = None
    db.session.flush()
    # Walk-ins come in at the door: they are counted even when the room is over its seats.
    seated = _take_seat(offering_id)
    registration.status = (
        RegistrationStatus.REGISTERED if seated or data.walk_in else RegistrationStatus.WAITLISTED
    )
    registration.holds_seat = seated
    registration.created_at = utcnow()  # arrival order: once the seat is decided
    if existing is None:
        db.session.add(registration)
    if confirm:
        _queue_confirmation(registration, offering, code)
    try:
        db.session.flush()
    except IntegrityError:
        # The same person, twice at once: the other request won, seat and all.
        db.session.rollback()
        contact_id = contact.id
        other = db.session.scalars(
            select(Registration).where(
                Registration.offering_id == offering_id, Registration.contact_id == contact_id
            )
        ).one()
        return Outcome(other, created=False, code=None)
    return Outcome(registration, created=True, code=code)


def _queue_confirmation(registration: Registration, offering: Offering, code: str) -> None:
    """Tell the family they have a seat (or a place on the waitlist), with their links."""
    kind = (
        "registration.waitlisted"
        if registration.status == RegistrationStatus.WAITLISTED
        else "registration.confirmed"
    )
    # No dedupe key: the message is saved with the registration or not at all.
    message_family(
        registration.contact,
        language=registration.language,
        kind=kind,
        context={
            "registration": registration,
            "offering": offering,
            "code": code,
            "manage_url": public_url("workshops.manage", code=code),
        },
    )


def find_by_code(code: str) -> Registration | None:
    """The registration a confirmation code (or cancel link) belongs to."""
    if not code or len(code) > 64:
        return None
    return db.session.scalar(select(Registration).where(Registration.code_hash == hash_code(code)))


def cancel(registration: Registration, *, commit: bool = True) -> Registration | None:
    """Cancel; a freed seat goes to the first on the waitlist, who is returned (to be told).

    With commit=False the caller queues its messages and commits them with the change.
    """
    if registration.status == RegistrationStatus.CANCELLED:
        return None
    freed = registration.holds_seat
    registration.status = RegistrationStatus.CANCELLED
    registration.holds_seat = False
    registration.cancelled_at = utcnow()
    promoted = None
    if freed:
        _free_seat(registration.offering_id)
        promoted = promote_next(registration.offering_id)
    if commit:
        db.session.commit()
    return promoted


def tell_promoted(registration: Registration) -> None:
    """Queue the message that a seat is theirs now; the caller commits it with the change."""
    message_family(
        registration.contact,
        language=registration.language,
        kind="registration.promoted",
        context={"registration": registration, "offering": registration.offering},
        dedupe=f"registration:{registration.id}:promoted:{registration.promoted_at}",
    )


def promote_next(offering_id: int) -> Registration | None:
    """Give the free seat to the longest-waiting person, in the same transaction."""
    first = db.session.scalar(
        select(Registration)
        .where(
            Registration.offering_id == offering_id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.created_at, Registration.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if first is None or not _take_seat(offering_id):
        return None
    first.status = RegistrationStatus.REGISTERED
    first.holds_seat = True
    first.promoted_at = utcnow()
    return first


def waitlist(offering_id: int) -> list[Registration]:
    """Who is waiting, first first."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.offering_id == offering_id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.created_at, Registration.id)
            .options(selectinload(Registration.contact))
        )
    )
