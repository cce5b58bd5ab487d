"""Storing the demo school year: one bulk INSERT per table, so `flask seed demo` stays quick."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select

from portal.auth.models import User, UserRole, user_schools
from portal.auth.roles import Role
from portal.calendar.models import NonSchoolDay
from portal.demo import DEMO_DOMAIN
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.programmes import demo_people as people
from portal.programmes.demo_year import Built, DemoYear, Staff
from portal.programmes.models import (
    Attendance,
    FacilitatorCertification,
    Offering,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    SessionFeedback,
    TrainingWaitlistEntry,
    WaitlistStatus,
    offering_facilitators,
)
from portal.programmes.registration import hash_code
from portal.schools.models import School
from portal.timeutil import district_zone


def load_demo_year(today: date) -> dict[str, int]:
    """Build the school year around `today` and store it; the caller checks it is not there."""
    year, accounts = plan_year(today)
    counts = _write(year, dict(db.session.execute(select(School.code, School.id)).all()))
    db.session.commit()
    return {"liaison accounts": accounts, **counts}


def plan_year(today: date) -> tuple[DemoYear, int]:
    """The year in memory, and how many liaison accounts had to be made for it."""
    schools = dict(db.session.execute(select(School.code, School.id)).all())
    lead_account = db.session.scalars(
        select(User).where(User.email == f"programmes@{DEMO_DOMAIN}")
    ).one()
    lead = Staff(lead_account.id, lead_account.name, lead_account.email, "en", (), "earlier")
    team, accounts = _liaisons(schools, joined=datetime.combine(today, time(16), tzinfo=UTC))
    year = DemoYear(
        today,
        zone=district_zone(),
        closed_days=set(db.session.scalars(select(NonSchoolDay.day))),
        programmes={p.code: p for p in db.session.scalars(select(Programme))},
        lead=lead,
        team=team,
    )
    return year, accounts


def _liaisons(schools: dict[str, int], *, joined: datetime) -> tuple[list[Staff], int]:
    """The demo liaison and the liaisons of demo_people, whose accounts are made if missing.

    They share the demo password: its hash is copied from the demo liaison's account rather
    than computed a dozen times over.
    """
    demo = db.session.scalars(select(User).where(User.email == f"liaison@{DEMO_DOMAIN}")).one()
    codes = {school_id: code for code, school_id in schools.items()}
    team = [
        Staff(
            demo.id,
            demo.name,
            demo.email,
            demo.preferred_language,
            tuple(codes[s.id] for s in demo.schools),
            certified="fall",
        )
    ]
    emails = [p.email for p in people.LIAISONS]
    ids = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
    missing = [p for p in people.LIAISONS if p.email not in ids]
    if missing:
        joined -= timedelta(days=120)
        new_ids = _insert(
            User,
            [
                {
                    "email": p.email,
                    "name": p.name,
                    "password_hash": demo.password_hash,
                    "preferred_language": p.language,
                    "active": True,
                    "created_at": joined,
                    "updated_at": joined,
                }
                for p in missing
            ],
        )
        db.session.execute(
            insert(UserRole), [{"user_id": i, "role": Role.LIAISON} for i in new_ids]
        )
        db.session.execute(
            insert(user_schools),
            [
                {"user_id": i, "school_id": schools[code]}
                for i, p in zip(new_ids, missing, strict=True)
                for code in p.schools
            ],
        )
        ids.update(zip((p.email for p in missing), new_ids, strict=True))
    team += [
        Staff(ids[p.email], p.name, p.email, p.language, p.schools, p.certified)
        for p in people.LIAISONS
    ]
    return team, len(missing)


def _insert(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows at once; their new ids, in the same order."""
    if not rows:
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def _write(year: DemoYear, schools: dict[str, int]) -> dict[str, int]:
    contact_ids = _insert(FamilyContact, year.contacts.rows)
    offering_ids = _insert(Offering, [_offering_row(year, b, schools) for b in year.offerings])
    offering_of = {id(b): i for b, i in zip(year.offerings, offering_ids, strict=True)}
    facilitators = [
        {"offering_id": offering_of[id(b)], "user_id": u}
        for b in year.offerings
        for u in b.facilitators
    ]
    db.session.execute(insert(offering_facilitators), facilitators)

    keys = [(id(b), n) for b in year.offerings for n in range(len(b.times))]
    session_rows = [
        _session_row(year, b, n, offering_of[id(b)])
        for b in year.offerings
        for n in range(len(b.times))
    ]
    session_of = dict(zip(keys, _insert(OfferingSession, session_rows), strict=True))

    regs = [(b, r) for b in year.offerings for r in b.regs]
    reg_rows = []
    for n, (b, r) in enumerate(regs):
        reg_rows.append(
            {
                "offering_id": offering_of[id(b)],
                "contact_id": contact_ids[r.contact],
                # Nobody has these codes: the links of demo registrations open nothing.
                "code_hash": hash_code(f"demo-{n}-{year.rng.getrandbits(96):024x}"),
                **{
                    name: getattr(r, name)
                    for name in (
                        "status",
                        "language",
                        "children_count",
                        "children_ages",
                        "accommodations",
                        "walk_in",
                        "holds_seat",
                        "registered_by_id",
                        "user_id",
                        "created_at",
                        "promoted_at",
                        "cancelled_at",
                    )
                },  # fmt: skip
            }
        )
    for (_b, r), reg_id in zip(regs, _insert(Registration, reg_rows), strict=True):
        r.id = reg_id

    check_ins = [
        {
            "registration_id": c.reg.id,
            "session_id": session_of[(id(b), c.session)],
            "checked_in_at": c.at,
            "checked_in_by_id": c.by,
            "homework_done": c.homework_done,
        }
        for b in year.offerings
        for c in b.check_ins
    ]
    answers = [
        {
            "registration_id": a.reg.id,
            "session_id": session_of[(id(b), a.session)],
            "rating_useful": a.ratings[0],
            "rating_facilitator": a.ratings[1],
            "rating_welcome": a.ratings[2],
            "comment": a.comment,
            "language": a.reg.language,
            "created_at": a.at,
        }
        for b in year.offerings
        for a in b.answers
    ]
    for model, rows in ((Attendance, check_ins), (SessionFeedback, answers)):
        if rows:
            db.session.execute(insert(model), rows)
    if year.certified:
        db.session.execute(
            insert(FacilitatorCertification),
            [
                {
                    "contact_id": contact_ids[c.contact],
                    "user_id": c.user_id,
                    "offering_id": offering_of[id(c.offering)] if c.offering else None,
                    "certified_at": c.at,
                    "certified_by_id": c.by,
                }
                for c in year.certified
            ],
        )
    db.session.execute(
        insert(TrainingWaitlistEntry),
        [
            {
                "name": w.name,
                "email": w.email,
                "school_id": schools[w.school],
                "status": w.status,
                "note": w.note,
                "added_at": w.added_at,
                "added_by_id": year.lead.id,
                "registration_id": w.registration.id if w.registration else None,
                "enrolled_at": w.registration.created_at if w.registration else None,
            }
            for w in year.waitlist
        ],
    )
    return {
        "families": len(year.contacts.rows) - len(year.contacts.staff),
        "offerings": len(offering_ids),
        "registrations": len(reg_rows),
        "check-ins": len(check_ins),
        "survey answers": len(answers),
        "certified facilitators": len(year.certified),
        "school leaders waiting for training": sum(
            w.status == WaitlistStatus.WAITING for w in year.waitlist
        ),
    }


