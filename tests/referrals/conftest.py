"""Helpers to make referrals the way staff do, and to find the demo people and schools."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.extensions import db
from portal.families.services import ContactInput
from portal.referrals import services
from portal.referrals.models import Reason, Referral, Urgency
from portal.schools.models import School
from tests.conftest import demo_email

# Demo schools: 506 and 101 are human-services pilots shared by the demo social worker and
# caseworker (506 is also the liaison's); 103 is the social worker's, not a pilot; 201 is a
# pilot no demo worker covers; 102 is nobody's.
OWN_PILOT = "506"
OWN_PLAIN = "103"
OTHER_PILOT = "201"

NOTE = "CONFIDENTIAL-NOTE-7f3a: mother disclosed a protective order"


def school(code: str) -> School:
    return db.session.scalars(select(School).where(School.code == code)).one()


def user(role: Role) -> User:
    return db.session.scalars(select(User).where(User.email == demo_email(role))).one()


@pytest.fixture
def refer(app):  # noqa: ANN001, ANN201
    """A factory: a referral made through the service, as the form does."""

    def make(
        code: str = OWN_PLAIN,
        *,
        reasons: tuple[Reason, ...] = (Reason.ATTENDANCE,),
        by: Role | User = Role.SPECIALIST,
        to_caseworker: bool = False,
        consent: bool = False,
        key: str | None = None,
        **fields: object,
    ) -> Referral:
        with app.test_request_context():
            actor = by if isinstance(by, User) else user(by)
            data = services.ReferralInput(
                submission_key=key or secrets.token_urlsafe(24),
                school_id=school(code).id,
                student_first_name=str(fields.pop("student_first_name", "Valentina")),
                student_last_initial=str(fields.pop("student_last_initial", "Q")),
                student_grade=str(fields.pop("student_grade", "4")),
                contact=ContactInput(
                    name=str(fields.pop("family_name", "Rosa Quintero")),
                    phone=str(fields.pop("phone", "+17205550190")),
                    language=str(fields.pop("language", "es")),
                ),
                reasons=frozenset(reasons),
                urgency=fields.pop("urgency", Urgency.ROUTINE),  # type: ignore[arg-type]
                details=str(fields.pop("details", "Missing school most Mondays.")),
                tried=str(fields.pop("tried", "Teacher called home twice.")),
                to_caseworker=to_caseworker,
                consent=services.ConsentInput(
                    given_by="Rosa Quintero",
                    method=services.ConsentMethod.SIGNED_FORM,
                    given_on=fields.pop("consent_on", None) or _today(),
                    relationship="Mother",
                )
                if consent
                else None,
            )
            assert not fields, f"unknown fields {fields}"
            referral_id = services.submit(data, actor=actor, ip="198.51.100.9").id
        # Loaded again outside the request: its session ended with it.
        return fresh(referral_id)

    return make


def fresh(referral_id: int) -> Referral:
    """A referral loaded in the test's current session (each request ends the one before)."""
    return db.session.get(Referral, referral_id)


def _today():  # noqa: ANN202
    from portal.timeutil import district_today

    return district_today()
