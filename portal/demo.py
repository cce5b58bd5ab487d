"""Demo data: a realistic fictional district, its calendar, and one account per role."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

import holidays
from sqlalchemy import select

from portal.admin.services import UserInput, create_user
from portal.auth import mfa
from portal.auth.models import User
from portal.auth.roles import MFA_ROLES, Role
from portal.calendar.models import DayKind, NonSchoolDay
from portal.calendar.services import school_year_bounds
from portal.extensions import db
from portal.schools.models import Network, School

# Printed by `make run`; long enough for the password rules, and only ever loaded on demand.
DEMO_PASSWORD = "puente demo bridge 2026"  # noqa: S105 - a published demo credential
DEMO_DOMAIN = "demo.puente.example.org"


def demo_mfa_secret(email: str) -> str:
    """The published authenticator key of a demo (or test) account: derived from its email.

    Demo accounts whose role needs two-step sign-in are set up with it, so that `make run`
    can print it and `flask users mfa-code` and the test helpers can compute the code.
    """
    digest = hashlib.sha256(f"puente demo mfa {email.strip().lower()}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


NETWORKS = {
    "Northwest Network": ("Dr. Alicia Montoya", "alicia.montoya"),
    "Northeast Network": ("Dr. Marcus Greene", "marcus.greene"),
    "Southwest Network": ("Dra. Lucía Esquivel", "lucia.esquivel"),
    "Southeast Network": ("Dr. Daniel Okafor", "daniel.okafor"),
    "Central Network": ("Dr. Hannah Lindqvist", "hannah.lindqvist"),
}

# code, name, network, Title I, human-services pilot, street
SCHOOLS = [
    ("101", "César Chávez Elementary", "Northwest Network", True, True, "3125 W 38th Ave"),
    (
        "102",
        "Dolores Huerta Preparatory High School",
        "Northwest Network",
        True,
        False,
        "4400 Tennyson St",
    ),
    ("103", "Sunnyside Elementary", "Northwest Network", True, False, "4351 Navajo St"),
    ("104", "Highland Park K-8", "Northwest Network", False, False, "2960 Speer Blvd"),
    ("105", "Berkeley Lake Middle School", "Northwest Network", True, False, "4655 Sheridan Blvd"),
    ("106", "Regis Hill Elementary", "Northwest Network", False, False, "5010 Lowell Blvd"),
    ("201", "Montbello Community Elementary", "Northeast Network", True, True, "12000 Albrook Dr"),
    (
        "202",
        "Green Valley Ranch Middle School",
        "Northeast Network",
        True,
        False,
        "4800 Telluride St",
    ),
    ("203", "Gateway Academy High School", "Northeast Network", True, False, "14700 E 47th Ave"),
    ("204", "Stapleton Meadows Elementary", "Northeast Network", False, False, "2510 Syracuse Way"),
    ("205", "Park Hill Elementary", "Northeast Network", False, False, "5050 E 19th Ave"),
    ("206", "Maxwell Street Elementary", "Northeast Network", True, False, "14390 E Bolling Dr"),
    (
        "301",
        "Westwood Bilingual Elementary",
        "Southwest Network",
        True,
        True,
        "3860 W Virginia Ave",
    ),
    ("302", "Ruby Hill Middle School", "Southwest Network", True, False, "1560 S Raritan Way"),
    ("303", "Abraham Lincoln High School", "Southwest Network", True, False, "2285 S Federal Blvd"),
    ("304", "Valverde Elementary", "Southwest Network", True, False, "2030 W Alameda Ave"),
    ("305", "Bear Valley K-8", "Southwest Network", False, False, "3050 S Vrain St"),
    ("306", "Godsman Elementary", "Southwest Network", True, False, "2120 W Arkansas Ave"),
    ("401", "Sandra Cisneros Elementary", "Southeast Network", True, False, "1150 S Quebec St"),
    ("402", "Hamilton Middle School", "Southeast Network", False, False, "8600 E Dartmouth Ave"),
    ("403", "Thomas Jefferson High School", "Southeast Network", False, False, "3950 S Holly St"),
    (
        "404",
        "Cherry Creek Trail Elementary",
        "Southeast Network",
        False,
        False,
        "2900 S Ivanhoe Pl",
    ),
    ("405", "Place Bridge Academy", "Southeast Network", True, True, "7125 Cherry Creek Dr N"),
    ("406", "Samuels Elementary", "Southeast Network", True, False, "3985 S Vincennes Ct"),
    ("501", "Rosa Parks Elementary", "Central Network", True, False, "1212 Mariposa St"),
    ("502", "Greenlee Metropolitan Middle School", "Central Network", True, False, "1150 Lipan St"),
    ("503", "Five Points Academy", "Central Network", True, False, "2626 Welton St"),
    ("504", "Morey Middle School", "Central Network", False, False, "840 E 14th Ave"),
    ("505", "Emily Griffith High School", "Central Network", False, False, "1860 Lincoln St"),
    ("506", "Goldrick Elementary", "Central Network", True, True, "1050 S Zuni St"),
    ("507", "La Alma Lincoln Park Elementary", "Central Network", True, False, "1325 W 11th Ave"),
    ("508", "Barnum Elementary", "Central Network", True, False, "85 Hooker St"),
]

SPANISH_HOLIDAY_NAMES = {
    "Labor Day": "Día del Trabajo",
    "Frances Xavier Cabrini Day": "Día de Frances Xavier Cabrini",
    "Veterans Day": "Día de los Veteranos",
    "Martin Luther King Jr. Day": "Día de Martin Luther King Jr.",
    "Washington's Birthday": "Día de los Presidentes",
    "Cesar Chavez Day": "Día de César Chávez",
    "Memorial Day": "Día de los Caídos",
}
ENGLISH_HOLIDAY_NAMES = {"Washington's Birthday": "Presidents' Day"}


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    email: str
    name: str
    school_codes: tuple[str, ...] = ()
    network: str | None = None
    language: str = "en"


DEMO_ACCOUNTS = (
    DemoAccount(Role.ADMIN, f"admin@{DEMO_DOMAIN}", "Priya Raman"),
    DemoAccount(
        Role.SENIOR_MANAGER, f"senior.manager@{DEMO_DOMAIN}", "Julia Sandoval", language="es"
    ),
    DemoAccount(Role.SPECIALIST, f"specialist@{DEMO_DOMAIN}", "Mateo Herrera", language="es"),
    DemoAccount(
        Role.SUPERINTENDENT,
        f"superintendent@{DEMO_DOMAIN}",
        "Dr. Alicia Montoya",
        network="Northwest Network",
    ),
    DemoAccount(
        Role.LIAISON, f"liaison@{DEMO_DOMAIN}", "Elvia Lubín", ("506", "501"), language="es"
    ),
    DemoAccount(Role.PROGRAMME_STAFF, f"programmes@{DEMO_DOMAIN}", "Grace Whitfield"),
    DemoAccount(
        Role.SOCIAL_WORKER,
        f"social.worker@{DEMO_DOMAIN}",
        "Tomás Aguilar",
        ("101", "103", "301", "506"),
    ),
    DemoAccount(Role.CASEWORKER, f"caseworker@{DEMO_DOMAIN}", "Renée Castillo", ("101", "506")),
    DemoAccount(Role.ANALYST, f"analyst@{DEMO_DOMAIN}", "Samuel Park"),
    DemoAccount(Role.FAMILY, f"family@{DEMO_DOMAIN}", "Rosa Martínez", language="es"),
)


def _weekdays(first: date, last: date):
    day = first
    while day <= last:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def _monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def school_year_calendar(today: date) -> list[tuple[date, DayKind, str, str]]:
    """Non-school weekdays of the school year around `today`, from Colorado's holidays."""
    start, end = school_year_bounds(today)
    first_day = _monday_of(date(start.year, 8, 17))
    last_day = date(end.year, 5, 28)
    days: dict[date, tuple[DayKind, str, str]] = {}
    for day, name in holidays.US(subdiv="CO", years=[start.year, end.year]).items():
        if first_day <= day <= last_day and day.weekday() < 5 and name in SPANISH_HOLIDAY_NAMES:
            days[day] = (
                DayKind.HOLIDAY,
                ENGLISH_HOLIDAY_NAMES.get(name, name),
                SPANISH_HOLIDAY_NAMES[name],
            )
    thanksgiving = next(
        d for d, n in holidays.US(years=start.year).items() if n == "Thanksgiving Day"
    )
    for day in _weekdays(_monday_of(thanksgiving), _monday_of(thanksgiving) + timedelta(days=4)):
        days[day] = (DayKind.BREAK, "Thanksgiving break", "Vacaciones de Acción de Gracias")
    winter_first = _monday_of(date(start.year, 12, 21))
    for day in _weekdays(winter_first, winter_first + timedelta(days=11)):
        days[day] = (DayKind.BREAK, "Winter break", "Vacaciones de invierno")
    spring_first = _monday_of(date(end.year, 3, 24))
    for day in _weekdays(spring_first, spring_first + timedelta(days=4)):
        days[day] = (DayKind.BREAK, "Spring break", "Vacaciones de primavera")
    for day in (
        _monday_of(date(start.year, 10, 16)) + timedelta(days=4),
        winter_first + timedelta(days=14),
        _monday_of(date(end.year, 2, 12)) + timedelta(days=4),
        last_day + timedelta(days=1),
    ):
        if day.weekday() < 5:
            days.setdefault(
                day,
                (
                    DayKind.NO_STUDENTS,
                    "Teacher work day: no classes",
                    "Jornada de trabajo docente: no hay clases",
                ),
            )
    return sorted((d, *v) for d, v in days.items())


