"""Who may facilitate, and how many parents each already leads (the 40-parent rule, seed 004).

A facilitator's load is the share of seats they lead across their active cohorts: a cohort of
30 with two facilitators puts 15 on each. The rule holds on planned seats (capacity), not on
who has registered so far, so that a cohort never fills past what its facilitators can lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from math import ceil
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select

from portal.auth.models import User, UserRole
from portal.auth.roles import Role
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.programmes.models import (
    PARENTS_PER_FACILITATOR,
    FacilitatorCertification,
    Offering,
    OfferingStatus,
    Programme,
    offering_facilitators,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

# Cohorts that still take a facilitator's time.
ACTIVE = (OfferingStatus.DRAFT, OfferingStatus.OPEN, OfferingStatus.CLOSED)


class FacilitationError(ValueError):
    """The facilitators chosen cannot lead this offering; `message` says why, translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _by_email(*columns: Any) -> Select[Any]:
    """Accounts joined to the certification of the contact with the same email."""
    return (
        select(*columns)
        .join(FamilyContact, func.lower(FamilyContact.email) == func.lower(User.email))
        .join(FacilitatorCertification, FacilitatorCertification.contact_id == FamilyContact.id)
    )


def certified_user_ids(user_ids: Iterable[int] | None = None) -> set[int]:
    """Accounts certified by trainer-of-trainers: linked directly, or by the same email."""
    by_email = _by_email(User.id)
    direct = select(FacilitatorCertification.user_id).where(
        FacilitatorCertification.user_id.is_not(None)
    )
    if user_ids is not None:
        ids = list(user_ids)
        by_email = by_email.where(User.id.in_(ids))
        direct = direct.where(FacilitatorCertification.user_id.in_(ids))
    return set(db.session.scalars(by_email)) | set(db.session.scalars(direct))


def committed_seats(
    user_ids: Iterable[int], *, excluding: int | None = None
) -> dict[int, Fraction]:
    """Each person's share of seats across their active facilitated cohorts."""
    ids = list(user_ids)
    if not ids:
        return {}
    per_offering = (
        select(
            offering_facilitators.c.offering_id,
            func.count(offering_facilitators.c.user_id).label("leaders"),
        )
        .group_by(offering_facilitators.c.offering_id)
        .subquery()
    )
    query = (
        select(offering_facilitators.c.user_id, Offering.capacity, per_offering.c.leaders)
        .join(Offering, Offering.id == offering_facilitators.c.offering_id)
        .join(Programme, Programme.id == Offering.programme_id)
        .join(per_offering, per_offering.c.offering_id == Offering.id)
        .where(
            offering_facilitators.c.user_id.in_(ids),
            Offering.status.in_(ACTIVE),
            Programme.facilitated.is_(True),
        )
    )
    if excluding is not None:
        query = query.where(Offering.id != excluding)
    loads: dict[int, Fraction] = dict.fromkeys(ids, Fraction(0))
    for user_id, capacity, leaders in db.session.execute(query):
        loads[user_id] += Fraction(capacity, leaders)
    return loads


def check_facilitation(
    programme: Programme,
    capacity: int,
    facilitators: list[User],
    *,
    offering_id: int | None = None,
) -> None:
    """Raise FacilitationError unless these facilitators may lead this many parents."""
    from flask_babel import gettext as _
    from flask_babel import ngettext

    if not programme.facilitated:
        return
    if not facilitators:
        raise FacilitationError(_("Choose at least one facilitator for this programme."))
    limit = PARENTS_PER_FACILITATOR * len(facilitators)
    if capacity > limit:
        raise FacilitationError(
            ngettext(
                "With %(num)d facilitator the capacity can be at most %(limit)d parents.",
                "With %(num)d facilitators the capacity can be at most %(limit)d parents.",
                len(facilitators),
                limit=limit,
            )
        )
    if programme.requires_certification:
        certified = certified_user_ids(u.id for u in facilitators)
        missing = [u.name for u in facilitators if u.id not in certified]
        if missing:
            raise FacilitationError(
                _(
                    "Only certified facilitators can lead this programme: %(names)s "
                    "has not completed trainer-of-trainers.",
                    names=", ".join(missing),
                )
            )
    # Hold the facilitators' rows while their load is counted: two planners adding the same
    # person to two cohorts at once must not both pass the check.
    db.session.execute(
        select(User.id).where(User.id.in_([u.id for u in facilitators])).with_for_update()
    )
    share = Fraction(capacity, len(facilitators))
    loads = committed_seats((u.id for u in facilitators), excluding=offering_id)
    over = [u for u in facilitators if loads[u.id] + share > PARENTS_PER_FACILITATOR]
    if over:
        person = over[0]
        raise FacilitationError(
            _(
                "%(name)s already leads %(load)d parents in other cohorts; this cohort would "
                "put them over %(limit)d.",
                name=person.name,
                load=ceil(loads[person.id]),
                limit=PARENTS_PER_FACILITATOR,
            )
        )


