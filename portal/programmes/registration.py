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
from functools import cache

from sqlalchemy import Select, and_, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.families.messages import message_family
from portal.families.models import FamilyContact
from portal.families.services import (
    ContactInput,
    insert_contact,
    matching_contacts,
    update_contact,
)
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


class Outcome:
    """The registration, whether it is new, and its confirmation code when it was just made."""

    def __init__(
        self,
        registration: Registration | None = None,
        *,
        created: bool,
        code: str | None,  # shown once; only its hash is stored
        registration_id: int | None = None,
        status: RegistrationStatus | None = None,
    ) -> None:
        self._registration = registration
        self.registration_id = registration.id if registration is not None else registration_id
        self.status = registration.status if registration is not None else status
        self.created = created
        self.code = code

    @property
    def registration(self) -> Registration:
        # A new registration is written in one statement, not as an object: the family's own
        # POST never needs one, and the staff paths that do get it here (one SELECT).
        if self._registration is None:
            self._registration = db.session.get_one(Registration, self.registration_id)
        return self._registration

    @property
    def waitlisted(self) -> bool:
        return self.status == RegistrationStatus.WAITLISTED


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
    # On the session's connection: a plain statement needs none of the session's ORM steps.
    return db.session.connection().execute(_TAKE_SEAT, {"offering": offering_id}).rowcount == 1


def _free_seat(offering_id: int) -> None:
    db.session.connection().execute(_FREE_SEAT, {"offering": offering_id})


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
    contact, existing = _known_family(data.contact, offering_id)
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        return Outcome(existing, created=False, code=None)  # what they told us now is kept
    # All that does not depend on the seat is done first, the new contact written too: from
    # taking the seat to the commit the offering's row is locked, and every family registering
    # at the same moment waits for it. New rows are single INSERTs rather than objects for the
    # unit of work: its flushes cost each registration more than all its statements together.
    code = secrets.token_urlsafe(16)  # 128 bits
    values = {
        "code_hash": hash_code(code),
        "language": data.language,
        "children_count": data.children_count,
        "children_ages": data.children_ages,
        "accommodations": data.accommodations,
        "walk_in": data.walk_in,
        "registered_by_id": data.registered_by_id,
        "cancelled_at": None,
    }
    if contact is None:
        contact_id = insert_contact(data.contact)
    else:
        contact_id = contact.id
        db.session.flush()  # what a returning family told us now
    # Walk-ins come in at the door: they are counted even when the room is over its seats.
    seated = _take_seat(offering_id)
    values["status"] = (
        RegistrationStatus.REGISTERED if seated or data.walk_in else RegistrationStatus.WAITLISTED
    )
    values["holds_seat"] = seated
    values["created_at"] = utcnow()  # arrival order: once the seat is decided
    try:
        if existing is None:
            row = {**values, "offering_id": offering_id, "contact_id": contact_id}
            connection = db.session.connection()
            registration_id = connection.execute(_INSERT_REGISTRATION, row).scalar_one()
        else:  # cancelled before, registering again: the same row
            for name, value in values.items():
                setattr(existing, name, value)
            db.session.flush()
            registration_id = existing.id
    except IntegrityError:
        # The same person, twice at once: the other request won, seat and all.
        db.session.rollback()
        other = db.session.scalars(
            select(Registration).where(
                Registration.offering_id == offering_id, Registration.contact_id == contact_id
            )
        ).one()
        return Outcome(other, created=False, code=None)
    if confirm:
        _queue_confirmation(
            contact or data.contact,
            data.language,
            values["status"],
            offering,
            code,
        )
    return Outcome(
        existing,
        created=True,
        code=code,
        registration_id=registration_id,
        status=values["status"],
    )


def _known_family(
    data: ContactInput, offering_id: int
) -> tuple[FamilyContact | None, Registration | None]:
    """The family's record, found and updated as `find_contact` does, and their registration
    for this offering if they have one: one statement, where a returning family took two."""
    if not (data.phone or data.email):
        return None, None
    row = db.session.execute(
        _with_registration(bool(data.phone), bool(data.email)),
        {"phone": data.phone, "email": data.email, "offering": offering_id},
    ).first()
    if row is None:
        return None, None
    contact, existing = row
    update_contact(contact, data)
    return contact, existing


@cache
def _with_registration(phone: bool, email: bool) -> Select[tuple[FamilyContact, Registration]]:
    return (
        matching_contacts(phone, email)
        .add_columns(Registration)
        .outerjoin(
            Registration,
            and_(
                Registration.contact_id == FamilyContact.id,
                Registration.offering_id == bindparam("offering"),
            ),
        )
    )


_INSERT_REGISTRATION = insert(Registration.__table__).returning(Registration.__table__.c.id)


def _queue_confirmation(
    contact: FamilyContact | ContactInput,
    language: str,
    status: RegistrationStatus,
    offering: Offering,
    code: str,
) -> None:
    """Tell the family they have a seat (or a place on the waitlist), with their links."""
    waitlisted = status == RegistrationStatus.WAITLISTED
    # No dedupe key: the message is saved with the registration or not at all. The templates
    # read the registration's language and the family's name; the new row is not an object
    # in the session, so they get an unsaved one with just those (never added to it).
    message_family(
        contact,
        language=language,
        kind="registration.waitlisted" if waitlisted else "registration.confirmed",
        context={
            "registration": Registration(
                language=language, status=status, contact=FamilyContact(name=contact.name)
            ),
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
