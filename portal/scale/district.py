"""Networks, schools, staff accounts and the families the generated cases and events draw on."""

from __future__ import annotations

import random
import secrets
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from math import ceil

from portal.auth.models import User, UserRole, user_schools
from portal.auth.roles import Role
from portal.auth.services import hash_password
from portal.families.models import ContactMethod, FamilyContact
from portal.scale import names
from portal.scale.days import instant
from portal.scale.loader import BulkLoader
from portal.schools.models import Network, School

EMAIL_DOMAIN = "scale.puente.example.org"
SCHOOLS_PER_NETWORK = 60

# How a family's language is coded in the generator's arrays.
EN, ES, OTHER = 0, 1, 2


@dataclass
class SchoolFacts:
    id: int
    network_id: int
    title_i: bool
    weight: float  # relative size: how many families it brings
    spanish: float  # share of its families who speak Spanish at home
    other: float  # share who speak another language (not English or Spanish)
    liaisons: list[int] = field(default_factory=list)


@dataclass
class Staff:
    id: int
    name: str
    email: str
    language: str
    role: Role


@dataclass
class District:
    networks: dict[int, int]  # network id -> its superintendent's user id
    schools: list[SchoolFacts]
    staff: dict[Role, list[Staff]]
    created_at: int  # epoch seconds the accounts and schools are dated

    def ids(self, role: Role) -> list[int]:
        return [person.id for person in self.staff.get(role, [])]

    def school(self, school_id: int) -> SchoolFacts:
        return self._by_id[school_id]

    def __post_init__(self) -> None:
        self._by_id = {s.id: s for s in self.schools}


def staff_counts(schools: int, cases_per_year: float) -> dict[Role, int]:
    """Staff in proportion to the district: a liaison for most schools, specialists to cases."""
    return {
        Role.SENIOR_MANAGER: 1 + schools // 600,
        Role.SPECIALIST: max(3, ceil(cases_per_year / 5000)),
        Role.PROGRAMME_STAFF: max(2, ceil(schools / 150)),
        Role.LIAISON: max(1, ceil(schools * 0.8)),
        Role.ANALYST: 1,
    }


