"""Offerings: family events, Parenting Partners and Healthy Meals cohorts, and liaisons' trainings.

Planned school year by school year, like the cases: first what happens (who registers, who
gets a seat or waits, who cancels and who is promoted, who walks in, who comes to which
session, does the homework and answers the survey), then the rows. The planning keeps the
portal's rules: seats taken are exactly the registrations holding a seat and never more than
the capacity; one registration per family and offering; Parenting Partners is led only by
facilitators certified by a trainer-of-trainers offering they completed; no facilitator leads
more than 40 parents across the cohorts still running.
"""

from __future__ import annotations

import hashlib
import random
from array import array
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from math import ceil, exp

from portal.auth.roles import Role
from portal.programmes.models import (
    PARENTS_PER_FACILITATOR,
    Attendance,
    FacilitatorCertification,
    Offering,
    OfferingSession,
    Registration,
    SessionFeedback,
    offering_facilitators,
)
from portal.programmes.reference_data import topics
from portal.scale import names
from portal.scale.days import DistrictDays, instant
from portal.scale.district import District, Families, SchoolFacts, Staff
from portal.scale.loader import BulkLoader

HOUR = 3600
MINUTE = 60
DAY = 86400
# Family events follow the school year: busy in autumn and spring, none over the summer.
EVENT_MONTHS = {
    8: 0.5,
    9: 1.2,
    10: 1.3,
    11: 1.0,
    12: 0.4,
    1: 0.9,
    2: 1.1,
    3: 1.0,
    4: 1.1,
    5: 0.8,
}
REGISTERED, WAITLISTED, CANCELLED = 0, 1, 2
REGISTRATION_STATUSES = ("registered", "waitlisted", "cancelled")
NO_SESSION = 255
CHILDREN = (0, 0, 1, 1, 2, 2, 3, 4)


@dataclass
class OfferingFacts:
    index: int  # in the planner's list
    id: int
    programme: str
    school_id: int | None
    title: tuple[str, str]
    language: str
    capacity: int
    created_by: int | None
    created: int
    sessions: list[tuple[int, int, int, str, str]]  # id, starts, ends, topic en, topic es
    location: str
    childcare: bool
    interpretation: bool
    cancelled: bool = False
    status: str = "open"
    seats_taken: int = 0
    facilitators: list[int] = field(default_factory=list)
    first_registration: int = 0  # its registrations are the ones planned right after it


class RegistrationFacts:
    def __init__(self, first_id: int) -> None:
        self.first_id = first_id
        self.offering = array("l")  # index in the offerings list
        self.contact = array("l")
        self.user = array("l")
        self.registered_by = array("l")
        self.created = array("q")
        self.promoted = array("q")
        self.cancelled = array("q")
        self.status = bytearray()
        self.walk_in = bytearray()
        self.holds_seat = bytearray()
        self.children = bytearray()
        self.spanish = bytearray()
        self.walk_session = bytearray()
        self.attended = bytearray()  # bit k: came to session k
        self.homework = bytearray()  # bit k: homework done for session k
        self.feedback = bytearray()  # bit k: answered the survey after session k
        self.attendances = 0
        self.answers = 0

    def __len__(self) -> int:
        return len(self.offering)


@dataclass
class ProgrammeFacts:
    offerings: list[OfferingFacts]
    registrations: RegistrationFacts
    certifications: list[tuple[int, int, int, int, int]]  # contact, user, offering, at, by


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