def eligible_facilitators(school_id: int | None) -> list[User]:
    """Who can be chosen: certified facilitators, programme staff, the school's liaisons."""
    from portal.auth.models import user_schools

    certified = certified_user_ids()
    staff_roles = select(UserRole.user_id).where(UserRole.role == Role.PROGRAMME_STAFF)
    conditions = [User.id.in_(certified), User.id.in_(staff_roles)]
    if school_id is not None:
        liaisons = (
            select(UserRole.user_id)
            .join(user_schools, user_schools.c.user_id == UserRole.user_id)
            .where(UserRole.role == Role.LIAISON, user_schools.c.school_id == school_id)
        )
        conditions.append(User.id.in_(liaisons))
    return list(
        db.session.scalars(
            select(User).where(User.active.is_(True), or_(*conditions)).order_by(User.name)
        )
    )


@dataclass(frozen=True)
class FacilitatorLoad:
    user: User
    certified_at: datetime | None
    cohorts: int  # active facilitated cohorts they lead
    parents: int  # parents registered in those cohorts
    committed: int  # their share of those cohorts' seats, rounded up
    limit: int = PARENTS_PER_FACILITATOR

    @property
    def available(self) -> int:
        return max(self.limit - self.committed, 0)


def loads() -> list[FacilitatorLoad]:
    """Every certified facilitator and anyone leading an active cohort, with their load."""
    leading = select(offering_facilitators.c.user_id).join(
        Offering, Offering.id == offering_facilitators.c.offering_id
    )
    leading = leading.where(Offering.status.in_(ACTIVE))
    certified = certified_user_ids()
    users = list(
        db.session.scalars(
            select(User)
            .where(or_(User.id.in_(certified), User.id.in_(leading)))
            .order_by(User.name)
        )
    )
    ids = [u.id for u in users]
    shares = committed_seats(ids)
    cohort_rows = db.session.execute(
        select(
            offering_facilitators.c.user_id,
            func.count(Offering.id),
            func.coalesce(func.sum(Offering.seats_taken), 0),
        )
        .join(Offering, Offering.id == offering_facilitators.c.offering_id)
        .join(Programme, Programme.id == Offering.programme_id)
        .where(
            offering_facilitators.c.user_id.in_(ids),
            Offering.status.in_(ACTIVE),
            Programme.facilitated.is_(True),
        )
        .group_by(offering_facilitators.c.user_id)
    )
    cohorts = {user_id: (count, int(parents)) for user_id, count, parents in cohort_rows}
    certified_at = _certification_dates(ids)
    return [
        FacilitatorLoad(
            user=u,
            certified_at=certified_at.get(u.id),
            cohorts=cohorts.get(u.id, (0, 0))[0],
            parents=cohorts.get(u.id, (0, 0))[1],
            committed=ceil(shares.get(u.id, 0)),
        )
        for u in users
    ]


def _certification_dates(user_ids: list[int]) -> dict[int, datetime]:
    if not user_ids:
        return {}
    rows = db.session.execute(
        _by_email(User.id, FacilitatorCertification.certified_at)
        .where(User.id.in_(user_ids))
        .union_all(
            select(FacilitatorCertification.user_id, FacilitatorCertification.certified_at).where(
                FacilitatorCertification.user_id.in_(user_ids)
            )
        )
    )
    dates: dict[int, datetime] = {}
    for user_id, when in rows:
        if user_id not in dates or when < dates[user_id]:
            dates[user_id] = when
    return dates
