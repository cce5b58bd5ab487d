"""Seats, waitlist order, promotion, duplicates and walk-ins, on both engines."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import delete, func, select

from portal.extensions import db
from portal.families.services import ContactInput
from portal.programmes import registration as reg
from portal.programmes.models import (
    Offering,
    OfferingLanguage,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
)

TODAY = date(2026, 11, 23)


def make_offering(capacity: int, status: OfferingStatus = OfferingStatus.OPEN, **fields) -> int:
    programme = db.session.scalar(select(Programme).where(Programme.code == "test-workshop"))
    if programme is None:
        programme = Programme(
            code="test-workshop",
            name_en="Healthy Meals Challenge",
            name_es="Reto de Comidas Saludables",
        )
        db.session.add(programme)
    offering = Offering(
        programme=programme,
        language=OfferingLanguage.BILINGUAL,
        capacity=capacity,
        status=status,
        **fields,
    )
    db.session.add(offering)
    db.session.commit()
    return offering.id


def person(n: int, **fields) -> reg.RegistrationInput:
    contact = ContactInput(
        name=f"Parent {n}", phone=f"+1720555{n:04d}", email=fields.pop("email", None), language="es"
    )
    return reg.RegistrationInput(contact=contact, language="es", **fields)


def seats_taken(offering_id: int) -> int:
    return db.session.scalar(select(Offering.seats_taken).where(Offering.id == offering_id))


@pytest.mark.usefixtures("app_ctx")
class TestSeats:
    def test_seats_then_waitlist_in_arrival_order(self):
        offering = make_offering(2)
        outcomes = [reg.register(offering, person(n), today=TODAY) for n in range(5)]
        assert [o.waitlisted for o in outcomes] == [False, False, True, True, True]
        assert all(o.created and o.code for o in outcomes)
        assert seats_taken(offering) == 2
        assert [r.contact.name for r in reg.waitlist(offering)] == [
            "Parent 2",
            "Parent 3",
            "Parent 4",
        ]

    def test_cancelling_promotes_the_first_waiting(self):
        offering = make_offering(1)
        first = reg.register(offering, person(1), today=TODAY)
        second = reg.register(offering, person(2), today=TODAY)
        third = reg.register(offering, person(3), today=TODAY)
        promoted = reg.cancel(first.registration)
        assert promoted.id == second.registration.id
        assert promoted.status == RegistrationStatus.REGISTERED and promoted.promoted_at
        assert third.registration.status == RegistrationStatus.WAITLISTED
        assert seats_taken(offering) == 1
        assert reg.cancel(first.registration) is None  # twice is harmless

    def test_cancelling_from_the_waitlist_frees_nothing(self):
        offering = make_offering(1)
        reg.register(offering, person(1), today=TODAY)
        waiting = reg.register(offering, person(2), today=TODAY)
        assert reg.cancel(waiting.registration) is None
        assert seats_taken(offering) == 1

    def test_the_same_person_twice_gets_their_registration(self):
        offering = make_offering(5)
        first = reg.register(offering, person(7, email="p7@example.org"), today=TODAY)
        again = reg.register(offering, person(7), today=TODAY)  # same phone
        by_email = reg.register(
            offering,
            reg.RegistrationInput(contact=ContactInput(name="P7", email="p7@example.org")),
            today=TODAY,
        )
        assert not again.created and not by_email.created and again.code is None
        assert again.registration.id == first.registration.id == by_email.registration.id
        assert seats_taken(offering) == 1

    def test_a_cancelled_person_can_register_again(self):
        offering = make_offering(1)
        first = reg.register(offering, person(1), today=TODAY)
        reg.cancel(first.registration)
        again = reg.register(offering, person(1), today=TODAY)
        assert again.created and again.registration.status == RegistrationStatus.REGISTERED
        assert reg.find_by_code(first.code) is None and reg.find_by_code(again.code)

    def test_the_confirmation_is_queued_with_the_registration(self):
        from portal.outbox.models import OutboxMessage

        offering = make_offering(1)
        seated = reg.register(offering, person(1), today=TODAY, confirm=True)
        waiting = reg.register(offering, person(2), today=TODAY, confirm=True)
        again = reg.register(offering, person(1), today=TODAY, confirm=True)
        assert not again.created
        messages = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind.like("registration.%"))
            .order_by(OutboxMessage.id)
        ).all()
        assert [(m.kind, m.recipient, m.language) for m in messages] == [
            ("registration.confirmed", "+17205550001", "es"),
            ("registration.waitlisted", "+17205550002", "es"),
        ]
        assert f"/workshops/r/{seated.code}" in messages[0].body
        assert f"/workshops/r/{waiting.code}" in messages[1].body

    def test_walk_ins_are_counted_even_over_capacity(self):
        offering = make_offering(1)
        reg.register(offering, person(1), today=TODAY)
        walk_in = reg.register(offering, person(2, walk_in=True), today=TODAY)
        assert walk_in.registration.status == RegistrationStatus.REGISTERED
        assert not walk_in.registration.holds_seat and seats_taken(offering) == 1
        assert reg.cancel(walk_in.registration) is None and seats_taken(offering) == 1

    @pytest.mark.parametrize(
        "status", [OfferingStatus.DRAFT, OfferingStatus.CANCELLED, OfferingStatus.COMPLETED]
    )
    def test_closed_offerings_refuse_registrations(self, status):
        offering = make_offering(5, status=status)
        with pytest.raises(reg.RegistrationClosed):
            reg.register(offering, person(1), today=TODAY)

    def test_registration_window(self):
        offering = make_offering(
            5, registration_opens=date(2026, 12, 1), registration_closes=date(2026, 12, 15)
        )
        with pytest.raises(reg.RegistrationClosed):
            reg.register(offering, person(1), today=TODAY)
        assert reg.register(offering, person(1), today=date(2026, 12, 1)).created
        with pytest.raises(reg.RegistrationClosed):
            reg.register(offering, person(2), today=date(2026, 12, 16))

    def test_the_database_refuses_overbooking_by_itself(self):
        from sqlalchemy.exc import IntegrityError

        offering = db.session.get(Offering, make_offering(1))
        offering.seats_taken = 2
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_many_at_once_never_overbook_and_wait_in_order(live_app):
    """60 people for 10 seats at the same moment, each in its own thread and transaction."""
    with live_app.app_context():
        offering = make_offering(10)

    def attempt(n: int) -> str:
        with live_app.app_context():
            outcome = reg.register(offering, person(1000 + n), today=TODAY)
            status = outcome.registration.status.value
            db.session.remove()
            return status

    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(attempt, range(60)))
        assert statuses.count("registered") == 10 and statuses.count("waitlisted") == 50
        with live_app.app_context():
            assert seats_taken(offering) == 10
            rows = db.session.scalars(
                select(Registration).where(Registration.offering_id == offering)
            ).all()
            assert sum(r.holds_seat for r in rows) == 10
            # The waitlist is in the order people arrived: every seat went to someone who
            # arrived before everyone waiting.
            seated = max(r.created_at for r in rows if r.holds_seat)
            waiting = min(r.created_at for r in rows if not r.holds_seat)
            assert seated <= waiting
    finally:
        with live_app.app_context():
            db.session.execute(delete(Registration).where(Registration.offering_id == offering))
            db.session.execute(delete(Offering).where(Offering.id == offering))
            db.session.commit()
            assert (
                db.session.scalar(
                    select(func.count()).select_from(Offering).where(Offering.id == offering)
                )
                == 0
            )
