"""Cases with their timelines, meetings, satisfaction answers, and the quick-logged calls.

Two passes. The first walks the days in order and decides, for every case, what happened
and when (the "facts", kept in compact arrays: two million cases fit in about 150 MB); the
families those cases come from are known after it, so they can be written first. The second
pass turns the facts into rows, table by table, each with its own progress bar.

Every case follows the portal's own rules: due dates in business days from the intake date
and the tier (as `service_levels.apply_due_dates` sets them); acknowledged, first contact,
meeting, escalation, resolution and closing in that order, each after the last; the status is
the last step reached before the cut-off (the start of `today`), so recent cases are still open.
"""

from __future__ import annotations

import hashlib
import random
from array import array
from bisect import bisect
from collections.abc import Callable, Iterator
from datetime import date, datetime
from math import ceil

from sqlalchemy import Connection

from portal.auth.roles import Role
from portal.concerns.models import (
    Case,
    CaseEntry,
    Meeting,
    ReferenceCounter,
    SatisfactionResponse,
    ServiceLevels,
)
from portal.scale import names
from portal.scale.days import DistrictDays, instant
from portal.scale.district import District, Families
from portal.scale.loader import BulkLoader

HOUR = 3600
MINUTE = 60
# Cases per day follow the school year: a rush at the start of the year and in school-choice
# season, quiet in summer and over the winter holidays, far fewer at weekends.
MONTH_VOLUME = {
    1: 1.25,
    2: 1.2,
    3: 1.0,
    4: 0.95,
    5: 0.9,
    6: 0.5,
    7: 0.35,
    8: 1.45,
    9: 1.6,
    10: 1.35,
    11: 0.95,
    12: 0.6,
}
WEEKEND_VOLUME = 0.12
CLOSED_VOLUME = 0.35  # a weekday on which the offices are closed (holidays, breaks)
YEARLY_GROWTH = 1.04

