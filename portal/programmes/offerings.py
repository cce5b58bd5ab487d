"""What programme staff do to an offering as a whole: cancel it, telling every registrant."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.services import record
from portal.extensions import db
from portal.families.messages import message_family
from portal.programmes.models import (
    Offering,
    OfferingStatus,
    Registration,
    RegistrationStatus,
)


class OfferingError(ValueError):
    """A change the offering cannot take in its current state."""


def cancel_offering(offering: Offering, *, actor_id: int, ip: str | None) -> int:
    """Cancel an offering; every registered or waiting family is told, in their language.

    The messages are written in the same transaction as the cancellation: either the offering
    is cancelled and everyone will hear of it, or nothing changed.
    """
    if offering.status in (OfferingStatus.CANCELLED, OfferingStatus.COMPLETED):
        raise OfferingError(offering.status.value)
    people = list(
        db.session.scalars(
            select(Registration).where(
                Registration.offering_id == offering.id,
                Registration.status.in_(
                    (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
                ),
            )
        )
    )
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
