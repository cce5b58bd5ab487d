"""The demo school year of programmes: consistent wherever anyone looks, and loaded once."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from portal import create_app
from portal.analytics.attendance import events_by, plain_events_by
from portal.analytics.filters import Filters, Scope
from portal.analytics.refresh import refresh
from portal.auth.models import User
from portal.auth.roles import Role
from portal.calendar.models import NonSchoolDay
from portal.demo import DEMO_ACCOUNTS
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.programmes.attendance import session_in_scope
from portal.programmes.demo import load_demo_offerings
from portal.programmes.demo_write import plan_year
from portal.programmes.models import (
    PARENTS_PER_FACILITATOR,
    Attendance,
    FacilitatorCertification,
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
    SessionFeedback,
    TrainingWaitlistEntry,
    WaitlistStatus,
)
from portal.programmes.offerings import manageable_offerings
from portal.schools.models import School
from tests.conftest import DEMO_TODAY, fresh_database, portal_config

ZONE = ZoneInfo("America/Denver")
# The demo is loaded as on DEMO_TODAY: from its first minute on, nothing has happened yet.
NOW = datetime.combine(DEMO_TODAY, time(0), tzinfo=ZONE).astimezone(UTC)
ACTIVE = (OfferingStatus.DRAFT, OfferingStatus.OPEN, OfferingStatus.CLOSED)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A database of its own, filled by `flask seed demo` as on DEMO_TODAY."""
    app = create_app(portal_config(fresh_database(tmp_path_factory, "demoyear")))
    with app.app_context():
        upgrade()
    result = seed_demo(app)
    assert result.exit_code == 0, result.output
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def seed_demo(app: Flask):  # noqa: ANN201
    """`flask seed demo`, as if run on DEMO_TODAY."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("portal.cli.district_today", lambda: DEMO_TODAY)
        return app.test_cli_runner().invoke(args=["seed", "demo"])


def rows(statement):  # noqa: ANN001, ANN201
    return db.session.execute(statement).all()


def test_seats_taken_are_the_registrations_holding_a_seat(demo):
    holding = dict(
        rows(
            select(Registration.offering_id, func.count())
            .where(Registration.holds_seat.is_(True))
            .group_by(Registration.offering_id)
        )
    )
    offerings = db.session.scalars(select(Offering)).all()
    assert len(offerings) >= 30
    for offering in offerings:
        assert offering.seats_taken == holding.get(offering.id, 0), offering.id
        assert offering.seats_taken <= offering.capacity
    # Only registered people hold seats; a walk-in over capacity comes in without one.
    assert not rows(
        select(Registration.id).where(
            Registration.holds_seat.is_(True),
            Registration.status != RegistrationStatus.REGISTERED,
        )
    )
    for offering_id, walk_in in rows(
        select(Registration.offering_id, Registration.walk_in).where(
            Registration.status == RegistrationStatus.REGISTERED,
            Registration.holds_seat.is_(False),
        )
    ):
        offering = db.session.get(Offering, offering_id)
        assert walk_in and offering.is_full


def test_the_year_has_every_kind_of_offering(demo):
    statuses = Counter(db.session.scalars(select(Offering.status)))
    for status in (
        OfferingStatus.COMPLETED,
        OfferingStatus.OPEN,
        OfferingStatus.DRAFT,
        OfferingStatus.CANCELLED,
    ):
        assert statuses[status] >= 1, status
    waiting = set(
        db.session.scalars(
            select(Registration.offering_id).where(
                Registration.status == RegistrationStatus.WAITLISTED
            )
        )
    )
    full_with_waitlist = [
        o
        for o in db.session.scalars(select(Offering).where(Offering.status == OfferingStatus.OPEN))
        if o.is_full and o.id in waiting
    ]
    assert len(full_with_waitlist) >= 2
    codes = set(
        db.session.scalars(
            select(Programme.code).join(Offering, Offering.programme_id == Programme.id)
        )
    )
    assert codes == {
        "parenting-partners",
        "healthy-meals",
        "liaison-training",
        "plg",
        "trainer-of-trainers",
        "family-event",
    }
    # Drafts are not open to anyone yet.
    assert not rows(
        select(Registration.id)
        .join(Offering, Offering.id == Registration.offering_id)
        .where(Offering.status == OfferingStatus.DRAFT)
    )


def test_facilitators_are_enough_certified_and_not_overloaded(demo):
    certified_users = set(
        db.session.scalars(
            select(FacilitatorCertification.user_id).where(
                FacilitatorCertification.user_id.is_not(None)
            )
        )
    )
    loads: dict[int, Fraction] = defaultdict(Fraction)
    offerings = db.session.scalars(
        select(Offering).join(Programme).where(Programme.facilitated.is_(True))
    ).all()
    assert offerings
    for offering in offerings:
        leaders = offering.facilitators
        assert leaders, offering.id
        assert offering.capacity <= PARENTS_PER_FACILITATOR * len(leaders)
        if offering.programme.requires_certification:
            assert {u.id for u in leaders} <= certified_users, offering.id
        if offering.status in ACTIVE:
            for user in leaders:
                loads[user.id] += Fraction(offering.capacity, len(leaders))
    assert max(loads.values()) <= PARENTS_PER_FACILITATOR


def test_the_fall_trainer_of_trainers_certified_liaisons_and_school_leaders(demo):
    training = db.session.scalars(
        select(Offering).join(Programme).where(Programme.certifies_facilitators.is_(True))
    ).one()
    assert training.status == OfferingStatus.COMPLETED
    certified = db.session.scalars(
        select(FacilitatorCertification).where(FacilitatorCertification.offering_id == training.id)
    ).all()
    assert 8 <= len(certified) <= 10
    with_account = [c for c in certified if c.user_id is not None]
    assert with_account and len(with_account) < len(certified)  # leaders have no account
    liaison = next(a.email for a in DEMO_ACCOUNTS if a.role.value == "liaison")
    liaison_id = db.session.scalar(select(User.id).where(User.email == liaison))
    assert liaison_id in {c.user_id for c in with_account}
    last_session = max(s.ends_at for s in training.sessions)
    for certification in certified:
        assert certification.certified_at >= last_session
        # Certified means attending every session of the training.
        came = db.session.scalar(
            select(func.count())
            .select_from(Attendance)
            .join(Registration, Registration.id == Attendance.registration_id)
            .where(
                Registration.offering_id == training.id,
                Registration.contact_id == certification.contact_id,
            )
        )
        assert came == len(training.sessions)


def test_attendance_only_for_registered_participants_at_sessions_that_happened(demo):
    found = rows(
        select(Attendance, Registration, OfferingSession)
        .join(Registration, Registration.id == Attendance.registration_id)
        .join(OfferingSession, OfferingSession.id == Attendance.session_id)
    )
    assert len(found) > 300
    for attendance, registration, session in found:
        assert registration.offering_id == session.offering_id
        assert registration.status == RegistrationStatus.REGISTERED
        assert session.starts_at < NOW
        assert attendance.checked_in_at is not None
        assert abs(attendance.checked_in_at - session.starts_at) <= timedelta(hours=1)
        assert attendance.checked_in_at > registration.created_at
    cancelled = {
        o for (o,) in rows(select(Offering.id).where(Offering.status == OfferingStatus.CANCELLED))
    }
    assert not {s.offering_id for _a, _r, s in found} & cancelled


def test_show_up_is_realistic_and_most_regulars_complete(demo):
    cohorts = db.session.scalars(
        select(Offering)
        .join(Programme)
        .where(Programme.code == "parenting-partners", Offering.status == OfferingStatus.COMPLETED)
    ).all()
    assert cohorts
    completers = participants = 0
    for cohort in cohorts:
        registered = db.session.scalars(
            select(Registration.id).where(
                Registration.offering_id == cohort.id,
                Registration.status == RegistrationStatus.REGISTERED,
                Registration.walk_in.is_(False),
            )
        ).all()
        assert 15 <= len(registered) <= 35
        per_session = [
            db.session.scalar(
                select(func.count())
                .select_from(Attendance)
                .where(Attendance.session_id == s.id, Attendance.registration_id.in_(registered))
            )
            for s in cohort.sessions
        ]
        assert 0.6 <= per_session[0] / len(registered) <= 0.95
        visits = Counter(
            db.session.scalars(
                select(Attendance.registration_id).where(Attendance.registration_id.in_(registered))
            )
        )
        completers += sum(n >= 5 for n in visits.values())
        participants += len(registered)
        homework = db.session.scalars(
            select(Attendance.homework_done)
            .join(OfferingSession, OfferingSession.id == Attendance.session_id)
            .where(OfferingSession.offering_id == cohort.id)
        ).all()
        assert sum(homework) > len(homework) / 2
    assert completers / participants >= 0.45


def test_feedback_only_from_people_checked_in(demo):
    answers = db.session.scalars(select(SessionFeedback)).all()
    assert len(answers) > 100
    present = set(
        rows(
            select(Attendance.registration_id, Attendance.session_id).where(
                Attendance.checked_in_at.is_not(None)
            )
        )
    )
    pairs = [(a.registration_id, a.session_id) for a in answers]
    assert len(pairs) == len(set(pairs))
    assert set(pairs) <= present
    assert 0.3 <= len(pairs) / len(present) <= 0.5
    for answer in answers:
        assert answer.created_at > answer.session.ends_at
        assert answer.created_at < NOW
        assert answer.language == answer.registration.language
    ratings = Counter(a.rating_useful for a in answers)
    assert ratings[5] + ratings[4] > 3 * (ratings[1] + ratings[2] + ratings[3])
    commented = Counter(a.language for a in answers if a.comment)
    assert commented["es"] and commented["en"]


def test_sessions_meet_at_workshop_hours_on_school_days(demo):
    closed = set(db.session.scalars(select(NonSchoolDay.day)))
    sessions = db.session.scalars(select(OfferingSession)).all()
    for session in sessions:
        local = session.starts_at.astimezone(ZONE)
        assert local.time() in (time(17, 30), time(8, 30)), local
        assert local.weekday() < 5 and local.date() not in closed
        assert session.ends_at > session.starts_at
        if session.offering.status == OfferingStatus.CANCELLED:
            continue
        if session.ends_at < NOW:  # the reminder and survey jobs have run for it
            assert session.reminders_sent_at < session.starts_at
            assert session.feedback_requested_at > session.ends_at
        else:
            assert session.feedback_requested_at is None
    series = db.session.scalars(
        select(Offering).join(Programme).where(Programme.code == "parenting-partners")
    ).all()
    assert all(len(o.sessions) == 6 for o in series)
    assert all(o.sessions[0].topic_en and o.sessions[0].topic_es for o in series)


def test_both_languages_and_families_who_can_be_reached(demo):
    languages = Counter(
        db.session.scalars(select(Registration.language).where(Registration.user_id.is_(None)))
    )
    share = languages["es"] / (languages["es"] + languages["en"])
    assert 0.45 <= share <= 0.65
    assert set(db.session.scalars(select(Offering.language))) == set(OfferingLanguage)
    titled = db.session.scalars(select(Offering).where(Offering.title_en != "")).all()
    assert titled and all(o.title_es for o in titled)
    families = db.session.scalars(
        select(FamilyContact).where(
            FamilyContact.id.in_(
                select(Registration.contact_id).where(Registration.user_id.is_(None))
            )
        )
    ).all()
    phones = [f.phone for f in families if f.phone]
    assert len(phones) == len(set(phones))
    for family in families:
        assert family.phone or family.email
        if family.phone:
            assert family.phone[:5] in ("+1720", "+1303") and family.phone[5:10] == "55501"
        if family.email:
            assert family.email.endswith("@example.org")
    assert {f.other_language for f in families} >= {"", "Vietnamese", "Somali", "Arabic"}
    assert not rows(
        select(Registration.id)
        .join(FamilyContact, FamilyContact.id == Registration.contact_id)
        .where(FamilyContact.created_at > Registration.created_at)
    )


def test_liaisons_take_part_with_their_own_accounts(demo):
    found = rows(
        select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .join(Offering, Offering.id == Registration.offering_id)
        .join(Programme)
        .where(Programme.code.in_(("plg", "liaison-training")))
    )
    assert len(found) > 50
    for registration, user in found:
        assert registration.contact.email == user.email
        assert registration.contact.name == user.name


def test_school_events_are_planned_and_run_by_their_own_liaison(demo):
    events = db.session.scalars(
        select(Offering).join(Programme).where(Programme.code == "family-event")
    ).all()
    assert len(events) >= 8
    for event in events:
        liaison = db.session.get(User, event.created_by_id)
        assert liaison.has_role(Role.LIAISON) and event.school in liaison.schools, event.id
        # Within their scope: they plan it, and once it is published they run its door.
        assert db.session.scalar(manageable_offerings(liaison).where(Offering.id == event.id))
        if event.status != OfferingStatus.DRAFT:
            assert session_in_scope(liaison, event.id, event.sessions[0].id) is not None
        at_the_door = set(
            db.session.scalars(
                select(Attendance.checked_in_by_id)
                .join(Registration, Registration.id == Attendance.registration_id)
                .where(Registration.offering_id == event.id)
            )
        ) | set(
            db.session.scalars(
                select(Registration.registered_by_id).where(
                    Registration.offering_id == event.id, Registration.walk_in.is_(True)
                )
            )
        )
        assert at_the_door <= {liaison.id}, event.id
    demo_liaison = next(a.email for a in DEMO_ACCOUNTS if a.role == Role.LIAISON)
    creators = {db.session.get(User, e.created_by_id).email for e in events}
    assert demo_liaison in creators and len(creators) >= 5
    # Cohorts, trainings and PLG meetings are the FACE office's.
    others = db.session.scalars(
        select(Offering.created_by_id).where(Offering.id.not_in([e.id for e in events]))
    ).all()
    assert {db.session.get(User, u).has_role(Role.PROGRAMME_STAFF) for u in others} == {True}


def test_the_attendance_dashboard_shows_events_by_liaison(demo):
    refresh(full=True)
    f = Filters(start=DEMO_TODAY - timedelta(days=364), end=DEMO_TODAY)
    shown = events_by(f, Scope(), "liaison")
    assert shown == plain_events_by(f, Scope(), "liaison")
    held = db.session.scalar(
        select(func.count(func.distinct(Offering.id)))
        .join(Programme)
        .join(OfferingSession, OfferingSession.offering_id == Offering.id)
        .where(
            Programme.code == "family-event",
            Offering.status != OfferingStatus.CANCELLED,
            OfferingSession.starts_at < NOW,
        )
    )
    assert len(shown.rows) >= 4 and sum(shown.column("events")) == held
    demo_liaison = next(a.name for a in DEMO_ACCOUNTS if a.role == Role.LIAISON)
    # The account a visitor signs in as runs the most.
    assert shown.rows[0][0] == demo_liaison and shown.rows[0][1] >= 2


def test_school_leaders_wait_in_order_for_the_next_training(demo):
    entries = db.session.scalars(
        select(TrainingWaitlistEntry).order_by(TrainingWaitlistEntry.id)
    ).all()
    waiting = [e for e in entries if e.status == WaitlistStatus.WAITING]
    assert len(waiting) == 16
    added = [e.added_at for e in waiting]
    assert added == sorted(added) and added[-1] < NOW
    title_i = set(db.session.scalars(select(School.id).where(School.title_i.is_(True))))
    assert all(e.school_id in title_i for e in entries)
    assert len({e.email for e in entries}) == len(entries)
    enrolled = [e for e in entries if e.status == WaitlistStatus.ENROLLED]
    assert enrolled and all(
        e.registration.offering.programme.certifies_facilitators for e in enrolled
    )
    assert any(e.status == WaitlistStatus.WITHDRAWN for e in entries)


def test_seeding_again_adds_nothing(demo):
    tables = (
        Offering,
        OfferingSession,
        Registration,
        Attendance,
        SessionFeedback,
        FacilitatorCertification,
        TrainingWaitlistEntry,
        FamilyContact,
        User,
    )

    def counts() -> list[int]:
        db.session.rollback()
        return [db.session.scalar(select(func.count()).select_from(t)) for t in tables]

    before = counts()
    db.session.rollback()  # no transaction of ours stays open while the command runs
    result = seed_demo(demo)
    assert result.exit_code == 0 and "0 offerings added" in result.output
    assert counts() == before
    assert load_demo_offerings(DEMO_TODAY)["offerings"] == 0
    assert counts() == before


def test_the_same_day_gives_the_same_year(demo):
    first, second = plan_year(DEMO_TODAY)[0], plan_year(DEMO_TODAY)[0]

    def shape(year):  # noqa: ANN001, ANN202
        return [
            (b.status, b.seats_taken, len(b.regs), len(b.check_ins), [a.comment for a in b.answers])
            for b in year.offerings
        ]

    assert shape(first) == shape(second)
    assert first.contacts.rows == second.contacts.rows
    stored = db.session.execute(
        select(Offering.status, Offering.seats_taken).order_by(Offering.id)
    ).all()
    assert [tuple(r) for r in stored] == [(b.status, b.seats_taken) for b in first.offerings]


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 7, 10),  # before the school year: the trainer-of-trainers is ahead
        date(2026, 8, 20),
        date(2026, 9, 30),
        date(2027, 1, 12),
        date(2027, 3, 30),
        date(2027, 6, 20),  # after it: everything is over
    ],
)
def test_any_day_of_the_school_year_gives_a_consistent_year(demo, day):
    year, _ = plan_year(day)
    now = datetime.combine(day, time(0), tzinfo=ZONE).astimezone(UTC)
    certified = {c.user_id for c in year.certified if c.user_id is not None}
    loads: dict[int, Fraction] = defaultdict(Fraction)
    for item in year.offerings:
        capacity = item.plan.capacity
        assert item.seats_taken <= capacity
        if item.status == OfferingStatus.DRAFT:
            assert not item.regs
        elif item.programme.facilitated:
            assert item.facilitators and capacity <= PARENTS_PER_FACILITATOR * len(
                item.facilitators
            )
        if item.programme.requires_certification:
            assert set(item.facilitators) <= certified
        if item.programme.facilitated and item.status in ACTIVE:
            for user_id in item.facilitators:
                loads[user_id] += Fraction(capacity, len(item.facilitators))
        for check_in in item.check_ins:
            assert item.times[check_in.session][0] < now
            assert check_in.reg.status == RegistrationStatus.REGISTERED
        assert all(answer.at < now for answer in item.answers)
    assert all(load <= PARENTS_PER_FACILITATOR for load in loads.values())
    statuses = {item.status for item in year.offerings}
    assert OfferingStatus.COMPLETED in statuses or day < date(2026, 8, 20)
    assert OfferingStatus.OPEN in statuses or day > date(2027, 5, 31)