QUESTION_TOPICS = {
    "enrollment": 20,
    "transportation": 16,
    "attendance": 12,
    "academics": 12,
    "food": 9,
    "health": 8,
    "fees": 7,
    "language": 6,
    "communication": 6,
    "other": 4,
}
CONCERN_TOPICS = {
    "special_education": 18,
    "bullying": 16,
    "communication": 15,
    "discipline": 13,
    "transportation": 9,
    "academics": 8,
    "staff_conduct": 7,
    "attendance": 6,
    "language": 4,
    "enrollment": 2,
    "other": 2,
}
# Topics with a season: enrollment at choice time and the start of the year, buses in August.
TOPIC_SEASON = {
    "enrollment": {1: 2.2, 2: 2.0, 8: 1.8, 7: 1.5},
    "transportation": {8: 2.2, 9: 1.8},
    "attendance": {10: 1.4, 11: 1.4, 3: 1.3},
    "academics": {12: 1.5, 5: 1.6},
    "food": {8: 1.6, 9: 1.4},
}
CHANNELS = (("web", 40), ("phone", 28), ("email", 12), ("in_person", 6), ("liaison", 14))
OUTCOMES = (
    ("agreement", 30),
    ("partial_agreement", 20),
    ("no_agreement", 10),
    ("relationship_reestablished", 15),
    ("family_absent", 6),
    ("school_absent", 4),
)
STATUSES = ("new", "acknowledged", "in_progress", "meeting", "escalated", "resolved", "closed")
NEW, ACKNOWLEDGED, IN_PROGRESS, MEETING, ESCALATED, RESOLVED, CLOSED = range(7)
GRADES = ("K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
RELATIONSHIPS = ("parent",) * 12 + ("guardian", "guardian", "grandparent", "relative", "other")


def daily_counts(
    total: int, days: DistrictDays, rng: random.Random, *, weekend: float, closed: float
) -> list[tuple[int, int]]:
    """Spread `total` over the days from first to last by the seasonal weights, exactly."""
    weights = []
    first_year = days.first.year
    for ordinal in range(days.first.toordinal(), days.last.toordinal() + 1):
        day = date.fromordinal(ordinal)
        weight = MONTH_VOLUME[day.month] * YEARLY_GROWTH ** (day.year - first_year)
        if day.weekday() >= 5:
            weight *= weekend
        elif not days.is_business[ordinal - days.base]:
            weight *= closed
        weights.append(weight * rng.uniform(0.85, 1.15))
    if not sum(weights):  # no day of the kind wanted (a short range of holidays)
        weights = [1.0] * len(weights)
    scale = total / sum(weights)
    counts, done, running = [], 0, 0.0
    for offset, weight in enumerate(weights):
        running += weight * scale
        upto = min(round(running), total)
        counts.append((days.first.toordinal() + offset, upto - done))
        done = upto
    if done < total:  # rounding left a case or two over: the last day takes them
        ordinal, count = counts[-1]
        counts[-1] = (ordinal, count + total - done)
    return counts


def _cumulative(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    keys, cum, running = [], [], 0.0
    for key, weight in weights.items():
        running += weight
        keys.append(key)
        cum.append(running)
    return keys, cum


def topic_tables(
    categories: dict[str, int],
) -> dict[tuple[int, int], tuple[list[int], list[float]]]:
    """(month, 0 for questions / 1 for concerns) -> category ids and cumulative weights."""
    tables = {}
    for month in range(1, 13):
        for group, topics in ((0, QUESTION_TOPICS), (1, CONCERN_TOPICS)):
            weights = {
                code: weight * TOPIC_SEASON.get(code, {}).get(month, 1.0)
                for code, weight in topics.items()
                if code in categories
            }
            if not weights:  # a district that renamed every category: any of them will do
                weights = dict.fromkeys(categories, 1.0)
            keys, cum = _cumulative(weights)
            tables[(month, group)] = ([categories[k] for k in keys], cum)
    return tables


class CaseFacts:
    """What happened to each case, as parallel arrays (index = case id - first id)."""

    # Epoch seconds of each step (0: not reached before the cut-off).
    MOMENTS = (
        "created",
        "ack",
        "contacted",
        "scheduled",
        "meeting",
        "recorded",
        "escalated",
        "resolved",
        "closed",
        "school_contact",
    )

    def __init__(self, first_id: int) -> None:
        self.first_id = first_id
        for name in self.MOMENTS:
            setattr(self, name, array("q"))
        self.received = array("l")
        self.school = array("l")
        self.contact = array("l")
        self.category = array("l")
        self.assignee = array("l")
        self.escalated_to = array("l")
        self.filed_by = array("l")
        self.intake_tier = bytearray()
        self.tier = bytearray()
        self.status = bytearray()
        self.channel = bytearray()
        self.meeting_kind = bytearray()  # 0 none, 1 facilitated, 2 mediation
        self.outcome_code = bytearray()  # 0 none, else 1 + index in OUTCOMES
        self.target = bytearray()  # 0 none, 1 senior manager, 2 superintendent
        self.urgent = bytearray()
        self.meetings = 0
        self.by_status = [0] * len(STATUSES)

    def __len__(self) -> int:
        return len(self.created)


class CasePlanner:
    """Decides the facts of every case, day by day, in the order they arrived."""

    def __init__(
        self,
        days: DistrictDays,
        district: District,
        families: Families,
        categories: dict[str, int],
        levels: ServiceLevels,
        rng: random.Random,
        cutoff: int,
    ) -> None:
        self.days = days
        self.district = district
        self.families = families
        self.topics = topic_tables(categories)
        self.levels = levels
        self.rng = rng
        self.cutoff = cutoff
        schools = district.schools
        self.schools = schools
        running, self.school_cum = 0.0, []
        for school in schools:
            running += school.weight
            self.school_cum.append(running)
        self.specialists = district.ids(Role.SPECIALIST)
        self.managers = district.ids(Role.SENIOR_MANAGER)

    def plan(
        self, counts: list[tuple[int, int]], first_id: int, progress: Callable[[int], None]
    ) -> CaseFacts:
        facts = CaseFacts(first_id)
        rng = self.rng
        rand = rng.random
        randint = rng.randint
        days = self.days
        channel_keys, channel_cum = _cumulative(dict(CHANNELS))
        outcome_keys, outcome_cum = _cumulative(dict(OUTCOMES))
        school_cum, schools = self.school_cum, self.schools
        school_total = school_cum[-1]
        specialists, managers = self.specialists, self.managers
        networks = self.district.networks
        families = self.families
        cutoff = self.cutoff
        done = 0
        for ordinal, count in counts:
            if not count:
                continue
            month = date.fromordinal(ordinal).month
            business = days.is_business[ordinal - days.base]
            question_ids, question_cum = self.topics[(month, 0)]
            concern_ids, concern_cum = self.topics[(month, 1)]
            if business:
                # Office hours mostly; the web form at any time of the evening.
                seconds = sorted(
                    randint(7 * HOUR + 30 * MINUTE, 17 * HOUR + 30 * MINUTE)
                    if rand() < 0.8
                    else randint(17 * HOUR + 30 * MINUTE, 22 * HOUR + 30 * MINUTE)
                    for _ in range(count)
                )
            else:
                seconds = sorted(randint(8 * HOUR, 22 * HOUR) for _ in range(count))
            midnight = days.at(ordinal, 0)
            for second in seconds:
                created = midnight + second
                school = (
                    schools[bisect(school_cum, rand() * school_total)] if rand() < 0.96 else None
                )
                draw = rand()
                tier = 1 if draw < 0.70 else 2 if draw < 0.95 else 3
                urgent = tier > 1 and rand() < 0.015
                office = business and second < 17 * HOUR + 30 * MINUTE
                if office:
                    channel = bisect(channel_cum, rand() * channel_cum[-1])
                    if channel == 4 and school is None:
                        channel = 0
                else:
                    channel = 0 if rand() < 0.8 else 2  # web or email out of hours
                if tier == 1:
                    category = question_ids[bisect(question_cum, rand() * question_cum[-1])]
                else:
                    category = concern_ids[bisect(concern_cum, rand() * concern_cum[-1])]
                if school is not None:
                    contact = families.pick(school, created, 0.22)
                else:
                    contact = families.pick(schools[int(rand() * len(schools))], created, 0.22)

                # The timeline, in business days from intake (0: the same day).
                early = office and second < 16 * HOUR
                k_ack = (0 if early and rand() < 0.8 else 1) if rand() < 0.9 else randint(1, 4)
                t_ack = self._at(ordinal, k_ack, created)
                # An inquiry is usually answered when it is picked up; a concern takes a call.
                if tier == 1:
                    k_contact = k_ack + (0 if rand() < 0.8 else 1 if rand() < 0.75 else 2)
                else:
                    k_contact = k_ack + (
                        0 if rand() < 0.6 else 1 if rand() < 0.8 else randint(2, 4)
                    )
                t_contact = self._at(ordinal, k_contact, t_ack)
                last_k, last_t = k_contact, t_contact
                t_sched = t_meet = t_outcome = t_esc = 0
                kind = outcome = target = 0
                if tier > 1 and rand() < (0.45 if tier == 2 else 0.7):
                    k_sched = last_k + randint(0, 2)
                    t_sched = self._at(ordinal, k_sched, last_t)
                    k_meet = k_sched + randint(2, 6)
                    t_meet = days.at(days.business_day(ordinal, k_meet), randint(8, 16) * HOUR)
                    t_meet = max(t_meet, t_sched + HOUR)
                    t_outcome = t_meet + randint(60, 180) * MINUTE
                    kind = 2 if rand() < 0.3 else 1
                    outcome = 1 + bisect(outcome_cum, rand() * outcome_cum[-1])
                    last_k, last_t = k_meet, t_outcome
                if tier == 3:
                    k_esc = last_k + randint(1, 5)
                    t_esc = self._at(ordinal, k_esc, last_t)
                    last_k, last_t = k_esc, t_esc
                    network = school.network_id if school is not None else None
                    target = 2 if network is not None and rand() < 0.55 else 1
                if tier == 1:
                    k_res = last_k + (0 if rand() < 0.75 else 1 if rand() < 0.6 else randint(2, 5))
                elif tier == 2:
                    draw = rand()
                    gap = (
                        randint(0, 4)
                        if draw < 0.78
                        else randint(5, 10)
                        if draw < 0.95
                        else randint(11, 30)
                    )
                    k_res = max(last_k + gap, k_contact + 1)
                else:
                    k_res = last_k + randint(3, 20)
                t_res = self._at(ordinal, k_res, last_t) if rand() > 0.002 else 0
                t_close = 0
                if t_res and rand() < 0.9:
                    t_close = self._at(ordinal, k_res + randint(3, 15), t_res)

                # Only what happened before the cut-off is on the record.
                status = NEW
                if t_ack < cutoff:
                    status = ACKNOWLEDGED
                else:
                    t_ack = 0
                if t_contact < cutoff:
                    status = IN_PROGRESS
                else:
                    t_contact = 0
                if t_sched and t_sched < cutoff:
                    status = MEETING
                    if t_outcome < cutoff:
                        status = IN_PROGRESS
                    else:
                        outcome = t_outcome = 0
                elif t_sched:
                    t_sched = t_meet = t_outcome = kind = outcome = 0
                if t_esc and t_esc < cutoff:
                    status = ESCALATED
                elif t_esc:
                    t_esc = target = 0
                if t_res and t_res < cutoff:
                    status = RESOLVED
                    if t_close and t_close < cutoff:
                        status = CLOSED
                    else:
                        t_close = 0
                else:
                    t_res = t_close = 0

                assignee = 0
                if urgent and managers:
                    assignee = managers[0]
                elif t_ack:
                    assignee = specialists[int(rand() * len(specialists))]
                escalated_to = 0
                if target == 2:
                    escalated_to = networks[school.network_id]
                elif target == 1:
                    escalated_to = managers[int(rand() * len(managers))]

                facts.created.append(created)
                facts.received.append(ordinal)
                facts.school.append(school.id if school is not None else 0)
                facts.contact.append(contact)
                facts.category.append(category)
                facts.intake_tier.append(1 if tier == 1 else 2)
                facts.tier.append(3 if t_esc else 1 if tier == 1 else 2)
                facts.status.append(status)
                facts.channel.append(channel)
                facts.urgent.append(urgent)
                facts.ack.append(t_ack)
                facts.contacted.append(t_contact)
                facts.scheduled.append(t_sched)
                facts.meeting.append(t_meet)
                facts.recorded.append(t_outcome)
                facts.meeting_kind.append(kind)
                facts.outcome_code.append(outcome)
                facts.escalated.append(t_esc)
                facts.target.append(target)
                facts.escalated_to.append(escalated_to)
                facts.resolved.append(t_res)
                facts.closed.append(t_close)
                school_attended = outcome and outcome_keys[outcome - 1] != "school_absent"
                facts.school_contact.append(t_outcome if school_attended else 0)
                facts.assignee.append(assignee)
                liaisons = school.liaisons if school is not None else ()
                facts.filed_by.append(liaisons[0] if channel == 4 and liaisons else 0)
                facts.meetings += 1 if t_sched else 0
                facts.by_status[status] += 1
            done += count
            if done >= 20_000:
                progress(done)
                done = 0
        progress(done)
        return facts

    def _at(self, received: int, k: int, after: int) -> int:
        """A moment in office hours on the k-th business day from intake, after `after`."""
        days = self.days
        day = days.business_day(received, k)
        start = days.at(day, 0)
        if after >= start:  # the same day as the step before: a little later that day
            gap = self.rng.randint(10, 180) * MINUTE
            return after + min(gap, max(MINUTE, start + 24 * HOUR - MINUTE - after))
        return start + self.rng.randint(8 * HOUR, 16 * HOUR + 30 * MINUTE)


CASE_COLUMNS = (
    "id",
    "reference",
    "submission_key",
    "access_salt",
    "access_code_hash",
    "kind",
    "tier",
    "status",
    "channel",
    "category_id",
    "school_id",
    "contact_id",
    "relationship_to_student",
    "student_first_name",
    "student_grade",
    "description",
    "desired_outcome",
    "language",
    "urgent",
    "child_safety",
    "assignee_id",
    "escalation_target",
    "escalated_to_id",
    "filed_by_id",
    "created_at",
    "received_on",
    "acknowledged_at",
    "first_contact_at",
    "resolved_at",
    "closed_at",
    "last_school_contact_at",
    "acknowledge_due",
    "first_contact_due",
    "resolve_due",
    "resolution_summary",
)
ENTRY_COLUMNS = (
    "id",
    "case_id",
    "created_at",
    "author_id",
    "kind",
    "visible_to_family",
    "body",
    "detail",
)
MEETING_COLUMNS = (
    "id",
    "case_id",
    "kind",
    "scheduled_for",
    "location",
    "video",
    "school_leader",
    "participants",
    "interpreter_language",
    "outcome",
    "outcome_notes",
    "follow_up_on",
    "created_by_id",
    "recorded_at",
)
SURVEY_COLUMNS = ("id", "case_id", "rating", "comment", "created_at")
QUICK_LOG_COLUMNS = (
    "id",
    "created_at",
    "logged_by_id",
    "category_id",
    "school_id",
    "language",
    "outcome",
)
TARGETS = (None, "senior_manager", "superintendent")
MEETING_KINDS = (None, "facilitated", "mediation")


def _time(epoch: int) -> datetime | None:
    return instant(epoch) if epoch else None


class CaseWriter:
    """Turns the facts into the rows of cases, case_entries, case_meetings and surveys."""

    def __init__(
        self,
        facts: CaseFacts,
        days: DistrictDays,
        families: Families,
        levels: ServiceLevels,
        category_codes: dict[int, str],
        seed: str,
        cutoff: int,
    ) -> None:
        self.facts = facts
        self.days = days
        self.families = families
        self.levels = levels
        self.codes = category_codes
        self.seed = seed
        self.cutoff = cutoff
        self.references: dict[int, int] = {}  # year -> last number used

    def _rng(self, table: str) -> random.Random:
        return random.Random(f"{self.seed}:{table}")  # noqa: S311 - repeatable synthetic data

    def _due_dates(self) -> Callable[[int, int], tuple[date | None, date | None, date]]:
        """(received ordinal, intake tier) -> the three due dates, as apply_due_dates sets them."""
        days, levels, cache = self.days, self.levels, {}

        def due(ordinal: int, tier: int) -> tuple:
            key = (ordinal, tier)
            found = cache.get(key)
            if found is None:
                contact = date.fromordinal(
                    days.add_business_days(ordinal, levels.first_contact_days)
                )
                if tier == 1:
                    found = (None, None, contact)
                else:
                    found = (
                        date.fromordinal(days.add_business_days(ordinal, levels.acknowledge_days)),
                        contact,
                        date.fromordinal(days.add_business_days(ordinal, levels.resolve_days)),
                    )
                cache[key] = found
            return found

        return due

    def case_rows(self, start_counters: dict[int, int]) -> Iterator[tuple]:
        f, rng = self.facts, self._rng("cases")
        rand, choice = rng.random, rng.choice
        due = self._due_dates()
        counters = dict(start_counters)
        stories, questions = names.STORIES_BY_LANGUAGE, names.QUESTIONS
        day_cache: dict[int, date] = {}
        page_language = self.families.page_language
        wanted = {
            "en": "A clear plan agreed with the school.",
            "es": "Un plan claro acordado con la escuela.",
        }
        for index in range(len(f)):
            case_id = f.first_id + index
            received = f.received[index]
            day = day_cache.get(received)
            if day is None:
                day = day_cache[received] = date.fromordinal(received)
            number = counters.get(day.year, 0) + 1
            counters[day.year] = number
            salt = f"{rng.getrandbits(128):032x}"
            code = self.codes[f.category[index]]
            language = page_language(f.contact[index])
            intake_tier = f.intake_tier[index]
            if intake_tier == 1:
                text = questions[language].get(code) or questions[language]["academics"]
                summary = names.ANSWERS[language]
            else:
                text = stories[language].get(code) or stories[language]["communication"]
                summary = names.RESOLUTION_SUMMARIES[language]
            resolved = f.resolved[index]
            ack_due, contact_due, resolve_due = due(received, intake_tier)
            school = f.school[index]
            yield (
                case_id,
                f"FCS-{day.year}-{number:06d}",
                f"scale-{case_id}",
                salt,
                hashlib.sha256(f"scale:{case_id}:{salt}".encode()).hexdigest(),
                "question" if intake_tier == 1 else "concern",
                f.tier[index],
                STATUSES[f.status[index]],
                CHANNELS[f.channel[index]][0],
                f.category[index],
                school or None,
                f.contact[index],
                choice(RELATIONSHIPS),
                choice(names.CHILDREN),
                choice(GRADES),
                text,
                wanted[language] if intake_tier > 1 and rand() < 0.5 else "",
                language,
                bool(f.urgent[index]),
                bool(f.urgent[index]),
                f.assignee[index] or None,
                TARGETS[f.target[index]],
                f.escalated_to[index] or None,
                f.filed_by[index] or None,
                instant(f.created[index]),
                day,
                _time(f.ack[index]),
                _time(f.contacted[index]),
                _time(resolved),
                _time(f.closed[index]),
                _time(f.school_contact[index]),
                ack_due,
                contact_due,
                resolve_due,
                summary if resolved else "",
            )
        self.references = counters

    def entry_count(self) -> int:
        f, total = self.facts, 0
        for index in range(len(f)):
            concern = f.intake_tier[index] > 1
            total += (
                1
                + (1 if concern and f.ack[index] else 0)
                + (1 if f.contacted[index] else 0)
                + (1 if f.scheduled[index] else 0)
                + (1 if f.recorded[index] else 0)
                + (1 if concern and f.contacted[index] and self._noted(index) else 0)
                + (1 if f.escalated[index] else 0)
                + (1 if f.resolved[index] else 0)
                + (1 if concern and f.closed[index] else 0)
            )
        return total

    def _noted(self, index: int) -> bool:
        # Two concerns in five get an internal note; decided by position, so it can be counted.
        return index % 5 < 2

    def entry_rows(self, first_id: int, first_meeting: int) -> Iterator[tuple]:
        f, rng = self.facts, self._rng("case_entries")
        choice = rng.choice
        entry_id, meeting_id = first_id, first_meeting
        channels = [f'{{"channel": "{key}"}}' for key, _ in CHANNELS]
        acknowledged = '{"from": "new", "to": "acknowledged"}'
        closed = '{"from": "resolved", "to": "closed"}'
        resolutions = names.RESOLUTION_SUMMARIES
        page_language = self.families.page_language
        for index in range(len(f)):
            case_id = f.first_id + index
            concern = f.intake_tier[index] > 1
            author = f.assignee[index] or None
            yield (
                entry_id,
                case_id,
                instant(f.created[index]),
                f.filed_by[index] or None,
                "submitted",
                True,
                "",
                channels[f.channel[index]],
            )
            entry_id += 1
            if concern and f.ack[index]:
                yield (
                    entry_id,
                    case_id,
                    instant(f.ack[index]),
                    author,
                    "status_change",
                    True,
                    "",
                    acknowledged,
                )
                entry_id += 1
            contacted = f.contacted[index]
            if contacted:
                yield (
                    entry_id,
                    case_id,
                    instant(contacted),
                    author,
                    "call",
                    False,
                    choice(names.CALL_NOTES),
                    "{}",
                )
                entry_id += 1
            if concern and contacted and self._noted(index):
                # Halfway between the first contact and whatever came next (or the cut-off).
                following = (
                    f.scheduled[index] or f.escalated[index] or f.resolved[index] or self.cutoff
                )
                noted = contacted + (following - contacted) // 2
                yield (
                    entry_id,
                    case_id,
                    instant(noted),
                    author,
                    "internal_note",
                    False,
                    choice(names.INTERNAL_NOTES),
                    "{}",
                )
                entry_id += 1
            scheduled = f.scheduled[index]
            if scheduled:
                kind = MEETING_KINDS[f.meeting_kind[index]]
                when = instant(f.meeting[index]).isoformat()
                detail = f'{{"meeting_kind": "{kind}", "when": "{when}", "video": false}}'
                yield (entry_id, case_id, instant(scheduled), author, "meeting", True, "", detail)
                entry_id += 1
                outcome = f.outcome_code[index]
                if outcome:
                    detail = f'{{"outcome": "{OUTCOMES[outcome - 1][0]}", "meeting": {meeting_id}}}'
                    note = choice(names.MEETING_NOTES)
                    yield (
                        entry_id,
                        case_id,
                        instant(f.recorded[index]),
                        author,
                        "meeting",
                        False,
                        note,
                        detail,
                    )
                    entry_id += 1
                meeting_id += 1
            escalated = f.escalated[index]
            if escalated:
                target = TARGETS[f.target[index]]
                detail = f'{{"target": "{target}", "to": {f.escalated_to[index]}}}'
                reason = "The school leader has not responded."
                yield (
                    entry_id,
                    case_id,
                    instant(escalated),
                    author,
                    "escalation",
                    False,
                    reason,
                    detail,
                )
                entry_id += 1
            resolved = f.resolved[index]
            if resolved:
                language = page_language(f.contact[index])
                body = resolutions[language] if concern else names.ANSWERS[language]
                yield (entry_id, case_id, instant(resolved), author, "resolution", True, body, "{}")
                entry_id += 1
            if concern and f.closed[index]:
                yield (
                    entry_id,
                    case_id,
                    instant(f.closed[index]),
                    author,
                    "status_change",
                    True,
                    "",
                    closed,
                )
                entry_id += 1

    def meeting_rows(self, first_id: int) -> Iterator[tuple]:
        f, rng = self.facts, self._rng("case_meetings")
        rand = rng.random
        meeting_id = first_id
        places = ("Main office", "Principal's office", "Family room", "Conference room")
        for index in range(len(f)):
            if not f.scheduled[index]:
                continue
            outcome = f.outcome_code[index]
            video = rand() < 0.2
            language = self.families.language[f.contact[index] - self.families.first_id]
            recorded = f.recorded[index]
            follow_up = None
            if outcome and outcome <= 2:
                follow_up = date.fromordinal(self.days.ordinal_of(recorded) + 14)
            yield (
                meeting_id,
                f.first_id + index,
                MEETING_KINDS[f.meeting_kind[index]],
                instant(f.meeting[index]),
                "Video call" if video else rng.choice(places),
                video,
                "Principal" if rand() < 0.7 else "Assistant principal",
                "Family, school leader, FCS specialist",
                "Spanish" if language == 1 else "",
                OUTCOMES[outcome - 1][0] if outcome else None,
                rng.choice(names.MEETING_NOTES) if outcome else "",
                follow_up,
                f.assignee[index] or None,
                _time(recorded),
            )
            meeting_id += 1

    def survey_rows(self, first_id: int) -> Iterator[tuple]:
        f, rng = self.facts, self._rng("satisfaction")
        rand, randint = rng.random, rng.randint
        survey_id = first_id
        ratings = (5, 4, 3, 2, 1)
        cum = (40, 70, 85, 95, 100)
        for index in range(len(f)):
            resolved = f.resolved[index]
            if not resolved or rand() >= 0.3:
                continue
            answered = resolved + randint(HOUR, 72 * HOUR)
            if answered >= self.cutoff:
                continue
            rating = ratings[bisect(cum, rand() * 100)]
            comment = (
                ""
                if rand() < 0.8
                else ("Thank you for listening." if rating >= 4 else "It took too long.")
            )
            yield (survey_id, f.first_id + index, rating, comment, instant(answered))
            survey_id += 1


def quick_log_rows(
    first_id: int,
    counts: list[tuple[int, int]],
    days: DistrictDays,
    district: District,
    categories: dict[str, int],
    rng: random.Random,
) -> Iterator[tuple]:
    """Tier 1 calls answered on the spot: business days, office hours, the season's topics."""
    topics = topic_tables(categories)
    specialists = district.ids(Role.SPECIALIST)
    schools = district.schools
    school_cum, running = [], 0.0
    for school in schools:
        running += school.weight
        school_cum.append(running)
    outcome_keys, outcome_cum = _cumulative(
        {"answered": 60, "transferred": 25, "policy_clarified": 15}
    )
    rand, randint = rng.random, rng.randint
    log_id = first_id
    for ordinal, count in counts:
        if not count:
            continue
        month = date.fromordinal(ordinal).month
        category_ids, category_cum = topics[(month, 0)]
        midnight = days.at(ordinal, 0)
        for second in sorted(randint(8 * HOUR, 17 * HOUR) for _ in range(count)):
            draw = rand()
            yield (
                log_id,
                instant(midnight + second),
                specialists[int(rand() * len(specialists))],
                category_ids[bisect(category_cum, rand() * category_cum[-1])],
                schools[bisect(school_cum, rand() * school_cum[-1])].id if rand() < 0.7 else None,
                "en" if draw < 0.55 else "es" if draw < 0.95 else "other",
                outcome_keys[bisect(outcome_cum, rand() * outcome_cum[-1])],
            )
            log_id += 1


def load_cases(
    loader: BulkLoader,
    writer: CaseWriter,
    counters: dict[int, int],
) -> dict[int, int]:
    """Write the four case tables from the facts; returns the references used per year."""
    facts = writer.facts
    loader.load(Case.__table__, CASE_COLUMNS, writer.case_rows(counters), expected=len(facts))
    first_meeting = loader.next_id(Meeting.__table__)
    loader.load(
        CaseEntry.__table__,
        ENTRY_COLUMNS,
        writer.entry_rows(loader.next_id(CaseEntry.__table__), first_meeting),
        expected=writer.entry_count(),
    )
    loader.load(
        Meeting.__table__,
        MEETING_COLUMNS,
        writer.meeting_rows(first_meeting),
        expected=facts.meetings,
    )
    resolved = facts.by_status[RESOLVED] + facts.by_status[CLOSED]
    loader.load(
        SatisfactionResponse.__table__,
        SURVEY_COLUMNS,
        writer.survey_rows(loader.next_id(SatisfactionResponse.__table__)),
        expected=ceil(resolved * 0.3),
    )
    return writer.references


def reference_counters(connection: Connection) -> dict[int, int]:
    table = ReferenceCounter.__table__
    return {year: value for year, value in connection.execute(table.select()).all()}


def save_reference_counters(
    connection: Connection, before: dict[int, int], after: dict[int, int]
) -> None:
    """Leave each year's counter at the last number used, so new real cases follow on."""
    table = ReferenceCounter.__table__
    for year, value in sorted(after.items()):
        if year in before:
            connection.execute(
                table.update()
                .where(table.c.year == year)
                .values(last_value=max(value, before[year]))
            )
        else:
            connection.execute(table.insert().values(year=year, last_value=value))
