"""Messages to staff about referrals, queued in the outbox with the change that causes them.

They carry no student name, reason text or note: email is not a safe place for them. They
say where to look (the school, the urgency) and link to the referral, which asks for sign-in.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from portal.auth.models import User, UserRole, user_schools
from portal.auth.roles import Role
from portal.extensions import db
from portal.outbox.models import Channel
from portal.outbox.services import queue_message
from portal.referrals import labels
from portal.referrals.models import Referral, Urgency
from portal.urls import public_url


def workers_at(school_id: int, role: Role) -> list[User]:
    """Active accounts holding `role` that are assigned to the school."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .join(user_schools, user_schools.c.user_id == User.id)
            .where(UserRole.role == role, user_schools.c.school_id == school_id, User.active)
            .order_by(User.id)
        )
    )


def _context(referral: Referral, **extra: Any) -> dict[str, Any]:
    return {
        "school": referral.school.name,
        "urgency": labels.URGENCY[referral.urgency],
        "urgent": referral.urgency is Urgency.URGENT,
        "child_safety": referral.child_safety,
        "url": public_url("referrals.show", token=referral.token),
        **extra,
    }


def _email(user: User, referral: Referral, kind: str, context: dict[str, Any], tag: str) -> None:
    queue_message(
        channel=Channel.EMAIL,
        recipient=user.email,
        language=user.preferred_language,
        kind=kind,
        context=context,
        dedupe_key=f"referral:{referral.id}:{tag}:{user.id}",
    )


def recipients(referral: Referral) -> list[User]:
    """Who works this referral: the assigned people, else everyone who could take it."""
    people: list[User] = []
    if referral.for_social_worker:
        people += (
            [referral.social_worker]
            if referral.social_worker
            else workers_at(referral.school_id, Role.SOCIAL_WORKER)
        )
    if referral.for_caseworker and (referral.child_safety or referral.active_consent()):
        people += (
            [referral.caseworker]
            if referral.caseworker
            else workers_at(referral.school_id, Role.CASEWORKER)
        )
    unique = {person.id: person for person in people}
    return list(unique.values())


def new_referral(referral: Referral) -> None:
    """Tell whoever will work it; child safety goes to the social worker and caseworker at once."""
    kind = "referral.child_safety" if referral.child_safety else "referral.new"
    for person in recipients(referral):
        _email(person, referral, kind, _context(referral), "new")
    flags_set(referral, mckinney_vento=referral.mckinney_vento, foster=referral.foster_youth)


def shared_with_caseworker(referral: Referral) -> None:
    """Consent given after the fact: the caseworker is told there is a referral for them."""
    people = (
        [referral.caseworker]
        if referral.caseworker
        else workers_at(referral.school_id, Role.CASEWORKER)
    )
    consent = referral.active_consent()
    for person in people:
        tag = f"shared{consent.id if consent else ''}"
        _email(person, referral, "referral.new", _context(referral), tag)


def flags_set(referral: Referral, *, mckinney_vento: bool, foster: bool) -> None:
    """The district's homeless liaison and foster-care liaison hear of the flags, once each."""
    config = current_app.config
    for flag, wanted, address_key in (
        ("mckinney_vento", mckinney_vento, "REFERRALS_HOMELESS_LIAISON_EMAIL"),
        ("foster_youth", foster, "REFERRALS_FOSTER_CARE_LIAISON_EMAIL"),
    ):
        address = config.get(address_key) or ""
        if not wanted or not address:
            continue
        worker = referral.social_worker
        queue_message(
            channel=Channel.EMAIL,
            recipient=address,
            language=config["BABEL_DEFAULT_LOCALE"],
            kind="referral.flagged",
            context={
                "school": referral.school.name,
                "flag": flag,
                "worker": worker.name if worker else "",
                "worker_email": worker.email if worker else "",
            },
            dedupe_key=f"referral:{referral.id}:flag:{flag}",
        )


def status_changed(referral: Referral) -> None:
    """The person who referred follows the status, and only the status."""
    referrer = referral.referred_by
    if referrer is None or not referrer.active:
        return
    context = {
        "school": referral.school.name,
        "status": labels.STATUS[referral.status],
        "url": public_url("referrals.status", token=referral.token),
    }
    _email(referrer, referral, "referral.status", context, f"status:{referral.status.value}")


def consent_revoked(referral: Referral, consent_id: int) -> None:
    """The social worker now holds a referral the caseworker may no longer read."""
    people = (
        [referral.social_worker]
        if referral.social_worker
        else workers_at(referral.school_id, Role.SOCIAL_WORKER)
    )
    for person in people:
        _email(person, referral, "referral.consent_revoked", _context(referral), f"rev{consent_id}")