def build_district(
    loader: BulkLoader, rng: random.Random, *, schools: int, cases_per_year: float, created: int
) -> District:
    """Write the accounts, networks and schools (small tables) and return what later needs."""
    network_count = max(1, round(schools / SCHOOLS_PER_NETWORK))
    first_user = loader.next_id(User.__table__)
    first_network = loader.next_id(Network.__table__)
    first_school = loader.next_id(School.__table__)
    # Nobody signs in as a generated person: one hash of a password nobody knows serves all.
    password_hash = hash_password(secrets.token_urlsafe(32))
    when = instant(created)

    staff: dict[Role, list[Staff]] = {}
    next_user = first_user

    def person(role: Role) -> Staff:
        nonlocal next_user
        language = "es" if rng.random() < (0.4 if role == Role.LIAISON else 0.2) else "en"
        name = f"{rng.choice(names.FIRST_NAMES)} {rng.choice(names.LAST_NAMES)}"
        member = Staff(next_user, name, f"{role.value}.{next_user}@{EMAIL_DOMAIN}", language, role)
        next_user += 1
        staff.setdefault(role, []).append(member)
        return member

    superintendents = [person(Role.SUPERINTENDENT) for _ in range(network_count)]
    for role, count in staff_counts(schools, cases_per_year).items():
        for _ in range(count):
            person(role)

    everyone = [member for members in staff.values() for member in members]
    loader.load(
        User.__table__,
        (
            "id",
            "email",
            "name",
            "password_hash",
            "preferred_language",
            "active",
            "created_at",
            "updated_at",
        ),
        ((m.id, m.email, m.name, password_hash, m.language, True, when, when) for m in everyone),
        expected=len(everyone),
        label="users",
    )
    loader.load(
        UserRole.__table__,
        ("user_id", "role"),
        ((m.id, m.role.value) for m in everyone),
        expected=len(everyone),
        label="user_roles",
    )

    networks = {}
    network_rows = []
    for index, superintendent in enumerate(superintendents):
        network_id = first_network + index
        networks[network_id] = superintendent.id
        region = names.REGIONS[index % len(names.REGIONS)]
        network_rows.append((network_id, f"{region} Network {network_id}", superintendent.id))
    loader.load(
        Network.__table__,
        ("id", "name", "superintendent_id"),
        network_rows,
        expected=len(network_rows),
        label="networks",
    )

    kinds = [k for k, _ in names.SCHOOL_KINDS]
    kind_weights = [w for _, w in names.SCHOOL_KINDS]
    size = {"High School": 1.8, "Middle School": 1.3, "K-8": 1.2, "Academy": 0.7}
    namesakes = [*names.SCHOOL_NAMESAKES, *names.PLACES]
    used: set[str] = set()
    facts: list[SchoolFacts] = []
    school_rows = []
    network_ids = list(networks)
    for index in range(schools):
        school_id = first_school + index
        kind = rng.choices(kinds, kind_weights)[0]
        name = f"{rng.choice(namesakes)} {kind}"
        if name in used:
            name = f"{name} at {rng.choice(names.PLACES)}"
        if name in used:
            name = f"{name} {school_id}"
        used.add(name)
        title_i = rng.random() < 0.6
        pilot = rng.random() < 0.03 or (index == 0 and schools >= 3)
        # Networks are contiguous runs of schools, as they are drawn on a map.
        network_id = network_ids[min(index * len(network_ids) // schools, len(network_ids) - 1)]
        spanish = min(max(rng.gauss(0.5 if title_i else 0.22, 0.17), 0.02), 0.9)
        other = min(max(rng.gauss(0.05, 0.035), 0.0), 0.2)
        facts.append(
            SchoolFacts(
                school_id,
                network_id,
                title_i,
                rng.lognormvariate(0, 0.45) * size.get(kind, 1.0),
                spanish,
                other,
            )
        )
        school_rows.append(
            (
                school_id,
                f"S{school_id:05d}",
                name,
                network_id,
                title_i,
                pilot,
                f"{rng.randint(100, 9999)} {rng.choice(names.STREETS)}",
                "Denver, CO",
                f"80{rng.randint(200, 249)}",
                True,
            )
        )
    loader.load(
        School.__table__,
        (
            "id",
            "code",
            "name",
            "network_id",
            "title_i",
            "human_services_pilot",
            "street",
            "city",
            "postal_code",
            "active",
        ),
        school_rows,
        expected=len(school_rows),
        label="schools",
    )

    # Each liaison has a school; the schools left over share one with another school.
    liaisons = staff[Role.LIAISON]
    links = []
    for index, school in enumerate(facts):
        liaison = liaisons[index % len(liaisons)]
        school.liaisons.append(liaison.id)
        links.append((liaison.id, school.id))
    loader.load(
        user_schools,
        ("user_id", "school_id"),
        links,
        expected=len(links),
        label="user_schools",
    )
    return District(networks, facts, staff, created)


class Families:
    """Every family contact the generator hands out, numbered in the order they first appear.

    Each school keeps a pool of its families, so that a family files a second case or comes
    back to another event at the same school; contacts are written before the rows that point
    at them, with `created_at` the moment they were first seen.
    """

    def __init__(self, first_id: int, rng: random.Random) -> None:
        self.first_id = first_id
        self.rng = rng
        self.language = bytearray()
        self.first_seen = array("q")
        self.pools: dict[int, array] = {}
        self.staff: dict[int, tuple[str, str, str]] = {}  # contact id -> name, email, language
        self.staff_contact: dict[int, int] = {}  # user id -> contact id

    def __len__(self) -> int:
        return len(self.language)

    def _new(self, language: int, when: int) -> int:
        self.language.append(language)
        self.first_seen.append(when)
        return self.first_id + len(self.language) - 1

    def new(self, school: SchoolFacts, when: int) -> int:
        draw = self.rng.random()
        language = (
            ES if draw < school.spanish else OTHER if draw < school.spanish + school.other else EN
        )
        contact = self._new(language, when)
        pool = self.pools.get(school.id)
        if pool is None:
            pool = self.pools[school.id] = array("l")
        pool.append(contact)
        return contact

    def pick(self, school: SchoolFacts, when: int, returning: float) -> int:
        """A family of the school: one seen before with probability `returning`, else a new one."""
        pool = self.pools.get(school.id)
        if pool and self.rng.random() < returning:
            contact = pool[int(self.rng.random() * len(pool))]
            self.seen(contact, when)
            return contact
        return self.new(school, when)

    def seen(self, contact: int, when: int) -> None:
        index = contact - self.first_id
        if when < self.first_seen[index]:
            self.first_seen[index] = when

    def for_staff(self, member: Staff, when: int) -> int:
        """A staff member's own contact, for their registrations at trainings."""
        contact = self.staff_contact.get(member.id)
        if contact is None:
            contact = self._new(ES if member.language == "es" else EN, when)
            self.staff[contact] = (member.name, member.email, member.language)
            self.staff_contact[member.id] = contact
        else:
            self.seen(contact, when)
        return contact

    def page_language(self, contact: int) -> str:
        """The portal language the family reads: Spanish or English (with an interpreter)."""
        return "es" if self.language[contact - self.first_id] == ES else "en"

    COLUMNS = (
        "id",
        "name",
        "phone",
        "email",
        "language",
        "other_language",
        "interpreter_needed",
        "contact_method",
        "best_time",
        "created_at",
        "updated_at",
    )

    def rows(self, rng: random.Random) -> Iterator[tuple]:
        first, last = names.FIRST_NAMES, names.LAST_NAMES
        others = [n for n, _ in names.OTHER_LANGUAGES]
        other_weights = [w for _, w in names.OTHER_LANGUAGES]
        phone, text, email_method = ContactMethod.PHONE.value, ContactMethod.TEXT.value, "email"
        for index, language in enumerate(self.language):
            contact = self.first_id + index
            when = instant(self.first_seen[index])
            staff = self.staff.get(contact)
            if staff is not None:
                name, email, page = staff
                yield (contact, name, None, email, page, "", False, email_method, "", when, when)
                continue
            # A number per contact, all valid North American numbers in the 720 area code.
            number = (contact * 7919) % 8_000_000
            phone_number = f"+1720{2 + number // 1_000_000}{number % 1_000_000:06d}"
            email = f"family.{contact}@example.org" if rng.random() < 0.55 else None
            draw = rng.random()
            method = email_method if email and draw < 0.3 else text if draw < 0.65 else phone
            other = rng.choices(others, other_weights)[0] if language == OTHER else ""
            yield (
                contact,
                f"{rng.choice(first)} {rng.choice(last)}",
                phone_number,
                email,
                "es" if language == ES else "en",
                other,
                language == OTHER or (language == ES and rng.random() < 0.25),
                method,
                "",
                when,
                when,
            )

    def load(self, loader: BulkLoader, rng: random.Random) -> int:
        return loader.load(
            FamilyContact.__table__,
            self.COLUMNS,
            self.rows(rng),
            expected=len(self),
            label="family_contacts",
        )
