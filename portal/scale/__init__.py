"""A synthetic district at any size, for the dashboards and their benchmark (`flask seed scale`).

`generate(ScaleOptions(schools=1800, years=10, cases=2_000_000))` writes networks, schools,
staff, the district calendar, families, cases with their timelines, meetings and surveys,
quick-logged calls, offerings with sessions, facilitators, registrations, attendance, session
surveys and facilitator certifications, in realistic proportions and seasons, in one
transaction, with bulk inserts. The same options and seed give the same rows.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, text

from portal.auth.models import User
from portal.concerns.models import Case, CaseEntry, Meeting, QuickLog, SatisfactionResponse
from portal.concerns.service_levels import current as service_levels
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.knowledge.models import Category
from portal.programmes.models import (
    Attendance,
    FacilitatorCertification,
    Offering,
    OfferingSession,
    Programme,
    Registration,
    SessionFeedback,
)
from portal.scale import cases as case_tables
from portal.scale.days import DistrictDays, complete_calendar
from portal.scale.district import Families, build_district
from portal.scale.loader import BulkLoader, Loaded, Progress, no_progress
from portal.scale.programmes import ProgrammePlanner, load_programmes
from portal.schools.models import Network, School

QUICK_LOGS_PER_CASE = 2.5
MAX_REFERENCES_PER_YEAR = 999_999  # FCS-YYYY-NNNNNN


class ScaleError(ValueError):
    """The generator will not run with these options on this database."""


@dataclass(frozen=True)
class ScaleOptions:
    schools: int = 30
    years: int = 1
    cases: int = 10_000
    seed: int = 1
    today: date | None = None  # the history ends the day before; default: the district's today
    append: bool = False


@dataclass(frozen=True)
class Generated:
    loaded: Loaded
    seconds: float
    first_day: date
    last_day: date

    @property
    def rate(self) -> float:
        return self.loaded.rows / self.seconds if self.seconds else 0.0


def history(options: ScaleOptions, today: date) -> tuple[date, date]:
    """The first and last day generated: whole school years back from the current one."""
    current = today.year if today.month >= 7 else today.year - 1
    return date(current - options.years + 1, 7, 1), today - timedelta(days=1)


# Tables that make a database "hold a district" (reference data and accounts do not).
DISTRICT_TABLES = {
    "schools": School,
    "cases": Case,
    "quick logs": QuickLog,
    "offerings": Offering,
    "family contacts": FamilyContact,
}


def existing_data() -> dict[str, int]:
    """How many rows the district tables already hold (empty dict: a fresh database)."""
    found = {}
    for label, model in DISTRICT_TABLES.items():
        count = db.session.scalar(select(func.count()).select_from(model))
        if count:
            found[label] = count
    return found


def estimate(options: ScaleOptions) -> dict[str, int]:
    """About how many rows each table gets, from the proportions the generator uses."""
    schools, years, cases = options.schools, options.years, options.cases
    school_years = schools * years
    events = school_years * 2.7
    cohorts = school_years * 0.5
    registrations = events * 32 + cohorts * 17
    return {
        "networks": max(1, round(schools / 60)),
        "schools": schools,
        "users": round(schools * 0.81 + max(3, cases / years / 5000) + 6),
        "family_contacts": round(cases * 0.8 + registrations * 0.5),
        "cases": cases,
        "case_entries": round(cases * 4.1),
        "case_meetings": round(cases * 0.145),
        "satisfaction_responses": round(cases * 0.28),
        "quick_logs": round(cases * QUICK_LOGS_PER_CASE),
        "offerings": round(events + cohorts),
        "offering_sessions": round(events + cohorts * 4.6),
        "registrations": round(registrations),
        "attendance": round(registrations * 0.85),
        "session_feedback": round(registrations * 0.22),
    }


def _check(options: ScaleOptions) -> None:
    if options.schools < 1:
        raise ScaleError("--schools must be at least 1.")
    if options.years < 1:
        raise ScaleError("--years must be at least 1.")
    if options.cases < 0:
        raise ScaleError("--cases cannot be negative.")
    if not options.append:
        found = existing_data()
        if found:
            listed = ", ".join(f"{count} {label}" for label, count in found.items())
            raise ScaleError(
                f"The database already holds a district ({listed}). "
                "Use a new database, or --append to add the synthetic district beside it."
            )


def generate(options: ScaleOptions, *, progress: Progress = no_progress) -> Generated:
    """Write the synthetic district; everything or nothing (one transaction)."""
    from portal.reference import load_reference
    from portal.timeutil import district_today

    _check(options)
    started = time.perf_counter()
    today = options.today or district_today()
    first, last = history(options, today)
    seed = str(options.seed)
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])

    load_reference()  # categories and programmes: idempotent, commits on its own
    levels = service_levels()
    complete_calendar(first, last)
    db.session.flush()
    connection = db.session.connection()
    loader = BulkLoader(connection, progress)

    days = DistrictDays(first, last, zone)
    cutoff = days.at(today.toordinal(), 0)  # nothing has happened yet today
    district = build_district(
        loader,
        random.Random(f"{seed}:district"),  # noqa: S311 - repeatable synthetic data
        schools=options.schools,
        cases_per_year=options.cases / options.years,
        created=days.at(first.toordinal(), 8 * 3600),
    )
    categories = {c.code: c.id for c in db.session.scalars(select(Category))}
    programmes = {p.code: p.id for p in db.session.scalars(select(Programme))}
    families = Families(
        loader.next_id(FamilyContact.__table__),
        random.Random(f"{seed}:families"),  # noqa: S311
    )

    counts = case_tables.daily_counts(
        options.cases,
        days,
        random.Random(f"{seed}:days"),  # noqa: S311
        weekend=case_tables.WEEKEND_VOLUME,
        closed=case_tables.CLOSED_VOLUME,
    )
    counters = case_tables.reference_counters(connection)
    _check_references(counts, counters)
    planner = case_tables.CasePlanner(
        days,
        district,
        families,
        categories,
        levels,
        random.Random(f"{seed}:cases"),  # noqa: S311
        cutoff,
    )
    with progress("planning cases", options.cases) as update:
        facts = planner.plan(counts, loader.next_id(Case.__table__), update)
    programme_planner = ProgrammePlanner(
        days,
        district,
        families,
        programmes,
        random.Random(f"{seed}:offerings"),  # noqa: S311
        cutoff,
        first_offering=loader.next_id(Offering.__table__),
        first_session=loader.next_id(OfferingSession.__table__),
        first_registration=loader.next_id(Registration.__table__),
    )
    with progress("planning offerings", options.years + 1) as update:
        offerings = programme_planner.plan(update)

    families.load(loader, random.Random(f"{seed}:contacts"))  # noqa: S311
    writer = case_tables.CaseWriter(
        facts, days, families, levels, {v: k for k, v in categories.items()}, seed, cutoff
    )
    used = case_tables.load_cases(loader, writer, counters)
    case_tables.save_reference_counters(connection, counters, used)
    calls = round(options.cases * QUICK_LOGS_PER_CASE)
    loader.load(
        QuickLog.__table__,
        case_tables.QUICK_LOG_COLUMNS,
        case_tables.quick_log_rows(
            loader.next_id(QuickLog.__table__),
            case_tables.daily_counts(
                calls,
                days,
                random.Random(f"{seed}:call-days"),  # noqa: S311
                weekend=0.0,
                closed=0.0,
            ),
            days,
            district,
            categories,
            random.Random(f"{seed}:calls"),  # noqa: S311
        ),
        expected=calls,
    )
    load_programmes(loader, offerings, programmes, days, seed, cutoff)
    loader.reset_sequences(
        model.__table__
        for model in (
            User,
            Network,
            School,
            FamilyContact,
            Case,
            CaseEntry,
            Meeting,
            SatisfactionResponse,
            QuickLog,
            Offering,
            OfferingSession,
            Registration,
            Attendance,
            SessionFeedback,
            FacilitatorCertification,
        )
    )
    db.session.commit()
    if loader.postgresql:
        # Fresh statistics, so the planner knows the tables are no longer empty.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return Generated(loader.loaded, time.perf_counter() - started, first, last)


def _check_references(counts: list[tuple[int, int]], counters: dict[int, int]) -> None:
    per_year: dict[int, int] = {}
    for ordinal, count in counts:
        year = date.fromordinal(ordinal).year
        per_year[year] = per_year.get(year, 0) + count
    for year, count in per_year.items():
        if counters.get(year, 0) + count > MAX_REFERENCES_PER_YEAR:
            raise ScaleError(
                f"{year} would need more than {MAX_REFERENCES_PER_YEAR:,} case references "
                f"(FCS-{year}-NNNNNN); spread the cases over more --years."
            )


__all__ = [
    "Generated",
    "ScaleError",
    "ScaleOptions",
    "estimate",
    "existing_data",
    "generate",
    "history",
]
