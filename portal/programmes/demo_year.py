"""A school year of programmes for the demo, built in memory from a fixed seed.

Whatever day it is built for, the year is consistent: seats taken are the registrations
holding a seat, nobody attends or answers a survey for a session that has not happened,
facilitators are certified where the programme asks for it and never lead more than 40
parents across the cohorts still running; a school's family events are planned and run by its
own liaison. demo_write stores it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from portal.calendar.services import school_year_bounds
from portal.programmes import demo_people as people
from portal.programmes.demo_plan import Plan, year_plan
from portal.programmes.models import (
    PARENTS_PER_FACILITATOR,
    Audience,
    OfferingLanguage,
    OfferingStatus,
    Programme,
    RegistrationStatus,
    WaitlistStatus,
)
from portal.programmes.reference_data import topics as programme_topics

# Share of families at each school who use the portal in Spanish (the rest: English).
SPANISH_SHARE = {
    "101": 0.5, "103": 0.4, "201": 0.3, "202": 0.25, "203": 0.25, "206": 0.3, "301": 0.6,
    "302": 0.3, "303": 0.4, "304": 0.6, "306": 0.6, "405": 0.1, "406": 0.15, "501": 0.4,
    "502": 0.35, "506": 0.55, "507": 0.5, "508": 0.55,
}  # fmt: skip
# Offerings are published this many days ahead; until then they are drafts.
PUBLISHED_AHEAD = {Audience.FAMILIES: 90, Audience.LIAISONS: 60, Audience.SCHOOL_LEADERS: 60}
# Regulars come nearly every week, so most of them complete 5 of 6.
HABITS = ("regular", "occasional", "rare")
HABIT_WEIGHTS = (65, 22, 13)
# How often a family already known at the school signs up again, rather than a new one.
RETURNING = {"parenting-partners": 0.3, "healthy-meals": 0.5}
RETURNING_OTHERWISE = 0.65
FEEDBACK_SHARE = 0.4
ACTIVE = (OfferingStatus.DRAFT, OfferingStatus.OPEN, OfferingStatus.CLOSED)
SURVEY_KIND = {"parenting-partners": "workshop", "healthy-meals": "meals", "family-event": "event"}


@dataclass
class Staff:
    id: int
    name: str
    email: str
    language: str
    schools: tuple[str, ...]
    certified: str = ""  # "earlier" (before this year), "fall" or ""


@dataclass
class Reg:
    contact: int  # a row of Contacts
    language: str
    created_at: datetime
    status: RegistrationStatus = RegistrationStatus.REGISTERED
    holds_seat: bool = True
    walk_in: bool = False
    user_id: int | None = None
    registered_by_id: int | None = None
    children_count: int = 0
    children_ages: str = ""
    accommodations: str = ""
    promoted_at: datetime | None = None
    cancelled_at: datetime | None = None
    habit: str = "regular"
    joins_at: int = 0  # the first session they can come to (a walk-in's own)
    id: int | None = None  # once stored


@dataclass
class CheckIn:
    reg: Reg
    session: int  # index in the offering
    at: datetime
    by: int
    homework_done: bool


@dataclass
class Answer:
    reg: Reg
    session: int
    ratings: tuple[int, int, int]  # useful, facilitator, welcome
    comment: str
    at: datetime


@dataclass
class Built:
    plan: Plan
    programme: Programme
    status: OfferingStatus
    times: list[tuple[datetime, datetime]]
    topics: list[tuple[str, str]]
    opened: datetime  # registration opened
    created_by: int  # who planned it: the FACE office, or the school's liaison
    facilitators: list[int] = field(default_factory=list)
    regs: list[Reg] = field(default_factory=list)
    check_ins: list[CheckIn] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    @property
    def seats_taken(self) -> int:
        return sum(r.holds_seat for r in self.regs)


@dataclass
class Certified:
    contact: int
    user_id: int | None
    offering: Built | None  # None: certified before this school year
    at: datetime
    by: int | None


@dataclass
class Waiting:
    name: str
    school: str
    added_at: datetime
    status: WaitlistStatus = WaitlistStatus.WAITING
    note: str = ""
    registration: Reg | None = None

    @property
    def email(self) -> str:
        return f"{people.slug(self.name)}@example.org"


def _monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


class DemoYear:
    """The school year around `today`: from the third week of August to late May."""

    def __init__(
        self,
        today: date,
        *,
        zone: ZoneInfo,
        closed_days: set[date],
        programmes: dict[str, Programme],
        lead: Staff,
        team: list[Staff],
    ) -> None:
        self.rng = random.Random(2027)  # noqa: S311 - repeatable demo data, not secrets
        self.today, self.zone, self.closed_days = today, zone, closed_days
        self.programmes, self.lead, self.team = programmes, lead, team
        start, _ = school_year_bounds(today)
        self.first_monday = _monday_of(date(start.year, 8, 17))
        self.now = self._at(today, time(0))  # nothing from today on has happened yet
        # Staff and school leaders have been known to the FACE office since last school year.
        self.known_since = self._at(self.first_monday - timedelta(days=150), time(9))
        self.contacts = people.Contacts(self.rng)
        self.pp_families: set[int] = set()  # nobody takes Parenting Partners twice
        self.loads: dict[int, Fraction] = {}
        self.turns: dict[int, int] = {}
        self.offerings: list[Built] = []
        for plan in year_plan(self.first_monday):  # the trainer-of-trainers first
            self.offerings.append(self.offering(plan))
        self.certified = self.certify()
        self.waitlist = self.training_waitlist()

    def _at(self, day: date, at: time) -> datetime:
        """A wall-clock time in the district, as a UTC instant."""
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)

    def _between(self, first: datetime, last: datetime) -> datetime:
        return first + timedelta(
            seconds=self.rng.uniform(0, max((last - first).total_seconds(), 60))
        )

    def _dates(self, plan: Plan, count: int) -> list[date]:
        """Session days; one on a day without school moves on (a week, for a weekly series)."""
        day = self.first_monday + timedelta(weeks=plan.week, days=plan.weekday)
        days: list[date] = []
        while len(days) < count:
            while day in self.closed_days or day.weekday() >= 5:
                day += timedelta(days=7 if plan.every == 7 else 1)
            days.append(day)
            day += timedelta(days=plan.every)
        return days

    def offering(self, plan: Plan) -> Built:
        programme = self.programmes[plan.programme]
        topics = list(plan.topics or programme_topics(plan.programme) or [("", "")])
        hours = (time(17, 30), time(19, 30)) if plan.evening else (time(8, 30), time(10))
        days = self._dates(plan, len(topics))
        times = [(self._at(d, hours[0]), self._at(d, hours[1])) for d in days]
        if plan.cancelled:
            status = OfferingStatus.CANCELLED
        elif days[-1] < self.today:
            status = OfferingStatus.COMPLETED
        elif days[0] < self.today:
            status = OfferingStatus.CLOSED if plan.closes_once_started else OfferingStatus.OPEN
        elif (days[0] - self.today).days > PUBLISHED_AHEAD[programme.audience]:
            status = OfferingStatus.DRAFT
        else:
            status = OfferingStatus.OPEN
        opened = min(times[0][0] - timedelta(days=35), self.now - timedelta(days=21))
        creator = (self._liaison(plan.school) if plan.by_liaison else None) or self.lead.id
        item = Built(plan, programme, status, times, topics, opened, creator)
        item.facilitators = self.facilitators(item)
        if programme.facilitated and not item.facilitators:
            # Loaded so early in the year that nobody certified is free yet: still a plan.
            item.status = OfferingStatus.DRAFT
        if item.status == OfferingStatus.DRAFT:
            return item
        if programme.audience == Audience.FAMILIES:
            self.enrol_families(item)
            self.walk_ins(item)
        else:
            self.enrol_staff(item)
        if status != OfferingStatus.CANCELLED:
            self.attend(item)
        return item

    def facilitators(self, item: Built) -> list[int]:
        """The school's own liaison first, then whoever leads fewest parents right now."""
        plan, programme = item.plan, item.programme
        if not programme.facilitated:
            return [self.lead.id] if plan.school is None else []
        pool = [p for p in (*self.team, self.lead) if self._certified(p)]
        if not programme.requires_certification:
            pool += [p for p in self.team if plan.school in p.schools and p not in pool]
            pool += [] if self.lead in pool else [self.lead]
        share = Fraction(plan.capacity, plan.facilitators)
        active = item.status in ACTIVE
        pool.sort(
            key=lambda p: (
                plan.school not in p.schools,
                self.loads.get(p.id, 0),
                self.turns.get(p.id, 0),
                p.id,
            )
        )
        limit = PARENTS_PER_FACILITATOR
        chosen = [p.id for p in pool if not active or self.loads.get(p.id, 0) + share <= limit]
        chosen = chosen[: plan.facilitators]
        if len(chosen) < plan.facilitators:
            return []
        for user_id in chosen:
            self.turns[user_id] = self.turns.get(user_id, 0) + 1
            if active:
                self.loads[user_id] = self.loads.get(user_id, 0) + share
        return chosen

    def _certified(self, person: Staff) -> bool:
        """Certified by now: before this year, or at a fall training that has taken place."""
        if person.certified == "fall":
            return any(
                b.programme.certifies_facilitators and b.status == OfferingStatus.COMPLETED
                for b in self.offerings
            )
        return person.certified == "earlier"

    def _door(self, item: Built) -> int:
        """Who checks people in: a facilitator, else the school's liaison, else the lead."""
        return (item.facilitators or [self._liaison(item.plan.school) or self.lead.id])[0]

    def _liaison(self, school: str | None) -> int | None:
        return next((p.id for p in self.team if school in p.schools), None)

    def _family(self, plan: Plan, taken: set[int], returning: float, when: datetime) -> int:
        """A family for this offering: one the school knows already, or a new one."""
        if plan.language == OfferingLanguage.BILINGUAL:
            spanish = self.rng.random() < SPANISH_SHARE.get(plan.school or "", 0.5)
            language = "es" if spanish else "en"
        else:
            language = plan.language.value
        school = plan.school or ""
        if self.rng.random() < returning:
            known = [
                c
                for c in self.contacts.by_school[school]
                if c not in taken
                and self.contacts.languages[c] == language
                and self.contacts.rows[c]["created_at"] <= when
                and not (plan.programme == "parenting-partners" and c in self.pp_families)
            ]
            if known:
                return self.rng.choice(known)
        return self.contacts.family(school, language, when)

    def _family_reg(self, item: Built, contact: int, when: datetime) -> Reg:
        rng = self.rng
        language = self.contacts.languages[contact]
        reg = Reg(contact, language, when, habit=rng.choices(HABITS, HABIT_WEIGHTS)[0])
        if item.plan.childcare and rng.random() < 0.45:
            reg.children_count = rng.choices((1, 2, 3), (50, 35, 15))[0]
            reg.children_ages = people.children_ages(reg.children_count, language, rng)
        if rng.random() < 0.05:
            reg.accommodations = rng.choice(people.ACCOMMODATIONS[language])
        return reg

    def enrol_families(self, item: Built) -> None:
        """Sign-ups before the first session: a few cancel; full ones have a waitlist."""
        plan, rng = item.plan, self.rng
        first = item.times[0][0]
        latest = min(first - timedelta(hours=3), self.now - timedelta(hours=1))
        waiting = 0
        if plan.full:
            seated, waiting = plan.capacity, rng.randint(3, 7)
        else:
            share = plan.fill
            if first > self.now:  # still filling up
                days_left = (first - self.now).days
                share *= 0.95 if days_left <= 21 else 0.8 if days_left <= 45 else 0.6
            seated = round(plan.capacity * share * rng.uniform(0.9, 1.1))
            seated = max(3, min(seated, plan.capacity - 2))
        returning = RETURNING.get(plan.programme, RETURNING_OTHERWISE)
        liaison = self._liaison(plan.school)
        taken: set[int] = set()
        for n, when in enumerate(
            sorted(self._between(item.opened, latest) for _ in range(seated + waiting))
        ):
            contact = self._family(plan, taken, returning, when)
            taken.add(contact)
            reg = self._family_reg(item, contact, when)
            # Some call their liaison, who registers them.
            reg.registered_by_id = liaison if liaison and rng.random() < 0.2 else None
            if n >= seated:
                reg.status, reg.holds_seat = RegistrationStatus.WAITLISTED, False
            item.regs.append(reg)
        if plan.programme == "parenting-partners":
            self.pp_families |= taken
        seats = [r for r in item.regs if r.holds_seat]
        queue = [r for r in item.regs if r.status == RegistrationStatus.WAITLISTED]
        if queue and rng.random() < 0.8:
            # Someone gave up their seat, and the first in line was given it.
            leaving = rng.choice(seats)
            when = self._between(max(queue[0].created_at, leaving.created_at), latest)
            _cancel(leaving, when)
            queue[0].status, queue[0].holds_seat = RegistrationStatus.REGISTERED, True
            queue[0].promoted_at = when
        elif not queue:
            for reg in seats:
                if rng.random() < 0.06:
                    _cancel(reg, self._between(reg.created_at, latest))

    def walk_ins(self, item: Built) -> None:
        """Registered at the door of sessions that happened; over capacity, without a seat."""
        plan, rng = item.plan, self.rng
        if item.status == OfferingStatus.CANCELLED:
            return
        taken = {r.contact for r in item.regs}
        door = self._door(item)
        for index, (starts, _ends) in enumerate(item.times):
            if starts >= self.now:
                break
            if plan.programme == "family-event":
                count = round(plan.capacity * rng.uniform(0.06, 0.14))
            else:
                count = rng.choice((0, 1, 1, 2)) if index == 0 else int(rng.random() < 0.12)
            for _ in range(count):
                when = starts + timedelta(minutes=rng.randint(-10, 25))
                contact = self._family(plan, taken, 0.5, when)
                taken.add(contact)
                reg = self._family_reg(item, contact, when)
                reg.walk_in, reg.registered_by_id, reg.joins_at = True, door, index
                reg.habit = "occasional"
                reg.holds_seat = item.seats_taken < plan.capacity
                item.regs.append(reg)

    def enrol_staff(self, item: Built) -> None:
        """Liaisons at trainings and PLG meetings; liaisons and school leaders (who have no
        account) at trainer-of-trainers."""
        plan, rng = item.plan, self.rng
        latest = min(item.times[0][0] - timedelta(hours=12), self.now - timedelta(hours=1))
        if item.programme.certifies_facilitators:
            who = [(p.name, p.email, p.language, p.id) for p in self.team if p.certified == "fall"]
            who += [
                (leader.name, leader.email, leader.language, None)
                for leader in people.TRAINED_LEADERS
            ]
        else:
            who = [
                (p.name, p.email, p.language, p.id) for p in self.team if rng.random() < plan.fill
            ]
        for name, email, language, user_id in who:
            when = self._between(item.opened, latest)
            contact = self.contacts.person(name, email, language, self.known_since)
            item.regs.append(Reg(contact, language, when, user_id=user_id))
        item.regs.sort(key=lambda r: r.created_at)

    def attend(self, item: Built) -> None:
        """Check-ins at sessions before today, and the surveys some of them answered."""
        rng = self.rng
        door = self._door(item)
        homework = item.programme.assigns_homework
        absent = {self.contacts.staff.get(x.email) for x in people.TRAINED_LEADERS if x.misses}
        for index, (starts, ends) in enumerate(item.times):
            if starts >= self.now:
                break
            for reg in item.regs:
                if reg.status != RegistrationStatus.REGISTERED or reg.joins_at > index:
                    continue
                if item.programme.certifies_facilitators:
                    here = not (reg.contact in absent and index == 1)
                elif reg.walk_in and reg.joins_at == index:
                    here = True
                elif reg.user_id is not None:
                    here = rng.random() < 0.88
                else:
                    here = rng.random() < _show_up(reg.habit, index, len(item.times))
                if not here:
                    continue
                at = starts + timedelta(minutes=min(max(rng.gauss(-3, 8), -25), 40))
                if reg.walk_in and reg.joins_at == index:  # checked in as they are registered
                    at = reg.created_at + timedelta(seconds=rng.randint(20, 120))
                done = homework and index > 0 and rng.random() < _homework(reg)
                item.check_ins.append(CheckIn(reg, index, at, door, done))
                if rng.random() < FEEDBACK_SHARE:
                    item.answers.append(self._answer(item, reg, index, ends))

    def _answer(self, item: Built, reg: Reg, index: int, ends: datetime) -> Answer:
        """Ratings mostly 4 and 5; a short comment in their own language about half the time."""
        rng = self.rng
        base = rng.choices((5, 4, 3, 2, 1), (52, 30, 12, 4, 2))[0]
        ratings = (
            base,
            min(5, max(1, base + rng.choice((0, 0, 0, 1, -1)))),
            min(5, max(1, base + rng.choice((0, 0, 1, 1, -1)))),
        )
        comment = ""
        if rng.random() < 0.55:
            kind = SURVEY_KIND.get(item.plan.programme, "staff")
            comment = people.comment(kind, reg.language, sum(ratings) / 3, rng)
        # The survey link goes out minutes after the session; answers come within two days.
        answered = ends + timedelta(minutes=rng.randint(15, 48 * 60))
        return Answer(reg, index, ratings, comment, min(answered, self.now - timedelta(minutes=1)))

    def certify(self) -> list[Certified]:
        """A few certified in earlier years, and all who attended every session of the fall
        trainer-of-trainers."""
        earlier = self._at(self.first_monday - timedelta(days=120), time(10))
        rows = [
            Certified(
                self.contacts.person(p.name, p.email, p.language, self.known_since),
                p.id,
                None,
                earlier,
                None if p is self.lead else self.lead.id,
            )
            for p in (self.lead, *self.team)
            if p.certified == "earlier"
        ]
        for item in self.offerings:
            if not item.programme.certifies_facilitators or item.status != OfferingStatus.COMPLETED:
                continue
            for reg in item.regs:
                came = sum(c.reg is reg for c in item.check_ins)
                if came == len(item.times):
                    done = item.times[-1][1] + timedelta(hours=2)
                    rows.append(Certified(reg.contact, reg.user_id, item, done, self.lead.id))
        return rows

    def training_waitlist(self) -> list[Waiting]:
        """School leaders waiting, in order, for the next trainer-of-trainers; two of the first
        got places at the fall training and one withdrew."""
        training = next(b for b in self.offerings if b.programme.certifies_facilitators)
        by_contact = {r.contact: r for r in training.regs}
        spring = self._at(self.first_monday - timedelta(days=125), time(11))
        entries = [
            Waiting(
                leader.name,
                leader.school,
                spring + timedelta(days=3 * n),
                WaitlistStatus.ENROLLED,
                registration=by_contact.get(self.contacts.staff.get(leader.email, -1)),
            )
            for n, leader in enumerate(x for x in people.TRAINED_LEADERS if x.from_waitlist)
        ]
        name, school, note = people.WITHDRAWN_LEADER
        entries.append(
            Waiting(name, school, spring + timedelta(days=20), WaitlistStatus.WITHDRAWN, note)
        )
        first = spring + timedelta(days=30)
        step = (self.now - timedelta(days=2) - first) / len(people.WAITING_LEADERS)
        for n, (name, school) in enumerate(people.WAITING_LEADERS):
            # Added during office hours, in the order they asked.
            day = (first + step * n).astimezone(self.zone).date()
            entries.append(Waiting(name, school, self._at(day, time(self.rng.randint(8, 16)))))
        return entries


def _cancel(reg: Reg, when: datetime) -> None:
    reg.status, reg.holds_seat, reg.cancelled_at = RegistrationStatus.CANCELLED, False, when


def _show_up(habit: str, index: int, sessions: int) -> float:
    if sessions == 1:  # an event: not everyone who registered comes
        return {"regular": 0.8, "occasional": 0.55, "rare": 0.2}[habit]
    if habit == "regular":
        return 0.95 if index == 0 else 0.93
    if habit == "occasional":
        return max(0.25, 0.7 - 0.08 * index)
    return 0.4 if index == 0 else 0.12


def _homework(reg: Reg) -> float:
    if reg.walk_in:
        return 0.5
    return {"regular": 0.88, "occasional": 0.6, "rare": 0.4}[reg.habit]
