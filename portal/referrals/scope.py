"""Who may read which referrals: the one place that turns a user into their referrals.

- A social worker reads referrals routed to the social worker at the schools they are
  assigned to.
- A caseworker reads referrals routed to the caseworker at their (pilot) schools, but only a
  child-safety referral or one whose guardian consent to share with the county is in force:
  a revoked consent ends the caseworker's access at once.
- A supervisor (a social worker or caseworker with Supervision rows) reads what each person
  they supervise reads.
- Everyone else, including whoever made the referral, reads none of it; the referrer sees
  only its status (`sent_referrals`), the admin only its access history.

Every condition is also kept inside `school_scope`, the portal's one school scope.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, exists, false, or_, select

from portal.access import school_scope
from portal.auth.models import User, user_schools
from portal.auth.roles import Role
from portal.extensions import db
from portal.referrals.models import Consent, Referral, Supervision

WORKER_ROLES = (Role.SOCIAL_WORKER, Role.CASEWORKER)
# School staff who may refer: liaisons, specialists and their manager, and the workers.
REFERRER_ROLES = (
    Role.LIAISON,
    Role.SPECIALIST,
    Role.SENIOR_MANAGER,
    Role.SOCIAL_WORKER,
    Role.CASEWORKER,
)


def _assigned_schools(user_id: int) -> Select[tuple[int]]:
    return select(user_schools.c.school_id).where(user_schools.c.user_id == user_id)


def consent_in_force():  # noqa: ANN201 - a SQL expression
    """A referral has a guardian consent that has not been revoked."""
    return exists().where(Consent.referral_id == Referral.id, Consent.revoked_at.is_(None))


def _own_conditions(user: Any) -> list[Any]:
    """What this user reads by their own roles and schools (not through supervision)."""
    conditions = []
    schools = _assigned_schools(user.id)
    if user.has_role(Role.SOCIAL_WORKER):
        conditions.append(and_(Referral.for_social_worker, Referral.school_id.in_(schools)))
    if user.has_role(Role.CASEWORKER):
        conditions.append(
            and_(
                Referral.for_caseworker,
                Referral.school_id.in_(schools),
                or_(Referral.child_safety, consent_in_force()),
            )
        )
    return conditions


def supervisees(user: Any) -> list[User]:
    """The social workers and caseworkers this user supervises."""
    return list(
        db.session.scalars(
            select(User)
            .join(Supervision, Supervision.worker_id == User.id)
            .where(Supervision.supervisor_id == user.id, User.active)
            .order_by(User.name)
        )
    )


def visible_referrals(user: Any) -> Select[tuple[Referral]]:
    """The referrals a user may open in full, confidential notes included."""
    query = select(Referral)
    if not user.has_role(*WORKER_ROLES):
        return query.where(false())
    conditions = _own_conditions(user)
    supervised = supervisees(user)
    for worker in supervised:
        conditions.extend(_own_conditions(worker))
    if not conditions:
        return query.where(false())
    query = query.where(or_(*conditions))
    scope = school_scope(user)
    if scope is not None and not supervised:
        # A supervisor reads at their supervisees' schools too, which may lie outside their own.
        query = query.where(Referral.school_id.in_(scope))
    return query


def sent_referrals(user: Any) -> Select[tuple[Referral]]:
    """The referrals this user made: they may follow the status, nothing more."""
    return select(Referral).where(Referral.referred_by_id == user.id)


def may_read_access_history(user: Any, referral: Referral) -> bool:
    """The admin, and the social worker or caseworker assigned to it (while they may read it)."""
    if user.has_role(Role.ADMIN):
        return True
    if user.id not in (referral.social_worker_id, referral.caseworker_id):
        return False
    return (
        db.session.scalar(visible_referrals(user).where(Referral.id == referral.id).limit(1))
        is not None
    )