class ProgrammePlanner:
    def __init__(
        self,
        days: DistrictDays,
        district: District,
        families: Families,
        programmes: dict[str, int],
        rng: random.Random,
        cutoff: int,
        *,
        first_offering: int,
        first_session: int,
        first_registration: int,
    ) -> None:
        self.days = days
        self.district = district
        self.families = families
        self.programmes = programmes
        self.rng = rng
        self.cutoff = cutoff
        self.next_offering = first_offering
        self.next_session = first_session
        self.offerings: list[OfferingFacts] = []
        self.registrations = RegistrationFacts(first_registration)
        self.certified: dict[int, int] = {}  # user id -> when certified
        self.certifications: list[tuple[int, int, int, int, int]] = []
        self.load: dict[int, float] = {}  # facilitator -> seats of cohorts still running
        self.staff = district.staff
        self.programme_staff = district.staff.get(Role.PROGRAMME_STAFF, [])
        self.liaisons = district.staff.get(Role.LIAISON, [])
        order = list(self.liaisons)
        rng.shuffle(order)
        # Programme staff are trained first: they lead the first cohorts.
        self.to_certify: list[Staff] = [*self.programme_staff, *order]
        self.by_user = {m.id: m for members in district.staff.values() for m in members}
        self.last_day = days.last.toordinal() + 42  # offerings open for registration ahead

    # -- the school year --------------------------------------------------------------------

    def plan(self, progress: Callable[[int], None]) -> ProgrammeFacts:
        first = self.days.first
        year = first.year if first.month >= 7 else first.year - 1
        while date(year, 8, 1).toordinal() <= self.last_day:
            self._school_year(year)
            progress(1)
            year += 1
        return ProgrammeFacts(self.offerings, self.registrations, self.certifications)

    def _in_range(self, ordinal: int) -> bool:
        return self.days.first.toordinal() <= ordinal <= self.last_day

    def _school_year(self, year: int) -> None:
        rng = self.rng
        school_days = [
            d
            for d in self.days.school_days(date(year, 8, 1), date(year + 1, 6, 30))
            if self._in_range(d)
        ]
        if not school_days:
            return
        weights, running = [], 0.0
        for ordinal in school_days:
            running += EVENT_MONTHS.get(date.fromordinal(ordinal).month, 0.0)
            weights.append(running)
        self._trainings(year)
        schools = self.district.schools
        for school in schools:
            for _ in range(_poisson(rng, 3.2 if school.title_i else 2.0)):
                day = school_days[bisect(weights, rng.random() * running)]
                self._event(school, day)
        # The office plans its cohorts for the year: about one Title I school in two and one
        # other school in seven get Parenting Partners, a little fewer Healthy Meals; Title I
        # schools are offered them first, and a school whose liaison cannot lead it is passed.
        title_i = [s for s in schools if s.title_i]
        others = [s for s in schools if not s.title_i]
        for code, share_title_i, share_others in (
            ("parenting-partners", 0.5, 0.15),
            ("healthy-meals", 0.4, 0.15),
        ):
            planned = len(title_i) * share_title_i + len(others) * share_others
            for fall, share in ((True, 0.6), (False, 0.4)):
                quota = max(1, round(planned * share))
                order = rng.sample(title_i, len(title_i)) + rng.sample(others, len(others))
                for school in order:
                    if quota and self._cohort(school, code, year, fall=fall):
                        quota -= 1

    def _weekday_on_or_after(self, ordinal: int, weekday: int) -> int:
        return ordinal + (weekday - date.fromordinal(ordinal).weekday()) % 7

    def _weekly(self, start: int, count: int) -> list[int]:
        """`count` school days a week apart from `start`, skipping weeks with no classes."""
        days, ordinal, guard = [], start, 0
        while len(days) < count and guard < count + 12:
            index = ordinal - self.days.base
            if 0 <= index < len(self.days.is_school) and self.days.is_school[index]:
                days.append(ordinal)
            ordinal += 7
            guard += 1
        return days

    def _saturday_after(self, ordinal: int) -> int:
        return self._weekday_on_or_after(ordinal, 5)

    # -- district trainings for liaisons and school leaders ----------------------------------

    def _trainings(self, year: int) -> None:
        rng = self.rng
        liaisons = self.liaisons
        groups = max(1, ceil(len(liaisons) / 60))
        trainer = self.programme_staff[0] if self.programme_staff else None
        by = trainer.id if trainer else None
        # Trainer-of-trainers: enough groups of 15 to train every liaison within four years.
        trainings = max(1, ceil(len(self.to_certify) / 60))
        for index in range(trainings):
            opening = date(year, 8, 8) if index == 0 else date(year, 9, 1)
            spread = 0 if index == 0 else (index * 230) // trainings
            first = self._saturday_after(opening.toordinal() + spread)
            starts = [self.days.at(first, 9 * HOUR), self.days.at(first + 7, 9 * HOUR)]
            offering = self._offering(
                "trainer-of-trainers",
                None,
                starts,
                6 * HOUR,
                15,
                by,
                names=("", ""),
                language="bilingual",
                location="District professional learning center",
            )
            if offering is None:
                continue
            waiting = [m for m in self.to_certify if m.id not in self.certified][:15]
            for member in waiting:
                self._staff_registration(offering, member, registered_by=by)
            self._cancellations(offering)
            self._settle(offering, 0.93)
            self._certify(offering, by)
        for code, month, share, show_up in (
            ("liaison-training", 8, 1.0, 0.9),
            ("plg", 10, 0.7, 0.8),
            ("plg", 1, 0.7, 0.8),
            ("plg", 4, 0.7, 0.8),
        ):
            calendar_year = year if month >= 7 else year + 1
            chosen = [m for m in liaisons if rng.random() < share]
            for group in range(groups):
                members = chosen[group::groups]
                if not members:
                    continue
                day = self._weekday_on_or_after(
                    date(calendar_year, month, 12).toordinal() + group, 2
                )
                hour = 9 if code == "liaison-training" else 13
                offering = self._offering(
                    code,
                    None,
                    [self.days.at(day, hour * HOUR)],
                    (6 if code == "liaison-training" else 2) * HOUR,
                    max(60, len(members)),
                    by,
                    names=("", ""),
                    language="bilingual",
                    location="District professional learning center",
                )
                if offering is None:
                    continue
                for member in members:
                    self._staff_registration(offering, member, registered_by=None)
                self._cancellations(offering)
                self._settle(offering, show_up)

    def _staff_registration(
        self, offering: OfferingFacts, member: Staff, *, registered_by: int | None
    ) -> None:
        first_start = offering.sessions[0][1]
        created = offering.created + int(self.rng.random() * (first_start - offering.created))
        if created >= self.cutoff:
            return
        contact = self.families.for_staff(member, created)
        self._add(
            offering,
            contact,
            created,
            user=member.id,
            registered_by=registered_by,
            spanish=member.language == "es",
            children=0,
        )

    def _certify(self, offering: OfferingFacts, by: int | None) -> None:
        """Everyone who came to every session is certified the day after the last one."""
        if offering.cancelled:
            return
        when = offering.sessions[-1][2] + DAY
        if when >= self.cutoff:
            return
        regs = self.registrations
        every = (1 << len(offering.sessions)) - 1
        for index in self._span(offering):
            user = regs.user[index]
            if regs.attended[index] == every and user and user not in self.certified:
                self.certified[user] = when
                self.certifications.append((regs.contact[index], user, offering.id, when, by))

    # -- school offerings --------------------------------------------------------------------

    def _event(self, school: SchoolFacts, day: int) -> None:
        rng = self.rng
        saturday_morning = rng.random() < 0.1
        if saturday_morning:
            day = self._saturday_after(day)
        start = self.days.at(day, (10 if saturday_morning else 17) * HOUR + 30 * MINUTE)
        title = rng.choice(names.EVENT_TITLES)
        liaison = school.liaisons[0] if school.liaisons else None
        offering = self._offering(
            "family-event",
            school.id,
            [start],
            2 * HOUR,
            rng.choice((30, 40, 50, 60, 80, 100)),
            liaison,
            names=title,
            language=rng.choice(("bilingual", "bilingual", "bilingual", "en", "es")),
            location=rng.choice(("Gym", "Cafeteria", "Library", "Auditorium")),
        )
        if offering is not None:
            self._families(offering, school, rng.uniform(0.35, 1.1), returning=0.5)

    def _cohort(self, school: SchoolFacts, code: str, year: int, *, fall: bool) -> bool:
        rng = self.rng
        parenting = code == "parenting-partners"
        if parenting:
            opening = date(year, 10, 1) if fall else date(year + 1, 2, 1)
        else:
            opening = date(year, 10, 15) if fall else date(year + 1, 3, 1)
        weekday = rng.choice((1, 2, 3))
        first = self._weekday_on_or_after(opening.toordinal() + rng.randint(0, 14), weekday)
        session_topics = topics(code)
        weeks = self._weekly(first, len(session_topics) or 3)
        if len(weeks) < len(session_topics) or not self._in_range(weeks[0]):
            return False
        starts = [self.days.at(d, 18 * HOUR) for d in weeks]
        capacity = rng.choice((12, 15, 20, 25) if parenting else (12, 15, 20))
        running = starts[-1] + 2 * HOUR >= self.cutoff
        leaders = self._leaders(school, starts[0], capacity, parenting, running)
        if leaders is None:
            return False
        offering = self._offering(
            code,
            school.id,
            starts,
            2 * HOUR,
            capacity,
            rng.choice(self.programme_staff).id if self.programme_staff else leaders[0],
            names=("", ""),
            language=rng.choice(("es", "es", "bilingual", "en", "en")),
            location=rng.choice(("Family room", "Library", "Cafeteria")),
            topics=session_topics,
        )
        if offering is None:
            return False
        offering.facilitators = leaders
        if running:
            for leader in leaders:
                self.load[leader] = self.load.get(leader, 0.0) + capacity / len(leaders)
        self._families(offering, school, rng.uniform(0.6, 1.25), returning=0.35)
        return True

    def _leaders(
        self, school: SchoolFacts, start: int, capacity: int, certified_only: bool, running: bool
    ) -> list[int] | None:
        """The school's liaison (certified when the programme needs it), and sometimes staff."""

        def eligible(user: int, share: float) -> bool:
            if certified_only and not (user in self.certified and self.certified[user] < start):
                return False
            return not running or self.load.get(user, 0.0) + share <= PARENTS_PER_FACILITATOR

        leaders = [u for u in school.liaisons[:1] if eligible(u, capacity / 2)]
        if not leaders:
            return None
        if self.programme_staff and self.rng.random() < 0.4:
            helper = self.rng.choice(self.programme_staff).id
            if eligible(helper, capacity / 2):
                leaders.append(helper)
        if len(leaders) == 1 and not eligible(leaders[0], capacity):
            return None
        return leaders

    # -- offerings, registrations and attendance ---------------------------------------------

    def _offering(
        self,
        code: str,
        school_id: int | None,
        starts: list[int],
        length: int,
        capacity: int,
        created_by: int | None,
        *,
        names: tuple[str, str],
        language: str,
        location: str,
        topics: list[tuple[str, str]] | None = None,
    ) -> OfferingFacts | None:
        rng = self.rng
        first_day = self.days.ordinal_of(starts[0])
        created = self.days.at(first_day - rng.randint(21, 56), rng.randint(8 * HOUR, 17 * HOUR))
        if created >= self.cutoff or not self._in_range(first_day):
            return None
        sessions = []
        for index, start in enumerate(starts):
            topic = topics[index] if topics and index < len(topics) else ("", "")
            sessions.append((self.next_session, start, start + length, *topic))
            self.next_session += 1
        offering = OfferingFacts(
            index=len(self.offerings),
            id=self.next_offering,
            programme=code,
            school_id=school_id,
            title=names,
            language=language,
            capacity=capacity,
            created_by=created_by,
            created=created,
            sessions=sessions,
            location=location,
            childcare=rng.random() < 0.7 if school_id else False,
            interpretation=rng.random() < 0.8,
            cancelled=rng.random() < 0.03,
            first_registration=len(self.registrations),
        )
        self.next_offering += 1
        self.offerings.append(offering)
        return offering

    def _families(
        self, offering: OfferingFacts, school: SchoolFacts, fill: float, *, returning: float
    ) -> None:
        rng = self.rng
        first_start = offering.sessions[0][1]
        moments = sorted(
            offering.created + int(rng.random() * (first_start - offering.created))
            for _ in range(round(offering.capacity * fill))
        )
        show_up = rng.uniform(0.65, 0.85)
        taken: set[int] = set()
        for created in moments:
            if created >= self.cutoff:
                break
            contact = self.families.pick(school, created, returning)
            if contact in taken:
                contact = self.families.new(school, created)
            taken.add(contact)
            self._add(
                offering,
                contact,
                created,
                spanish=self.families.page_language(contact) == "es",
                children=self.rng.choice(CHILDREN),
            )
        self._cancellations(offering)
        self._walk_ins(offering, school, taken)
        self._settle(offering, show_up)

    def _add(
        self,
        offering: OfferingFacts,
        contact: int,
        created: int,
        *,
        user: int = 0,
        registered_by: int | None = None,
        spanish: bool,
        children: int,
        walk_session: int = NO_SESSION,
    ) -> None:
        regs = self.registrations
        walk_in = walk_session != NO_SESSION
        # A seat if one is left; a walk-in over capacity is let in without one (as at the door).
        seated = offering.seats_taken < offering.capacity
        if seated:
            offering.seats_taken += 1
        regs.offering.append(offering.index)
        regs.contact.append(contact)
        regs.user.append(user)
        regs.registered_by.append(registered_by or 0)
        regs.created.append(created)
        regs.promoted.append(0)
        regs.cancelled.append(0)
        regs.status.append(REGISTERED if seated or walk_in else WAITLISTED)
        regs.walk_in.append(walk_in)
        regs.holds_seat.append(seated)
        regs.children.append(children)
        regs.spanish.append(spanish)
        regs.walk_session.append(walk_session)
        regs.attended.append(0)
        regs.homework.append(0)
        regs.feedback.append(0)

    def _span(self, offering: OfferingFacts) -> range:
        return range(offering.first_registration, len(self.registrations))

    def _cancellations(self, offering: OfferingFacts) -> None:
        """A few cancel before the day; each freed seat goes to the first on the waitlist."""
        rng, regs = self.rng, self.registrations
        span = self._span(offering)
        first_start = offering.sessions[0][1]
        waiting = [i for i in span if regs.status[i] == WAITLISTED]
        latest = max((regs.created[i] for i in span), default=offering.created)
        for index in span:
            # Those promoted just now keep their seat: they were promoted at a later moment.
            if regs.status[index] != REGISTERED or regs.promoted[index] or rng.random() >= 0.06:
                continue
            when = latest + int(rng.random() * max(first_start - latest, 1))
            if when >= self.cutoff or when >= first_start:
                continue
            regs.status[index] = CANCELLED
            regs.cancelled[index] = when
            if regs.holds_seat[index]:
                regs.holds_seat[index] = 0
                offering.seats_taken -= 1
                if waiting:
                    promoted = waiting.pop(0)
                    regs.status[promoted] = REGISTERED
                    regs.holds_seat[promoted] = 1
                    regs.promoted[promoted] = when
                    offering.seats_taken += 1

    def _walk_ins(self, offering: OfferingFacts, school: SchoolFacts, taken: set[int]) -> None:
        start = offering.sessions[0][1]
        if offering.cancelled or start >= self.cutoff:
            return
        rng, regs = self.rng, self.registrations
        registered = sum(1 for i in self._span(offering) if regs.status[i] == REGISTERED)
        series = len(offering.sessions) > 1
        count = rng.randint(0, 2) if series else round(registered * rng.uniform(0.0, 0.2))
        for _ in range(count):
            created = start + rng.randint(0, 30 * MINUTE)
            contact = self.families.pick(school, created, 0.3)
            if contact in taken:
                continue
            taken.add(contact)
            self._add(
                offering,
                contact,
                created,
                registered_by=offering.created_by,
                spanish=self.families.page_language(contact) == "es",
                children=rng.choice(CHILDREN),
                walk_session=0,
            )

    def _settle(self, offering: OfferingFacts, show_up: float) -> None:
        """The offering's status today, and who came to which session."""
        rng, regs = self.rng, self.registrations
        first_start, last_end = offering.sessions[0][1], offering.sessions[-1][2]
        if offering.cancelled:
            offering.status = "cancelled"
            return
        if last_end < self.cutoff:
            offering.status = "completed"
        elif first_start < self.cutoff:
            offering.status = "closed" if rng.random() < 0.5 else "open"
        else:
            offering.status = "open"
        homework = offering.programme == "parenting-partners"
        gauss, rand, cutoff = rng.gauss, rng.random, self.cutoff
        for index in self._span(offering):
            if regs.status[index] != REGISTERED:
                continue
            walk = regs.walk_session[index]
            chance = min(max(gauss(show_up, 0.15), 0.05), 0.98)
            attended = done = answered = 0
            for number, (_, start, end, _, _) in enumerate(offering.sessions):
                if start >= cutoff or (walk != NO_SESSION and number < walk):
                    continue
                if number == walk or rand() < chance:
                    attended |= 1 << number
                    if homework and rand() < 0.7:
                        done |= 1 << number
                    if end + 48 * HOUR < cutoff and rand() < 0.3:
                        answered |= 1 << number
            regs.attended[index] = attended
            regs.homework[index] = done
            regs.feedback[index] = answered
            regs.attendances += attended.bit_count()
            regs.answers += answered.bit_count()


