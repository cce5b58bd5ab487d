"""Demo offerings: upcoming workshops and events families can sign up for right away."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from portal.extensions import db
from portal.families.models import ContactMethod, FamilyContact
from portal.programmes.models import (
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
)
from portal.programmes.reference_data import topics
from portal.programmes.registration import hash_code
from portal.schools.models import School

EVENTS = [
    ("Family literacy night", "Noche de lectura en familia"),
    ("Kindergarten readiness evening", "Tarde de preparación para el kínder"),
    ("FAFSA and college night", "Noche de universidad y ayuda financiera (FAFSA)"),
]


def _evening(day: date, tz: ZoneInfo, hour: int = 18) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def load_demo_offerings(today: date) -> dict[str, int]:
    """Upcoming series and events at a dozen schools, some nearly full; added once."""
    if db.session.scalar(select(func.count()).select_from(Offering)):
        return {"offerings": 0, "registrations": 0}
    rng = random.Random(4)  # noqa: S311 - repeatable demo data, not secrets
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    programmes = {p.code: p for p in db.session.scalars(select(Programme))}
    schools = list(db.session.scalars(select(School).where(School.title_i).order_by(School.code)))
    offerings = registrations = 0
    for index, school in enumerate(schools[:12]):
        code = "parenting-partners" if index % 2 == 0 else "healthy-meals"
        programme = programmes[code]
        start = today + timedelta(days=7 + index * 3)
        start += timedelta(days=(1 - start.weekday()) % 7)  # Tuesdays
        language = [OfferingLanguage.SPANISH, OfferingLanguage.BILINGUAL, OfferingLanguage.ENGLISH][
            index % 3
        ]
        capacity = rng.choice([12, 15, 20, 25])
        offering = Offering(
            programme=programme,
            school=school,
            language=language,
            capacity=capacity,
            status=OfferingStatus.OPEN,
            location="Library" if index % 3 else "Cafeteria",
            childcare_offered=index % 4 != 3,
            interpretation_offered=True,
        )
        for week, (topic_en, topic_es) in enumerate(topics(code)):
            when = _evening(start + timedelta(weeks=week), tz)
            offering.sessions.append(
                OfferingSession(
                    starts_at=when,
                    ends_at=when + timedelta(hours=2),
                    topic_en=topic_en,
                    topic_es=topic_es,
                )
            )
        db.session.add(offering)
        offerings += 1
        # Some families already signed up; two series are full with people waiting.
        taken = capacity if index in (1, 4) else rng.randint(0, capacity - 3)
        for n in range(taken + (3 if index in (1, 4) else 0)):
            contact = FamilyContact(
                name=f"Demo family {index}-{n}",
                phone=f"+1303555{index:02d}{n:02d}",
                language="es" if rng.random() < 0.5 else "en",
                contact_method=ContactMethod.TEXT,
            )
            seated = n < capacity
            db.session.add(
                Registration(
                    offering=offering,
                    contact=contact,
                    language=contact.language,
                    status=RegistrationStatus.REGISTERED
                    if seated
                    else RegistrationStatus.WAITLISTED,
                    holds_seat=seated,
                    code_hash=hash_code(f"demo-{index}-{n}"),
                    children_count=rng.choice([0, 0, 1, 2]),
                )
            )
            registrations += 1
        offering.seats_taken = min(taken, capacity)
    for index, (name_en, name_es) in enumerate(EVENTS):
        school = schools[(index * 5) % len(schools)]
        when = _evening(today + timedelta(days=10 + index * 9), tz, 17)
        offering = Offering(
            programme=programmes["family-event"],
            school=school,
            title_en=name_en,
            title_es=name_es,
            language=OfferingLanguage.BILINGUAL,
            capacity=80,
            status=OfferingStatus.OPEN,
            location="Gym",
            childcare_offered=True,
            interpretation_offered=True,
        )
        offering.sessions.append(OfferingSession(starts_at=when, ends_at=when + timedelta(hours=2)))
        db.session.add(offering)
        offerings += 1
    db.session.commit()
    return {"offerings": offerings, "registrations": registrations}
