"""A year of realistic, fictional cases and calls, for the queue and the dashboards."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from portal.auth.models import User, UserRole
from portal.auth.roles import Role
from portal.calendar.services import add_business_days
from portal.concerns import access_codes
from portal.concerns.models import (
    CallOutcome,
    Case,
    CaseEntry,
    CaseKind,
    Channel,
    EntryKind,
    EscalationTarget,
    Meeting,
    MeetingKind,
    MeetingOutcome,
    QuickLog,
    Relationship,
    SatisfactionResponse,
    Status,
)
from portal.concerns.service_levels import apply_due_dates, current
from portal.extensions import db
from portal.families.models import ContactMethod, FamilyContact
from portal.knowledge.models import Category
from portal.schools.models import Network, School

FIRST = [
    "María",
    "José",
    "Guadalupe",
    "Luis",
    "Ana",
    "Carlos",
    "Rosa",
    "Juan",
    "Jennifer",
    "Michael",
    "Ashley",
    "David",
    "Keisha",
    "Nguyen",
    "Fatima",
    "Abdi",
    "Sarah",
    "Óscar",
    "Yesenia",
    "Brandon",
    "Lucía",
    "Marisol",
    "Tyrone",
    "Emily",
]
LAST = [
    "García",
    "Martínez",
    "Hernández",
    "López",
    "González",
    "Rodríguez",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Tran",
    "Mohamed",
    "Nguyen",
    "Smith",
    "Flores",
    "Rivera",
]
KIDS = [
    "Sofía",
    "Mateo",
    "Valentina",
    "Santiago",
    "Isabella",
    "Diego",
    "Camila",
    "Liam",
    "Olivia",
    "Noah",
    "Ximena",
    "Emiliano",
    "Aaliyah",
    "Jayden",
    "Amara",
    "Hamza",
]
STORIES = {
    "en": {
        "transportation": "The bus has been more than 30 minutes late every morning this week "
        "and my child misses breakfast.",
        "special_education": "My son's IEP says he gets reading support every day, but his "
        "teacher says there is no one to provide it.",
        "bullying": "My daughter is being pushed and called names at recess. I told her "
        "teacher two weeks ago and nothing has changed.",
        "discipline": "My son was suspended for three days and nobody called me before; I "
        "would like to understand why.",
        "communication": "I have called the office four times about my child's grades and no "
        "one has called me back.",
        "enrollment": "I moved in October and want to know which school my children can go to.",
        "attendance": "The school says my child has too many absences but they were for "
        "doctor's appointments.",
        "language": "At the last conference there was no interpreter and I could not follow.",
    },
    "es": {
        "transportation": "El autobús llega más de 30 minutos tarde todas las mañanas y mi "
        "hija se queda sin desayunar.",
        "special_education": "El IEP de mi hijo dice que recibe apoyo de lectura todos los días, "
        "pero la maestra dice que no hay quien se lo dé.",
        "bullying": "A mi hija la empujan y le dicen groserías en el recreo. Le avisé a la "
        "maestra hace dos semanas y nada ha cambiado.",
        "discipline": "Suspendieron a mi hijo tres días y nadie me llamó antes; quiero "
        "entender por qué.",
        "communication": "He llamado a la oficina cuatro veces por las calificaciones de mi "
        "hijo y nadie me ha devuelto la llamada.",
        "enrollment": "Me mudé en octubre y quiero saber a qué escuela pueden ir mis hijos.",
        "attendance": "La escuela dice que mi hijo tiene demasiadas faltas, pero fueron por "
        "citas con el médico.",
        "language": "En la última conferencia no hubo intérprete y no pude entender nada.",
    },
}
RESOLUTIONS = {
    "en": "We met with the principal, who agreed on a plan; the specialist will check in with "
    "you in two weeks.",
    "es": "Nos reunimos con la dirección y acordamos un plan; la especialista se comunicará "
    "con usted en dos semanas.",
}


def _at(day: date, rng: random.Random) -> datetime:
    # Office hours in Denver, stored in UTC (UTC-7 give or take an hour is close enough here).
    return datetime.combine(day, time(rng.randint(14, 23), rng.randint(0, 59)), tzinfo=UTC)


def _school_days(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() < 5 and not (day.month in (7,) or (day.month == 6 and day.day > 10)):
            days.append(day)
        day += timedelta(days=1)
    return days


def load_demo_cases(today: date, *, cases: int = 600, calls: int = 1500) -> dict[str, int]:
    """Add a year of cases and quick-logged calls, once (nothing if cases exist already)."""
    if db.session.scalar(select(func.count()).select_from(Case)):
        return {"cases": 0, "calls": 0}
    rng = random.Random(2026)  # noqa: S311 - repeatable demo data, not secrets
    secret = current_app.config["SECRET_KEY"]
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    schools = list(db.session.scalars(select(School)))
    staff = {
        role: list(db.session.scalars(select(User).join(UserRole).where(UserRole.role == role)))
        for role in (Role.SPECIALIST, Role.SENIOR_MANAGER)
    }
    specialists = staff[Role.SPECIALIST] + staff[Role.SENIOR_MANAGER]
    manager = staff[Role.SENIOR_MANAGER][0] if staff[Role.SENIOR_MANAGER] else None
    supers = dict(db.session.execute(select(Network.id, Network.superintendent_id)).all())
    levels = current()
    days = _school_days(today - timedelta(days=365), today)
    # More in autumn (start of year) and spring (choice season), fewer in summer.
    weights = [3 if d.month in (8, 9, 10) else 2 if d.month in (1, 2, 3) else 1 for d in days]
    question_codes = [
        "enrollment",
        "transportation",
        "attendance",
        "food",
        "language",
        "fees",
        "academics",
        "health",
    ]
    concern_codes = list(STORIES["en"])
    for n in range(cases):
        day = rng.choices(days, weights)[0]
        language = "es" if rng.random() < 0.45 else "en"
        concern = rng.random() < 0.45
        code = rng.choice(concern_codes if concern else question_codes)
        contact = FamilyContact(
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            language=language,
            phone=f"+1720555{rng.randint(0, 9999):04d}",
            email=f"family{n}@example.org" if rng.random() < 0.6 else None,
            contact_method=rng.choice(list(ContactMethod)),
            interpreter_needed=language == "es" and rng.random() < 0.3,
        )
        if contact.contact_method == ContactMethod.EMAIL and not contact.email:
            contact.contact_method = ContactMethod.PHONE
        reference = access_codes.next_reference(day.year)
        salt = access_codes.new_salt()
        created = _at(day, rng)
        school = rng.choice(schools)
        case = Case(
            reference=reference,
            submission_key=f"demo-{n}",
            access_salt=salt,
            access_code_hash=access_codes.hash_code(
                access_codes.derive_code(secret, reference, salt)
            ),
            kind=CaseKind.CONCERN if concern else CaseKind.QUESTION,
            tier=2 if concern else 1,
            channel=rng.choice(
                [Channel.WEB, Channel.WEB, Channel.PHONE, Channel.EMAIL, Channel.LIAISON]
            ),
            category=categories[code],
            school=school,
            contact=contact,
            relationship_to_student=rng.choice(
                [Relationship.PARENT] * 5 + [Relationship.GUARDIAN, Relationship.GRANDPARENT]
            ),
            student_first_name=rng.choice(KIDS),
            student_grade=rng.choice(
                ["K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]
            ),
            description=STORIES[language].get(code, STORIES[language]["communication"]),
            language=language,
            created_at=created,
            received_on=day,
            status=Status.NEW,
        )
        apply_due_dates(case, levels)
        case.entries.append(
            CaseEntry(kind=EntryKind.SUBMITTED, visible_to_family=True, created_at=created)
        )
        age = (today - day).days
        assignee = rng.choice(specialists) if specialists else None
        if age > 2 or rng.random() < 0.5:
            case.assignee = assignee
            case.status = Status.ACKNOWLEDGED
            case.acknowledged_at = created + timedelta(hours=rng.randint(1, 30))
            case.first_contact_at = created + timedelta(hours=rng.randint(2, 60))
            case.status = Status.IN_PROGRESS
            case.entries.append(
                CaseEntry(
                    kind=EntryKind.CALL,
                    author=assignee,
                    created_at=case.first_contact_at,
                    body="Called the family; listened and explained next steps.",
                )
            )
        if concern and case.status == Status.IN_PROGRESS and rng.random() < 0.45:
            meeting_day = add_business_days(day, rng.randint(3, 8))
            kind = MeetingKind.MEDIATION if rng.random() < 0.3 else MeetingKind.FACILITATED
            meeting = Meeting(
                kind=kind,
                scheduled_for=_at(meeting_day, rng),
                location=f"{school.name}, main office",
                video=rng.random() < 0.2,
                school_leader="Principal",
                created_by_id=assignee.id if assignee else None,
                interpreter_language="Spanish" if language == "es" else "",
            )
            case.meetings.append(meeting)
            if meeting_day < today:
                meeting.outcome = rng.choices(list(MeetingOutcome), [30, 20, 10, 15, 6, 4])[0]
                meeting.recorded_at = meeting.scheduled_for + timedelta(hours=2)
            else:
                case.status = Status.MEETING
        if case.status == Status.IN_PROGRESS and rng.random() < (0.1 if concern else 0.02):
            target = rng.choice(list(EscalationTarget))
            network_super = supers.get(school.network_id)
            case.tier, case.status = 3, Status.ESCALATED
            case.escalation_target = target
            case.escalated_to_id = (
                network_super
                if target == EscalationTarget.SUPERINTENDENT
                else manager.id
                if manager
                else None
            )
            case.entries.append(
                CaseEntry(
                    kind=EntryKind.ESCALATION,
                    author=assignee,
                    body="The school leader has not responded.",
                    detail={"target": target.value},
                )
            )
        horizon = 3 if not concern else 25
        if case.status in (Status.IN_PROGRESS, Status.ESCALATED) and age > horizon * rng.random():
            done = min(today, add_business_days(day, rng.randint(1, 14 if concern else 4)))
            case.status = Status.RESOLVED if age < 30 else Status.CLOSED
            case.resolved_at = _at(done, rng)
            case.closed_at = case.resolved_at if case.status == Status.CLOSED else None
            case.resolution_summary = RESOLUTIONS[language]
            case.entries.append(
                CaseEntry(
                    kind=EntryKind.RESOLUTION,
                    author=assignee,
                    visible_to_family=True,
                    body=RESOLUTIONS[language],
                    created_at=case.resolved_at,
                )
            )
            if rng.random() < 0.35:
                db.session.add(
                    SatisfactionResponse(
                        case=case,
                        rating=rng.choices([5, 4, 3, 2, 1], [40, 30, 15, 10, 5])[0],
                        created_at=case.resolved_at,
                    )
                )
        db.session.add(case)
    for _ in range(calls):
        day = rng.choices(days, weights)[0]
        db.session.add(
            QuickLog(
                created_at=_at(day, rng),
                logged_by_id=rng.choice(specialists).id if specialists else None,
                category=categories[rng.choice(question_codes)],
                school=rng.choice(schools) if rng.random() < 0.7 else None,
                language="es" if rng.random() < 0.45 else "en",
                outcome=rng.choices(list(CallOutcome), [60, 25, 15])[0],
            )
        )
    db.session.commit()
    return {"cases": cases, "calls": calls}
