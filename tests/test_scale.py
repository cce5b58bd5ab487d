"""`flask seed scale`: a synthetic district that keeps every rule of the portal, at any size."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from portal import create_app
from portal.calendar.services import add_business_days, is_business_day
from portal.concerns.models import (
    Case,
    CaseEntry,
    Meeting,
    QuickLog,
    ReferenceCounter,
    SatisfactionResponse,
)
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.programmes.completion import required_sessions
from portal.programmes.facilitators import loads
from portal.programmes.models import (
    Attendance,
    FacilitatorCertification,
    Offering,
    OfferingSession,
    Programme,
    Registration,
    SessionFeedback,
    offering_facilitators,
)
from portal.scale import ScaleError, ScaleOptions, generate
from portal.schools.models import Network, School
from tests.conftest import fresh_database, portal_config

TODAY = date(2027, 2, 15)
ARGS = ["seed", "scale", "--schools", "3", "--years", "1", "--cases", "500"]
ARGS += ["--today", TODAY.isoformat()]
OPEN = ("new", "acknowledged", "in_progress", "meeting", "escalated")


def empty_portal(tmp_path_factory: pytest.TempPathFactory, name: str) -> Flask:
    """The portal on a migrated database with nothing in it (no demo district)."""
    from flask_migrate import upgrade

    app = create_app(portal_config(fresh_database(tmp_path_factory, name)))
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    """A small synthetic district made through the command, and what the command printed."""
    app = empty_portal(tmp_path_factory, "scale")
    result = app.test_cli_runner().invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    yield app, result.output
    with app.app_context():
        db.session.remove()  # give back the connection the command left in the session
        db.engine.dispose()


@pytest.fixture
def ctx(scaled: tuple[Flask, str]) -> Iterator[None]:
    app, _ = scaled
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()


def count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def cutoff() -> datetime:
    """The start of TODAY in the district: nothing generated may happen after it."""
    return datetime.combine(TODAY, datetime.min.time(), tzinfo=ZoneInfo("America/Denver"))


def local_day(instant: datetime) -> date:
    return instant.astimezone(ZoneInfo("America/Denver")).date()


def test_the_command_makes_what_was_asked_and_reports_rates(scaled, ctx):
    _, output = scaled
    assert count(School) == 3
    assert count(Network) == 1
    assert count(Case) == 500
    assert count(QuickLog) == 1250  # 2.5 calls per case
    assert count(Offering) > 0 and count(Registration) > 0 and count(Attendance) > 0
    assert count(CaseEntry) >= 2 * 500
    assert count(Meeting) > 0 and count(SatisfactionResponse) > 0
    assert count(SessionFeedback) > 0 and count(FacilitatorCertification) > 0
    for table in ("cases", "case_entries", "quick_logs", "registrations", "attendance"):
        assert re.search(rf"^\s+{table}\s+[\d,]+\s+[\d.]+\s+[\d,]+$", output, re.M), output
    assert "rows/s" in output and "total" in output


def test_cases_follow_the_workflow_in_time(ctx):
    limit = cutoff()
    for case in db.session.scalars(select(Case)):
        steps = [
            case.created_at,
            case.acknowledged_at,
            case.first_contact_at,
            case.resolved_at,
            case.closed_at,
        ]
        present = [s for s in steps if s is not None]
        assert present == sorted(present), case.reference
        assert all(s < limit for s in present), case.reference
        assert local_day(case.created_at) == case.received_on
        status = case.status.value
        assert (case.resolved_at is not None) == (status in ("resolved", "closed"))
        assert (case.closed_at is not None) == (status == "closed")
        if status == "new":
            assert case.acknowledged_at is None and case.first_contact_at is None
        if case.first_contact_at is not None:
            assert case.acknowledged_at is not None
        if case.tier == 3:
            assert case.escalation_target is not None and case.escalated_to_id is not None
        else:
            assert case.escalation_target is None
        assert case.kind.value == ("question" if case.tier == 1 else "concern")
        if status == "meeting":
            assert case.meetings and case.tier > 1
        if status in ("resolved", "closed"):
            assert case.resolution_summary
        entries = case.entries
        assert entries[0].kind.value == "submitted" and entries[0].created_at == case.created_at
        assert [e.created_at for e in entries] == sorted(e.created_at for e in entries)
        assert all(e.created_at < limit for e in entries)
        for meeting in case.meetings:
            assert case.tier > 1
            if meeting.outcome is not None:
                assert meeting.recorded_at >= meeting.scheduled_for
                assert meeting.recorded_at < limit


def test_due_dates_are_the_portals_business_days(ctx):
    """The same dates `apply_due_dates` would set, on days the district offices are open."""
    for case in db.session.scalars(select(Case)):
        start = case.received_on
        if case.kind.value == "question":
            assert case.acknowledge_due is None and case.first_contact_due is None
            assert case.resolve_due == add_business_days(start, 2)
        else:
            assert case.acknowledge_due == add_business_days(start, 1)
            assert case.first_contact_due == add_business_days(start, 2)
            assert case.resolve_due == add_business_days(start, 10)
        for due in (case.acknowledge_due, case.first_contact_due, case.resolve_due):
            assert due is None or is_business_day(due)


def test_most_cases_meet_their_targets_and_recent_ones_are_open(ctx):
    cases = list(db.session.scalars(select(Case)))
    resolved = [c for c in cases if c.resolved_at is not None]
    on_time = [c for c in resolved if local_day(c.resolved_at) <= c.resolve_due]
    assert 0.6 < len(on_time) / len(resolved) < 0.97  # most within target, some late
    last_week = [c for c in cases if c.received_on >= TODAY - timedelta(days=7)]
    assert last_week and sum(c.status.value in OPEN for c in last_week) > len(last_week) / 3
    older = [c for c in cases if c.received_on < TODAY - timedelta(days=90)]
    assert sum(c.status.value in OPEN for c in older) < len(older) * 0.05


def test_references_are_unique_and_new_cases_follow_on(ctx):
    references = list(db.session.scalars(select(Case.reference)))
    assert len(set(references)) == len(references)
    numbers: dict[int, list[int]] = {}
    for reference in references:
        match = re.fullmatch(r"FCS-(\d{4})-(\d{6})", reference)
        assert match
        numbers.setdefault(int(match[1]), []).append(int(match[2]))
    for year, used in numbers.items():
        assert sorted(used) == list(range(1, len(used) + 1))
        assert db.session.get(ReferenceCounter, year).last_value == len(used)
    from portal.concerns.access_codes import next_reference

    year = max(numbers)
    assert next_reference(year) == f"FCS-{year}-{len(numbers[year]) + 1:06d}"


def test_proportions_and_seasons(ctx):
    cases = list(db.session.scalars(select(Case)))
    tiers = Counter(c.tier for c in cases)
    assert 0.6 < tiers[1] / len(cases) < 0.8
    assert 0.15 < tiers[2] / len(cases) < 0.35
    assert 0 < tiers[3] / len(cases) < 0.1
    languages = Counter(c.language for c in cases)
    assert set(languages) <= {"en", "es"}
    assert 0.2 < languages["es"] / len(cases) < 0.6
    months = Counter(c.received_on.month for c in cases)
    assert months[9] > months[7] * 2 and months[8] > months[7]
    weekdays = [c for c in cases if c.received_on.weekday() < 5]
    assert len(weekdays) > 0.9 * len(cases)
    channels = Counter(c.channel.value for c in cases)
    assert channels["web"] > channels["in_person"] and len(channels) >= 4
    calls = list(db.session.scalars(select(QuickLog)))
    assert all(local_day(call.created_at).weekday() < 5 for call in calls)
    meetings = list(db.session.scalars(select(Meeting)))
    assert {m.kind.value for m in meetings} == {"facilitated", "mediation"}


def test_seats_waitlists_and_attendance_hold_together(ctx):
    limit = cutoff()
    for offering in db.session.scalars(select(Offering)):
        registrations = list(
            db.session.scalars(select(Registration).where(Registration.offering_id == offering.id))
        )
        holding = [r for r in registrations if r.holds_seat]
        assert offering.seats_taken == len(holding) <= offering.capacity
        assert all(r.status.value == "registered" for r in holding)
        waiting = [r for r in registrations if r.status.value == "waitlisted"]
        if waiting:
            assert offering.seats_taken == offering.capacity
        contacts = [r.contact_id for r in registrations]
        assert len(set(contacts)) == len(contacts)
        sessions = {s.id: s for s in offering.sessions}
        for registration in registrations:
            assert registration.created_at < limit
            if registration.promoted_at is not None:
                assert registration.created_at <= registration.promoted_at < limit
            if registration.cancelled_at is not None:
                assert registration.status.value == "cancelled"
                assert registration.created_at <= registration.cancelled_at < limit
                assert registration.promoted_at is None or (
                    registration.promoted_at <= registration.cancelled_at
                )
        if offering.status.value == "completed":
            assert all(s.ends_at < limit for s in offering.sessions)
        if offering.status.value == "open":
            assert any(s.ends_at >= limit for s in offering.sessions)
        rows = db.session.execute(
            select(Attendance, Registration)
            .join(Registration, Registration.id == Attendance.registration_id)
            .where(Registration.offering_id == offering.id)
        ).all()
        for attendance, registration in rows:
            assert attendance.session_id in sessions
            assert registration.status.value == "registered"
            assert attendance.checked_in_at < limit
            assert sessions[attendance.session_id].starts_at < limit
            assert attendance.checked_in_at >= registration.created_at
        if offering.status.value == "cancelled":
            assert not rows


def test_show_up_walk_ins_homework_and_surveys(ctx):
    expected = db.session.execute(
        text(
            "SELECT COUNT(*) FROM registrations r JOIN offering_sessions s "
            "ON s.offering_id = r.offering_id JOIN offerings o ON o.id = r.offering_id "
            "WHERE r.status = 'registered' AND NOT r.walk_in AND o.status <> 'cancelled' "
            "AND s.starts_at < :limit"
        ),
        {"limit": cutoff()},
    ).scalar()
    came = db.session.scalar(
        select(func.count())
        .select_from(Attendance)
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(Registration.walk_in.is_(False))
    )
    assert 0.6 < came / expected < 0.9  # about three in four
    walk_ins = list(db.session.scalars(select(Registration).where(Registration.walk_in)))
    assert walk_ins and all(r.status.value == "registered" for r in walk_ins)
    homework = db.session.scalars(
        select(Programme.code)
        .join(Offering, Offering.programme_id == Programme.id)
        .join(Registration, Registration.offering_id == Offering.id)
        .join(Attendance, Attendance.registration_id == Registration.id)
        .where(Attendance.homework_done)
    ).all()
    assert homework and set(homework) == {"parenting-partners"}
    for answer in db.session.scalars(select(SessionFeedback)):
        assert db.session.scalar(
            select(Attendance.id).where(
                Attendance.registration_id == answer.registration_id,
                Attendance.session_id == answer.session_id,
            )
        )
        assert answer.created_at >= answer.session.ends_at


def test_facilitators_are_certified_and_never_over_forty_parents(ctx):
    certified = {
        c.user_id: c.certified_at for c in db.session.scalars(select(FacilitatorCertification))
    }
    rows = db.session.execute(
        select(Offering, offering_facilitators.c.user_id)
        .join(offering_facilitators, offering_facilitators.c.offering_id == Offering.id)
        .join(Programme, Programme.id == Offering.programme_id)
        .where(Programme.requires_certification)
    ).all()
    assert rows
    for offering, user_id in rows:
        assert user_id in certified
        assert certified[user_id] < offering.sessions[0].starts_at
    assert all(load.committed <= 40 for load in loads())
    for certification in db.session.scalars(select(FacilitatorCertification)):
        offering = certification.offering
        assert offering.programme.certifies_facilitators
        registration = db.session.scalars(
            select(Registration).where(
                Registration.offering_id == offering.id,
                Registration.contact_id == certification.contact_id,
            )
        ).one()
        attended = db.session.scalar(
            select(func.count())
            .select_from(Attendance)
            .where(Attendance.registration_id == registration.id)
        )
        assert attended >= required_sessions(offering.programme, len(offering.sessions))
        assert certification.contact.email == certification.user.email


def test_family_contacts_exist_before_they_are_used(ctx):
    first_seen = db.session.execute(
        select(Case.contact_id, func.min(Case.created_at)).group_by(Case.contact_id)
    ).all()
    created = dict(db.session.execute(select(FamilyContact.id, FamilyContact.created_at)).all())
    for contact_id, first in first_seen:
        assert created[contact_id] <= first
    repeat = db.session.scalar(
        select(func.count()).select_from(
            select(Case.contact_id).group_by(Case.contact_id).having(func.count() > 1).subquery()
        )
    )
    assert repeat > 0  # some families come back with another case
    assert db.session.scalar(
        select(func.count()).select_from(FamilyContact).where(FamilyContact.other_language != "")
    )


def fingerprint() -> str:
    """A digest of the generated rows, apart from the one random password hash."""
    digest = hashlib.sha256()
    for table in (
        "schools",
        "family_contacts",
        "cases",
        "case_entries",
        "case_meetings",
        "quick_logs",
        "offerings",
        "offering_sessions",
        "registrations",
        "attendance",
        "session_feedback",
        "facilitator_certifications",
    ):
        for row in db.session.execute(text(f"SELECT * FROM {table} ORDER BY id")):  # noqa: S608
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_the_same_seed_gives_the_same_district(tmp_path_factory, scaled):
    app, _ = scaled
    with app.app_context():
        original = fingerprint()
    twin = empty_portal(tmp_path_factory, "scale-twin")
    other = empty_portal(tmp_path_factory, "scale-other")
    with twin.app_context():
        assert twin.test_cli_runner().invoke(args=ARGS).exit_code == 0
        assert fingerprint() == original
        db.session.remove()  # give back the connection the command left in the session
        db.engine.dispose()
    with other.app_context():
        assert other.test_cli_runner().invoke(args=[*ARGS, "--seed", "2"]).exit_code == 0
        assert fingerprint() != original
        db.session.remove()  # give back the connection the command left in the session
        db.engine.dispose()


def test_refused_in_production(tmp_path_factory):
    app = empty_portal(tmp_path_factory, "scale-production")
    app.config["DEMO_DATA_ALLOWED"] = False
    result = app.test_cli_runner().invoke(args=ARGS)
    assert result.exit_code != 0 and "production" in result.output
    with app.app_context():
        assert count(Case) == 0 and count(School) == 0
        db.session.remove()  # give back the connection the command left in the session
        db.engine.dispose()


def test_refused_on_a_district_unless_appending(tmp_path_factory):
    app = empty_portal(tmp_path_factory, "scale-append")
    small = ["seed", "scale", "--schools", "2", "--cases", "60", "--today", TODAY.isoformat()]
    runner = app.test_cli_runner()
    assert runner.invoke(args=small).exit_code == 0
    refused = runner.invoke(args=small)
    assert refused.exit_code != 0 and "--append" in refused.output
    with app.app_context():
        assert count(Case) == 60
        with pytest.raises(ScaleError):
            generate(ScaleOptions(schools=1, cases=5, today=TODAY))
    appended = runner.invoke(args=[*small, "--append"])
    assert appended.exit_code == 0, appended.output
    with app.app_context():
        assert count(Case) == 120 and count(School) == 4
        references = db.session.scalars(select(Case.reference)).all()
        assert len(set(references)) == 120
        codes = db.session.scalars(select(School.code)).all()
        assert len(set(codes)) == 4
        year = TODAY.year
        in_year = [r for r in references if r.startswith(f"FCS-{year}-")]
        assert db.session.get(ReferenceCounter, year).last_value == len(in_year)
        db.session.remove()  # give back the connection the command left in the session
        db.engine.dispose()


def test_a_real_case_after_the_load_gets_the_next_reference_and_id(tmp_path_factory):
    import secrets

    from portal.concerns import intake
    from portal.concerns.models import CaseKind, Relationship

    app = empty_portal(tmp_path_factory, "scale-intake")
    small = ["seed", "scale", "--schools", "2", "--cases", "80", "--today", TODAY.isoformat()]
    assert app.test_cli_runner().invoke(args=small).exit_code == 0
    with app.test_request_context():
        last_id = db.session.scalar(select(func.max(Case.id)))
        in_year = db.session.scalar(
            select(func.count()).where(Case.reference.like(f"FCS-{TODAY.year}-%"))
        )
        receipt = intake.submit(
            intake.Submission(
                submission_key=secrets.token_urlsafe(24),
                kind=CaseKind.CONCERN,
                name="Rosa Martínez",
                relationship=Relationship.PARENT,
                category_id=db.session.scalar(select(Case.category_id).limit(1)),
                description="The bus is late every morning.",
                school_id=db.session.scalar(select(School.id).limit(1)),
                phone="+17205550142",
                language="es",
            ),
            secret_key=app.config["SECRET_KEY"],
            today=TODAY,
            ip=None,
        )
        assert receipt.reference == f"FCS-{TODAY.year}-{in_year + 1:06d}"
        assert receipt.case_id == last_id + 1
        db.session.remove()
        db.session.remove()  # give back the connection the command left in the session
        db.engine.dispose()


def test_dry_run_writes_nothing(tmp_path_factory):
    app = empty_portal(tmp_path_factory, "scale-dry")
    result = app.test_cli_runner().invoke(
        args=["seed", "scale", "--schools", "1800", "--years", "10", "--cases", "2000000"]
        + ["--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "2,000,000" in result.output and "Nothing written" in result.output
    with app.app_context():
        assert count(School) == 0 and count(Case) == 0
        db.session.remove()  # give back the connection the command left in the session
        db.engine.dispose()


def test_timestamps_are_aware_utc(ctx):
    case = db.session.scalars(select(Case).order_by(Case.id)).first()
    assert case.created_at.tzinfo is not None and case.created_at.utcoffset() == timedelta(0)
    session = db.session.scalars(select(OfferingSession)).first()
    assert session.starts_at.tzinfo == UTC