def _offering_row(year: DemoYear, b: Built, schools: dict[str, int]) -> dict[str, Any]:
    local_day = b.opened.astimezone(year.zone).date()
    return {
        "programme_id": b.programme.id,
        "school_id": schools.get(b.plan.school or ""),
        "title_en": b.plan.title[0],
        "title_es": b.plan.title[1],
        "language": b.plan.language,
        "capacity": b.plan.capacity,
        "seats_taken": b.seats_taken,
        "status": b.status,
        "location": b.plan.location,
        "childcare_offered": b.plan.childcare,
        "interpretation_offered": b.plan.interpretation,
        "registration_opens": None if b.status == OfferingStatus.DRAFT else local_day,
        "registration_closes": b.times[0][0].astimezone(year.zone).date()
        if b.plan.closes_once_started
        else None,
        "created_by_id": b.created_by,
        "created_at": b.opened - timedelta(days=7),
    }


def _session_row(year: DemoYear, b: Built, index: int, offering_id: int) -> dict[str, Any]:
    """A session; the reminder and survey jobs have already done their work for the past."""
    starts, ends = b.times[index]
    meets = b.status not in (OfferingStatus.DRAFT, OfferingStatus.CANCELLED)
    reminded = starts - timedelta(hours=48) + timedelta(minutes=4)
    asked = ends + timedelta(minutes=6)
    moved = b.plan.moved
    return {
        "offering_id": offering_id,
        "starts_at": starts,
        "ends_at": ends,
        "topic_en": b.topics[index][0],
        "topic_es": b.topics[index][1],
        "location": moved[1] if moved and moved[0] == index else "",
        "reminders_sent_at": reminded if meets and reminded < year.now else None,
        "feedback_requested_at": asked if meets and asked < year.now else None,
    }
