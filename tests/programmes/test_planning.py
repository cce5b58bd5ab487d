"""Programme staff plan offerings: the 40-parent rule, certification, status, moving sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.families.services import ContactInput
from portal.outbox.models import OutboxMessage
from portal.programmes import facilitators as facilitation
from portal.programmes import offerings as planning
from portal.programmes import registration as reg
from portal.programmes import trainers
from portal.programmes.models import (
    FacilitatorCertification,
    Offering,
    OfferingLanguage,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
    WaitlistStatus,
)
from portal.schools.models import School
from tests.programmes.test_registration import TODAY

FIRST = datetime(2027, 2, 2, 1, 0, tzinfo=UTC)  # Monday 6 pm in Denver


def programme(code: str) -> Programme:
    return db.session.scalars(select(Programme).where(Programme.code == code)).one()


def school(code: str = "506") -> int:
    return db.session.scalar(select(School.id).where(School.code == code))


def details(code: str, capacity: int, people: list, **changes: object) -> planning.OfferingDetails:
    values = {
        "programme": programme(code),
        "school_id": school(),
        "title_en": "",
        "title_es": "",
        "language": OfferingLanguage.BILINGUAL,
        "capacity": capacity,
        "location": "Library",
        "childcare_offered": True,
        "interpretation_offered": False,
        "registration_opens": None,
        "registration_closes": None,
        "facilitators": people,
    }
    values.update(changes)
    return planning.OfferingDetails(**values)


def weekly(count: int, start: datetime = FIRST) -> list[planning.SessionTimes]:
    return [
        planning.SessionTimes(
            starts_at=start + timedelta(weeks=n), ends_at=start + timedelta(weeks=n, hours=2)
        )
        for n in range(count)
    ]


def certify(user) -> None:  # noqa: ANN001
    """Certify someone directly, as completing trainer-of-trainers would."""
    from portal.families.services import find_or_create_contact

    contact = find_or_create_contact(ContactInput(name=user.name, email=user.email))
    db.session.flush()
    db.session.add(FacilitatorCertification(contact_id=contact.id, user_id=user.id))
    db.session.commit()


@pytest.fixture
def people(app, make_user):  # noqa: ANN001, ANN201
    """Three new liaisons at Goldrick, nobody certified and nobody leading anything."""
    with app.app_context():
        goldrick = school()
    return [make_user(schools=(goldrick,)) for _ in range(3)]


def create(app, code: str, capacity: int, people: list, sessions: int = 6) -> Offering:  # noqa: ANN001
    return planning.create_offering(
        details(code, capacity, people), weekly(sessions), actor_id=people[0].id, ip=None
    )


def test_a_facilitator_leads_at_most_forty_parents(app_ctx, people):
    healthy_meals = programme("healthy-meals")
    facilitation.check_facilitation(healthy_meals, 40, people[:1])
    with pytest.raises(facilitation.FacilitationError, match="at most 40"):
        facilitation.check_facilitation(healthy_meals, 41, people[:1])
    facilitation.check_facilitation(healthy_meals, 80, people[:2])
    with pytest.raises(facilitation.FacilitationError, match="at least one facilitator"):
        facilitation.check_facilitation(healthy_meals, 10, [])
    # A one-off school event is not a facilitated series: no limit, no facilitator needed.
    facilitation.check_facilitation(programme("family-event"), 150, [])


def test_the_forty_parents_count_across_cohorts(app_ctx, people):
    lead, partner = people[0], people[1]
    create(None, "healthy-meals", 30, [lead], sessions=3)
    # 30 already: another 20-seat cohort alone would be 50.
    with pytest.raises(planning.OfferingError, match="already leads 30 parents"):
        create(None, "healthy-meals", 20, [lead], sessions=3)
    # Shared with a partner, it is 10 each: 40 for the lead.
    create(None, "healthy-meals", 20, [lead, partner], sessions=3)
    loads = facilitation.committed_seats([lead.id, partner.id])
    assert loads == {lead.id: 40, partner.id: 10}


def test_a_cancelled_or_completed_cohort_frees_its_facilitator(app_ctx, people):
    first = create(None, "healthy-meals", 40, people[:1], sessions=3)
    planning.cancel_offering(first, actor_id=people[0].id, ip=None)
    create(None, "healthy-meals", 40, people[:1], sessions=3)


def test_parenting_partners_needs_certified_facilitators(app_ctx, people):
    with pytest.raises(planning.OfferingError, match="certified"):
        create(None, "parenting-partners", 20, people[:1])
    certify(people[0])
    offering = create(None, "parenting-partners", 20, people[:1])
    assert offering.status == OfferingStatus.DRAFT
    assert len(offering.sessions) == 6


def test_certification_found_by_email_for_a_leader_without_an_account_yet(app_ctx, make_user):
    from portal.families.services import find_or_create_contact

    contact = find_or_create_contact(ContactInput(name="Rosa Lugo", email="rosa@school.example"))
    db.session.flush()
    db.session.add(FacilitatorCertification(contact_id=contact.id))
    db.session.commit()
    # Later the administrator gives her an account with the same address.
    user = make_user(email="Rosa@School.example", name="Rosa Lugo")
    assert user.id in facilitation.certified_user_ids()


def test_status_moves_and_completion_needs_the_sessions_held(app_ctx, people):
    offering = create(None, "family-event", 100, people[:1], sessions=1)
    with pytest.raises(planning.OfferingError):
        planning.change_status(offering, OfferingStatus.COMPLETED, actor_id=1, ip=None, now=FIRST)
    planning.change_status(offering, OfferingStatus.OPEN, actor_id=1, ip=None, now=FIRST)
    planning.change_status(offering, OfferingStatus.CLOSED, actor_id=1, ip=None, now=FIRST)
    with pytest.raises(planning.OfferingError, match="once all its sessions"):
        planning.change_status(
            offering, OfferingStatus.COMPLETED, actor_id=1, ip=None, now=FIRST - timedelta(days=1)
        )
    planning.change_status(
        offering, OfferingStatus.COMPLETED, actor_id=1, ip=None, now=FIRST + timedelta(hours=3)
    )
    with pytest.raises(planning.OfferingError):
        planning.change_status(offering, OfferingStatus.OPEN, actor_id=1, ip=None, now=FIRST)


def test_a_draft_without_sessions_cannot_open(app_ctx, people):
    offering = create(None, "family-event", 100, people[:1], sessions=0)
    with pytest.raises(planning.OfferingError, match="at least one session"):
        planning.change_status(offering, OfferingStatus.OPEN, actor_id=1, ip=None, now=FIRST)


def _register(
    offering_id: int, *names: str, language: str = "es", first: int = 0
) -> list[Registration]:
    out = []
    for n, name in enumerate(names, start=first):
        outcome = reg.register(
            offering_id,
            reg.RegistrationInput(
                contact=ContactInput(name=name, phone=f"+1720555{n:04d}", language=language),
                language=language,
            ),
            today=TODAY,
        )
        out.append(outcome.registration)
    return out


def test_more_seats_go_to_the_waitlist_in_order_and_they_are_told(app_ctx, offering, people):
    item = db.session.get(Offering, offering(capacity=1))
    first, second, third = _register(item.id, "Ana", "Beto", "Carla")
    assert [first.status, second.status, third.status] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.WAITLISTED,
    ]
    promoted = planning.update_offering(
        item, details("healthy-meals", 2, people[:1]), actor_id=people[0].id, ip=None
    )
    assert [p.contact.name for p in promoted] == ["Beto"]
    assert item.seats_taken == 2
    told = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "registration.promoted")
    ).all()
    assert [(m.recipient, m.language) for m in told] == [("+17205550001", "es")]


def test_capacity_cannot_drop_below_the_seats_taken(app_ctx, offering, people):
    item = db.session.get(Offering, offering(capacity=3))
    _register(item.id, "Ana", "Beto")
    with pytest.raises(planning.OfferingError, match="already hold a seat"):
        planning.update_offering(
            item, details("healthy-meals", 1, people[:1]), actor_id=people[0].id, ip=None
        )
    assert db.session.get(Offering, item.id).capacity == 3


def test_moving_a_session_tells_the_registered_and_the_waiting_in_their_language(
    app_ctx, offering, people
):
    item = db.session.get(Offering, offering(capacity=1))
    seated, waiting = _register(item.id, "Ana", "Beto")
    cancelled = _register(item.id, "Carla", language="en", first=5)[0]
    reg.cancel(cancelled)
    session = item.sessions[0]
    session.reminders_sent_at = FIRST
    db.session.commit()
    later = session.starts_at + timedelta(days=1)
    told = planning.move_session(
        session,
        planning.SessionTimes(later, later + timedelta(hours=2), location="Gym"),
        actor_id=people[0].id,
        ip=None,
    )
    assert told == 2
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "session.moved")
    ).all()
    assert sorted(m.recipient for m in messages) == ["+17205550000", "+17205550001"]
    assert {m.language for m in messages} == {"es"}
    assert "Gym" in messages[0].body
    assert session.place == "Gym"
    assert session.reminders_sent_at is None  # a new reminder names the new time
    # Saving the same time and place again tells nobody a second time.
    again = planning.move_session(
        session,
        planning.SessionTimes(later, later + timedelta(hours=2), location="Gym"),
        actor_id=people[0].id,
        ip=None,
    )
    assert again == 0


def test_a_session_must_end_after_it_starts(app_ctx, offering, people):
    item = db.session.get(Offering, offering())
    with pytest.raises(planning.OfferingError):
        planning.add_session(
            item, planning.SessionTimes(FIRST, FIRST), actor_id=people[0].id, ip=None
        )


def test_school_leaders_wait_in_order_and_are_enrolled_from_the_top(app_ctx, people):
    goldrick = school()
    for name in ("Uno", "Dos", "Tres", "Cuatro"):
        trainers.add_to_waitlist(
            name=name,
            email=f"{name.lower()}@school.example",
            school_id=goldrick,
            note="",
            actor_id=people[0].id,
            ip=None,
        )
    again, added = trainers.add_to_waitlist(
        name="Dos",
        email="DOS@school.example",
        school_id=goldrick,
        note="",
        actor_id=people[0].id,
        ip=None,
    )
    assert not added
    assert [e.name for e in trainers.waiting()] == ["Uno", "Dos", "Tres", "Cuatro"]
    training = planning.create_offering(
        details("trainer-of-trainers", 2, [], school_id=None),
        weekly(1),
        actor_id=people[0].id,
        ip=None,
    )
    planning.change_status(training, OfferingStatus.OPEN, actor_id=1, ip=None, now=FIRST)
    enrolled = trainers.enrol_next(training, 3, actor_id=people[0].id, ip=None, today=TODAY)
    # Two seats: the first two are registered, the third keeps the top of the list.
    assert [e.entry.name for e in enrolled] == ["Uno", "Dos"]
    assert all(e.registration.status == RegistrationStatus.REGISTERED for e in enrolled)
    assert enrolled[0].entry.status == WaitlistStatus.ENROLLED
    assert [e.name for e in trainers.waiting()] == ["Tres", "Cuatro"]


def test_completing_trainer_of_trainers_certifies_with_the_account_found_by_email(app_ctx, people):
    training = planning.create_offering(
        details("trainer-of-trainers", 10, [], school_id=None),
        weekly(1),
        actor_id=people[0].id,
        ip=None,
    )
    planning.change_status(training, OfferingStatus.OPEN, actor_id=1, ip=None, now=FIRST)
    outcome = reg.register(
        training.id,
        reg.RegistrationInput(
            contact=ContactInput(name=people[1].name, email=people[1].email), by_staff=True
        ),
        today=TODAY,
    )
    assert trainers.certify(training, [outcome.registration], actor_id=1, ip=None) == 1
    assert trainers.certify(training, [outcome.registration], actor_id=1, ip=None) == 0
    assert people[1].id in facilitation.certified_user_ids()
    loads = {load.user.id: load for load in facilitation.loads()}
    assert loads[people[1].id].certified_at is not None
    assert loads[people[1].id].available == 40


def test_completing_a_training_certifies_those_who_attended_enough(app_ctx, people):
    from portal.programmes import attendance

    training = planning.create_offering(
        details("trainer-of-trainers", 10, [], school_id=None),
        weekly(1),
        actor_id=people[0].id,
        ip=None,
    )
    planning.change_status(training, OfferingStatus.OPEN, actor_id=1, ip=None, now=FIRST)
    came, missed = (
        reg.register(
            training.id,
            reg.RegistrationInput(
                contact=ContactInput(name=person.name, email=person.email), by_staff=True
            ),
            today=TODAY,
        ).registration
        for person in people[1:3]
    )
    attendance.set_checked_in(attendance.Door.of(training.sessions[0]), came.id, True, actor_id=1)
    certified = planning.change_status(
        training, OfferingStatus.COMPLETED, actor_id=1, ip=None, now=FIRST + timedelta(hours=3)
    )
    assert certified == 1
    ids = facilitation.certified_user_ids()
    assert people[1].id in ids
    assert people[2].id not in ids
    assert missed.status == RegistrationStatus.REGISTERED