OFFERING_COLUMNS = (
    "id",
    "programme_id",
    "school_id",
    "title_en",
    "title_es",
    "language",
    "capacity",
    "seats_taken",
    "status",
    "location",
    "childcare_offered",
    "interpretation_offered",
    "registration_opens",
    "registration_closes",
    "created_by_id",
    "created_at",
)
SESSION_COLUMNS = (
    "id",
    "offering_id",
    "starts_at",
    "ends_at",
    "topic_en",
    "topic_es",
    "location",
    "reminders_sent_at",
    "feedback_requested_at",
)
REGISTRATION_COLUMNS = (
    "id",
    "offering_id",
    "contact_id",
    "status",
    "code_hash",
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
ATTENDANCE_COLUMNS = (
    "id",
    "registration_id",
    "session_id",
    "checked_in_at",
    "checked_in_by_id",
    "homework_done",
)
FEEDBACK_COLUMNS = (
    "id",
    "registration_id",
    "session_id",
    "rating_useful",
    "rating_facilitator",
    "rating_welcome",
    "comment",
    "language",
    "created_at",
)
CERTIFICATION_COLUMNS = (
    "id",
    "contact_id",
    "user_id",
    "offering_id",
    "certified_at",
    "certified_by_id",
)


def _offering_rows(
    facts: ProgrammeFacts, programmes: dict[str, int], days: DistrictDays
) -> Iterator[tuple]:
    for o in facts.offerings:
        opens = date.fromordinal(days.ordinal_of(o.created))
        closes = date.fromordinal(days.ordinal_of(o.sessions[0][1]))
        yield (
            o.id,
            programmes[o.programme],
            o.school_id,
            o.title[0],
            o.title[1],
            o.language,
            o.capacity,
            o.seats_taken,
            o.status,
            o.location,
            o.childcare,
            o.interpretation,
            opens,
            closes,
            o.created_by,
            instant(o.created),
        )


def _session_rows(facts: ProgrammeFacts, cutoff: int) -> Iterator[tuple]:
    for o in facts.offerings:
        for session_id, start, end, topic_en, topic_es in o.sessions:
            reminded = start - 48 * HOUR
            asked = end + HOUR
            yield (
                session_id,
                o.id,
                instant(start),
                instant(end),
                topic_en,
                topic_es,
                "",
                instant(reminded) if reminded < cutoff and o.status != "cancelled" else None,
                instant(asked) if asked < cutoff and o.status != "cancelled" else None,
            )


def _registration_rows(facts: ProgrammeFacts) -> Iterator[tuple]:
    regs, offerings = facts.registrations, facts.offerings
    ages = ("", "", "4", "6, 9", "8", "3, 5, 11")
    for index in range(len(regs)):
        registration_id = regs.first_id + index
        children = regs.children[index]
        yield (
            registration_id,
            offerings[regs.offering[index]].id,
            regs.contact[index],
            REGISTRATION_STATUSES[regs.status[index]],
            # The family's confirmation code is never known: only a hash unique to the row.
            hashlib.sha256(f"scale-registration:{registration_id}".encode()).hexdigest(),
            "es" if regs.spanish[index] else "en",
            children,
            ages[min(children, len(ages) - 1)] if children else "",
            "",
            bool(regs.walk_in[index]),
            bool(regs.holds_seat[index]),
            regs.registered_by[index] or None,
            regs.user[index] or None,
            instant(regs.created[index]),
            instant(regs.promoted[index]) if regs.promoted[index] else None,
            instant(regs.cancelled[index]) if regs.cancelled[index] else None,
        )


def _attendance_rows(facts: ProgrammeFacts, first_id: int, rng: random.Random) -> Iterator[tuple]:
    regs, offerings = facts.registrations, facts.offerings
    randint = rng.randint
    row_id = first_id
    for index in range(len(regs)):
        attended = regs.attended[index]
        if not attended:
            continue
        offering = offerings[regs.offering[index]]
        by = offering.facilitators[0] if offering.facilitators else offering.created_by
        homework = regs.homework[index]
        for number, (session_id, start, _, _, _) in enumerate(offering.sessions):
            if attended >> number & 1:
                checked_in = max(start + randint(-15 * MINUTE, 20 * MINUTE), regs.created[index])
                yield (
                    row_id,
                    regs.first_id + index,
                    session_id,
                    instant(checked_in),
                    by,
                    bool(homework >> number & 1),
                )
                row_id += 1


def _feedback_rows(facts: ProgrammeFacts, first_id: int, rng: random.Random) -> Iterator[tuple]:
    regs, offerings = facts.registrations, facts.offerings
    rand, randint = rng.random, rng.randint
    cum = (3, 8, 20, 50, 100)  # ratings 1-5: mostly fours and fives

    def rating() -> int:
        return 1 + bisect(cum, rand() * 100)

    row_id = first_id
    for index in range(len(regs)):
        answered = regs.feedback[index]
        if not answered:
            continue
        offering = offerings[regs.offering[index]]
        language = "es" if regs.spanish[index] else "en"
        for number, (session_id, _, end, _, _) in enumerate(offering.sessions):
            if answered >> number & 1:
                comment = rng.choice(names.SURVEY_COMMENTS[language]) if rand() < 0.2 else ""
                yield (
                    row_id,
                    regs.first_id + index,
                    session_id,
                    rating(),
                    rating(),
                    rating(),
                    comment,
                    language,
                    instant(end + randint(HOUR, 47 * HOUR)),
                )
                row_id += 1


def _rng(seed: str, name: str) -> random.Random:
    return random.Random(f"{seed}:{name}")  # noqa: S311 - repeatable synthetic data


def load_programmes(
    loader: BulkLoader,
    facts: ProgrammeFacts,
    programmes: dict[str, int],
    days: DistrictDays,
    seed: str,
    cutoff: int,
) -> None:
    offerings = facts.offerings
    sessions = sum(len(o.sessions) for o in offerings)
    loader.load(
        Offering.__table__,
        OFFERING_COLUMNS,
        _offering_rows(facts, programmes, days),
        expected=len(offerings),
    )
    loader.load(
        OfferingSession.__table__,
        SESSION_COLUMNS,
        _session_rows(facts, cutoff),
        expected=sessions,
    )
    leaders = [(o.id, user) for o in offerings for user in o.facilitators]
    loader.load(
        offering_facilitators,
        ("offering_id", "user_id"),
        leaders,
        expected=len(leaders),
    )
    regs = facts.registrations
    loader.load(
        Registration.__table__,
        REGISTRATION_COLUMNS,
        _registration_rows(facts),
        expected=len(regs),
    )
    loader.load(
        Attendance.__table__,
        ATTENDANCE_COLUMNS,
        _attendance_rows(facts, loader.next_id(Attendance.__table__), _rng(seed, "attendance")),
        expected=regs.attendances,
    )
    loader.load(
        SessionFeedback.__table__,
        FEEDBACK_COLUMNS,
        _feedback_rows(facts, loader.next_id(SessionFeedback.__table__), _rng(seed, "feedback")),
        expected=regs.answers,
    )
    first = loader.next_id(FacilitatorCertification.__table__)
    loader.load(
        FacilitatorCertification.__table__,
        CERTIFICATION_COLUMNS,
        (
            (first + n, contact, user, offering, instant(at), by)
            for n, (contact, user, offering, at, by) in enumerate(facts.certifications)
        ),
        expected=len(facts.certifications),
    )
