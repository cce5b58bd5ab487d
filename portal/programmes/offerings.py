"""What programme staff do to an offering: create, change, move sessions, open, close, cancel.

Every change that affects families tells each of them, in their language, in the same
transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select

from portal.audit.services import record
from portal.auth.roles import Role
from portal.extensions import db
from portal.families.messages import message_family
from portal.programmes.facilitators import FacilitationError, check_facilitation
from portal.programmes.models import (
    Attendance,
    Audience,
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
)
from portal.programmes.registration import promote_next, tell_promoted

if TYPE_CHECKING:
    from portal.auth.models import User


class OfferingError(ValueError):
    """A change the offering cannot take in its current state."""


def cancel_offering(offering: Offering, *, actor_id: int, ip: str | None) -> int:
    """Cancel an offering; every registered or waiting family is told, in their language.

    The messages are written in the same transaction as the cancellation: either the offering
    is cancelled and everyone will hear of it, or nothing changed.
    """
    if offering.status in FINAL:
        raise OfferingError(offering.status.value)
    people = _people_to_tell(offering.id)
    offering.status = OfferingStatus.CANCELLED
    for registration in people:
        message_family(
            registration.contact,
            language=registration.language,
            kind="offering.cancelled",
            context={"registration": registration, "offering": offering},
            dedupe=f"offering:{offering.id}:cancelled:{registration.id}",
        )
    record(
        "offering.cancelled",
        actor_id=actor_id,
        target=offering,
        ip=ip,
        detail={"told": len(people)},
    )
    db.session.commit()
    return len(people)


@dataclass(frozen=True)
class OfferingDetails:
    """What programme staff (or a liaison, for their school) set for an offering."""

    programme: Programme
    school_id: int | None
    title_en: str
    title_es: str
    language: OfferingLanguage
    capacity: int
    location: str
    childcare_offered: bool
    interpretation_offered: bool
    registration_opens: date | None
    registration_closes: date | None
    facilitators: list[User] = field(default_factory=list)


@dataclass(frozen=True)
class SessionTimes:
    starts_at: datetime
    ends_at: datetime
    topic_en: str = ""
    topic_es: str = ""
    location: str = ""


def _check(details: OfferingDetails, *, offering: Offering | None = None) -> None:
    from flask_babel import gettext as _

    if (
        details.registration_opens
        and details.registration_closes
        and details.registration_closes < details.registration_opens
    ):
        raise OfferingError(_("Registration cannot close before it opens."))
    if offering is not None and details.capacity < offering.seats_taken:
        raise OfferingError(
            _(
                "%(num)d people already hold a seat: the capacity cannot be lower.",
                num=offering.seats_taken,
            )
        )
    try:
        check_facilitation(
            details.programme,
            details.capacity,
            details.facilitators,
            offering_id=offering.id if offering is not None else None,
        )
    except FacilitationError as error:
        raise OfferingError(error.message) from error


def _apply(offering: Offering, details: OfferingDetails) -> None:
    offering.programme = details.programme
    offering.school_id = details.school_id
    offering.title_en = details.title_en
    offering.title_es = details.title_es
    offering.language = details.language
    offering.capacity = details.capacity
    offering.location = details.location
    offering.childcare_offered = details.childcare_offered
    offering.interpretation_offered = details.interpretation_offered
    offering.registration_opens = details.registration_opens
    offering.registration_closes = details.registration_closes
    offering.facilitators = list(details.facilitators)


def create_offering(
    details: OfferingDetails, sessions: list[SessionTimes], *, actor_id: int, ip: str | None
) -> Offering:
    """A new offering, as a draft: families see it once it is opened."""
    _check(details)
    offering = Offering(status=OfferingStatus.DRAFT, seats_taken=0, created_by_id=actor_id)
    _apply(offering, details)
    for times in sessions:
        offering.sessions.append(_session(times))
    db.session.add(offering)
    db.session.flush()
    record("offering.created", actor_id=actor_id, target=offering, ip=ip)
    db.session.commit()
    return offering


def update_offering(
    offering: Offering, details: OfferingDetails, *, actor_id: int, ip: str | None
) -> list[Registration]:
    """Change an offering; more seats go to the waitlist in order, and those promoted are told."""
    if offering.status in FINAL:
        raise OfferingError(offering.status.value)
    # Seats are taken by UPDATEs that bypass this object: read them now, and hold the row so
    # that no registration slips in between the check and the change.
    db.session.refresh(offering, with_for_update=True)
    _check(details, offering=offering)
    _apply(offering, details)
    db.session.flush()
    promoted = []
    while (person := promote_next(offering.id)) is not None:
        promoted.append(person)
    for person in promoted:
        tell_promoted(person)
    record(
        "offering.updated",
        actor_id=actor_id,
        target=offering,
        ip=ip,
        detail={"promoted": len(promoted)},
    )
    db.session.commit()
    db.session.refresh(offering)
    return promoted


def _session(times: SessionTimes) -> OfferingSession:
    return OfferingSession(
        starts_at=times.starts_at,
        ends_at=times.ends_at,
        topic_en=times.topic_en,
        topic_es=times.topic_es,
        location=times.location,
    )


def _check_times(times: SessionTimes) -> None:
    from flask_babel import gettext as _

    if times.ends_at <= times.starts_at:
        raise OfferingError(_("A session must end after it starts."))


def add_session(
    offering: Offering, times: SessionTimes, *, actor_id: int, ip: str | None
) -> OfferingSession:
    if offering.status in FINAL:
        raise OfferingError(offering.status.value)
    _check_times(times)
    session = _session(times)
    offering.sessions.append(session)
    db.session.flush()
    record(
        "offering.session_added",
        actor_id=actor_id,
        target=offering,
        ip=ip,
        detail={"session": session.id},
    )
    db.session.commit()
    return session


def move_session(
    session: OfferingSession, times: SessionTimes, *, actor_id: int, ip: str | None
) -> int:
    """Move a session (time and/or place); everyone registered or waiting is told.

    Returns how many people are told. Nothing changes, and nobody is told, when the time and
    place are the same as before.
    """
    offering = session.offering
    if offering.status in FINAL:
        raise OfferingError(offering.status.value)
    _check_times(times)
    before = (session.starts_at, session.ends_at, session.place)
    session.starts_at = times.starts_at
    session.ends_at = times.ends_at
    session.location = times.location if times.location != offering.location else ""
    if times.topic_en or times.topic_es:
        session.topic_en, session.topic_es = times.topic_en, times.topic_es
    if (session.starts_at, session.ends_at, session.place) == before:
        db.session.commit()
        return 0
    # A reminder already sent named the old time: the next run sends one for the new time.
    session.reminders_sent_at = None
    people = _people_to_tell(offering.id)
    for registration in people:
        message_family(
            registration.contact,
            language=registration.language,
            kind="session.moved",
            context={
                "registration": registration,
                "offering": offering,
                "session": session,
                "was_starts_at": before[0],
                "was_place": before[2],
            },
            dedupe=(
                f"session:{session.id}:moved:{session.starts_at.isoformat()}:"
                f"{session.place[:20]}:{registration.id}"
            ),
        )
    record(
        "offering.session_moved",
        actor_id=actor_id,
        target=offering,
        ip=ip,
        detail={
            "session": session.id,
            "from": before[0].isoformat(),
            "to": session.starts_at.isoformat(),
            "told": len(people),
        },
    )
    db.session.commit()
    return len(people)


def _people_to_tell(offering_id: int) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration).where(
                Registration.offering_id == offering_id,
                Registration.status.in_(
                    (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
                ),
            )
        )
    )


# Which status an offering may move to from each status; cancelling has its own function.
TRANSITIONS = {
    OfferingStatus.DRAFT: {OfferingStatus.OPEN},
    OfferingStatus.OPEN: {OfferingStatus.CLOSED, OfferingStatus.COMPLETED},
    OfferingStatus.CLOSED: {OfferingStatus.OPEN, OfferingStatus.COMPLETED},
}
FINAL = (OfferingStatus.CANCELLED, OfferingStatus.COMPLETED)


def change_status(
    offering: Offering, to: OfferingStatus, *, actor_id: int, ip: str | None, now: datetime
) -> int:
    """Open, close (no more registrations), reopen or complete an offering.

    Returns how many facilitators were certified (completing a trainer-of-trainers offering).
    """
    from flask_babel import gettext as _

    # Hold the row: two clicks at once must not both complete (and certify) the offering.
    db.session.refresh(offering, with_for_update=True)
    if to not in TRANSITIONS.get(offering.status, set()):
        raise OfferingError(offering.status.value)
    if to == OfferingStatus.OPEN and not offering.sessions:
        raise OfferingError(_("Add at least one session before opening the offering."))
    if to == OfferingStatus.COMPLETED and any(s.starts_at > now for s in offering.sessions):
        raise OfferingError(
            _("An offering can be completed once all its sessions have taken place.")
        )
    was = offering.status
    offering.status = to
    record(
        "offering.status",
        actor_id=actor_id,
        target=offering,
        ip=ip,
        detail={"from": was.value, "to": to.value},
    )
    certified = 0
    if to == OfferingStatus.COMPLETED and offering.programme.certifies_facilitators:
        # Completing trainer-of-trainers is what certifies a facilitator (seed 004), in the
        # same transaction: completed and certified, or neither.
        from portal.programmes.completion import completers
        from portal.programmes.trainers import certify

        certified = certify(offering, completers(offering), actor_id=actor_id, ip=ip, commit=False)
    db.session.commit()
    return certified


def manageable_offerings(user: Any) -> Select[tuple[Offering]]:
    """Programme staff plan every offering, drafts too; a liaison, family offerings at their
    schools (trainings for staff, even one hosted at their school, are the FACE office's)."""
    query = select(Offering)
    if user.has_role(Role.PROGRAMME_STAFF):
        return query
    if user.has_role(Role.LIAISON):
        return (
            query.join(Programme, Programme.id == Offering.programme_id)
            .where(Programme.audience == Audience.FAMILIES)
            .where(Offering.school_id.in_([s.id for s in user.schools]))
        )
    return query.where(False)  # noqa: FBT003


def checked_in_by_session(offering: Offering) -> dict[int, int]:
    """How many were checked in at each of the offering's sessions."""
    rows = db.session.execute(
        select(Attendance.session_id, func.count(Attendance.id))
        .join(OfferingSession, OfferingSession.id == Attendance.session_id)
        .where(OfferingSession.offering_id == offering.id, Attendance.checked_in_at.is_not(None))
        .group_by(Attendance.session_id)
    )
    return {session_id: count for session_id, count in rows}
