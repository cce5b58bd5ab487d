"""A synthetic district at any size, for the dashboards and their benchmark (`flask seed scale`).

`generate(ScaleOptions(schools=1800, years=10, cases=2_000_000))` writes networks, schools,
staff, the district calendar, families, cases with their timelines, meetings and surveys,
quick-logged calls, offerings with sessions, facilitators, registrations, attendance, session
surveys and facilitator certifications, in realistic proportions and seasons, in one
transaction, with bulk inserts. The same options, seed and `today` give the same rows.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
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
# The tables that get millions of rows: on PostgreSQL their indexes are built after the load.
BULK_MODELS = (
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
# Tables whose ids the generator numbers itself: their sequences are moved past them.
NUMBERED_MODELS = (User, Network, School, *BULK_MODELS)
# Tables that make a database "hold a district" (reference data and accounts do not).
DISTRICT_TABLES = {
    "schools": School,
    "cases": Case,
    "quick logs": QuickLog,
    "offerings": Offering,
    "family contacts": FamilyContact,
}


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
    """The first and last day generated: whole school years back to yesterday's."""
    last = today - timedelta(days=1)
    current = last.year if last.month >= 7 else last.year - 1
    return date(current - options.years + 1, 7, 1), last


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
    # Per school and year: about 2.7 family events of 47 registrations, half a cohort of 17.
    events, cohorts = schools * years * 2.7, schools * years * 0.5
    registrations = events * 47 + cohorts * 17 + schools * years * 3
    return {
        "networks": max(1, round(schools / 60)),
        "schools": schools,
        "users": round(schools * 0.81 + max(3, cases / years / 5000) + 6),
        "family_contacts": round(cases * 0.8 + registrations * 0.5),
        "cases": cases,
        "case_entries": round(cases * 4.0),
        "case_meetings": round(cases * 0.15),
        "satisfaction_responses": round(cases * 0.3),
        "quick_logs": round(cases * QUICK_LOGS_PER_CASE),
        "offerings": round(events + cohorts),
        "offering_sessions": round(events + cohorts * 4.6),
        "registrations": round(registrations),
        "attendance": round(registrations * 0.84),
        "session_feedback": round(registrations * 0.25),
    }


def generate(options: ScaleOptions, *, progress: Progress = no_progress) -> Generated:
    """Write the synthetic district; everything or nothing (one transaction)."""
    from portal.timeutil import district_today

    _check(options)
    started = time.perf_counter()
    today = options.today or district_today()
    run = _Run(options, today, progress)
    run.plan()
    # A fresh district loads faster with its indexes built once at the end (PostgreSQL);
    # beside an existing one, rebuilding every index for a few new rows would cost more.
    loader = run.loader
    bulk = [m.__table__ for m in BULK_MODELS]
    with nullcontext() if options.append else loader.indexes_rebuilt_after(bulk):
        run.load()
    loader.reset_sequences(m.__table__ for m in NUMBERED_MODELS)
    db.session.commit()
    if loader.postgresql:
        # Fresh statistics, so the planner knows the tables are no longer empty.
        clock = time.perf_counter()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        loader.loaded.steps["ANALYZE"] = time.perf_counter() - clock
    return Generated(loader.loaded, time.perf_counter() - started, run.first, run.last)


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


class _Run:
    """One generation: the district and its calendar, then the plans, then the rows."""

    def __init__(self, options: ScaleOptions, today: date, progress: Progress) -> None:
        from portal.reference import load_reference

        self.options = options
        self.progress = progress
        self.first, self.last = history(options, today)
        self.seed = str(options.seed)
        load_reference()  # categories and programmes: idempotent, commits on its own
        self.levels = service_levels()
        complete_calendar(self.first, self.last)
        db.session.flush()
        self.connection = db.session.connection()
        self.loader = BulkLoader(self.connection, progress)
        zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        self.days = DistrictDays(self.first, self.last, zone)
        self.cutoff = self.days.at(today.toordinal(), 0)  # nothing has happened yet today
        self.categories = {c.code: c.id for c in db.session.scalars(select(Category))}
        self.programmes = {p.code: p.id for p in db.session.scalars(select(Programme))}

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")  # noqa: S311 - repeatable synthetic data

    @contextmanager
    def _timed(self, step: str, total: int) -> Iterator[Callable[[int], None]]:
        started = time.perf_counter()
        with self.progress(step, total) as update:
            yield update
        self.loader.loaded.steps[step] = time.perf_counter() - started

    def plan(self) -> None:
        options, loader = self.options, self.loader
        self.district = build_district(
            loader,
            self.rng("district"),
            schools=options.schools,
            cases_per_year=options.cases / options.years,
            created=self.days.at(self.first.toordinal(), 8 * 3600),
        )
        self.families = Families(loader.next_id(FamilyContact.__table__), self.rng("families"))
        counts = case_tables.daily_counts(
            options.cases,
            self.days,
            self.rng("days"),
            weekend=case_tables.WEEKEND_VOLUME,
            closed=case_tables.CLOSED_VOLUME,
        )
        self.counters = case_tables.reference_counters(self.connection)
        _check_references(counts, self.counters)
        planner = case_tables.CasePlanner(
            self.days,
            self.district,
            self.families,
            self.categories,
            self.levels,
            self.rng("cases"),
            self.cutoff,
        )
        with self._timed("planning cases", options.cases) as update:
            self.cases = planner.plan(counts, loader.next_id(Case.__table__), update)
        offerings = ProgrammePlanner(
            self.days,
            self.district,
            self.families,
            self.programmes,
            self.rng("offerings"),
            self.cutoff,
            first_offering=loader.next_id(Offering.__table__),
            first_session=loader.next_id(OfferingSession.__table__),
            first_registration=loader.next_id(Registration.__table__),
        )
        with self._timed("planning offerings", options.years + 1) as update:
            self.offerings = offerings.plan(update)

    def load(self) -> None:
        loader = self.loader
        self.families.load(loader, self.rng("contacts"))
        writer = case_tables.CaseWriter(
            self.cases,
            self.days,
            self.families,
            self.levels,
            {v: k for k, v in self.categories.items()},
            self.seed,
            self.cutoff,
        )
        used = case_tables.load_cases(loader, writer, self.counters)
        case_tables.save_reference_counters(self.connection, self.counters, used)
        calls = round(self.options.cases * QUICK_LOGS_PER_CASE)
        days = case_tables.daily_counts(
            calls, self.days, self.rng("call-days"), weekend=0.0, closed=0.0
        )
        loader.load(
            QuickLog.__table__,
            case_tables.QUICK_LOG_COLUMNS,
            case_tables.quick_log_rows(
                loader.next_id(QuickLog.__table__),
                days,
                self.days,
                self.district,
                self.categories,
                self.rng("calls"),
            ),
            expected=calls,
        )
        load_programmes(loader, self.offerings, self.programmes, self.days, self.seed, self.cutoff)


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