def _set_up_demo_mfa(account: DemoAccount) -> None:
    """A demo account from before two-step sign-in gets its published key too."""
    if account.role not in MFA_ROLES:
        return
    user = db.session.scalar(select(User).where(User.email == account.email))
    if user is not None and user.mfa_secret is None:
        mfa.enrol_with_secret(user, demo_mfa_secret(account.email))
        db.session.commit()


def load_demo(today: date) -> dict[str, int]:
    """Create whatever of the demo district is missing; running it again changes nothing."""
    created = {"networks": 0, "schools": 0, "calendar days": 0, "accounts": 0}
    networks: dict[str, Network] = {n.name: n for n in db.session.scalars(select(Network))}
    for name in NETWORKS:
        if name not in networks:
            networks[name] = Network(name=name)
            db.session.add(networks[name])
            created["networks"] += 1
    existing_codes = set(db.session.scalars(select(School.code)))
    for code, name, network, title_i, pilot, street in SCHOOLS:
        if code not in existing_codes:
            db.session.add(
                School(
                    code=code,
                    name=name,
                    network=networks[network],
                    title_i=title_i,
                    human_services_pilot=pilot,
                    street=street,
                    city="Denver, CO",
                    postal_code=f"80{200 + int(code) % 50}",
                )
            )
            created["schools"] += 1
    stored = set(db.session.scalars(select(NonSchoolDay.day)))
    for day, kind, name_en, name_es in school_year_calendar(today):
        if day not in stored:
            db.session.add(NonSchoolDay(day=day, kind=kind, name_en=name_en, name_es=name_es))
            created["calendar days"] += 1
    db.session.commit()

    emails = set(db.session.scalars(select(User.email)))
    schools_by_code = {s.code: s.id for s in db.session.scalars(select(School))}
    superintendents = [
        DemoAccount(Role.SUPERINTENDENT, f"{slug}@{DEMO_DOMAIN}", person, network=name)
        for name, (person, slug) in NETWORKS.items()
        if name != "Northwest Network"
    ]
    for account in (*DEMO_ACCOUNTS, *superintendents):
        if account.email in emails:
            _set_up_demo_mfa(account)
            continue
        user = create_user(
            UserInput(
                email=account.email,
                name=account.name,
                preferred_language=account.language,
                roles=frozenset({account.role}),
                school_ids=frozenset(schools_by_code[c] for c in account.school_codes),
                network_id=networks[account.network].id if account.network else None,
                password=DEMO_PASSWORD,
            ),
            actor_id=None,
            ip=None,
            notify=False,  # fictional people: no welcome emails
        )
        if account.role in MFA_ROLES:
            mfa.enrol_with_secret(user, demo_mfa_secret(account.email))
            db.session.commit()
        created["accounts"] += 1
    return created
