"""What families can sign up for: upcoming open offerings, filtered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.programmes.models import (
    Audience,
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
)
from portal.schools.models import School
from portal.textclean import fold


@dataclass(frozen=True)
class BrowseFilter:
    school_id: int | None = None
    # What a family typed in the school box: part of a name, any case, accents or not.
    school_text: str = ""
    language: str = ""  # "en", "es" or "" (bilingual offerings match both)
    programme_id: int | None = None
    from_date: date | None = None

    def as_args(self) -> dict[str, str]:
        args = {
            "school": self.school_text or self.school_id,
            "language": self.language,
            "programme": self.programme_id,
            "from": self.from_date.isoformat() if self.from_date else None,
        }
        return {k: str(v) for k, v in args.items() if v not in (None, "")}


def parse_filter(args: Any) -> BrowseFilter:
    """From query arguments; anything unknown is ignored."""

    def number(name: str) -> int | None:
        try:
            return int(args.get(name, ""))
        except ValueError:
            return None

    try:
        from_date = date.fromisoformat(args.get("from", ""))
    except ValueError:
        from_date = None
    language = args.get("language", "")
    school = args.get("school", "").strip()[:80]
    return BrowseFilter(
        school_id=int(school) if school.isdigit() else None,
        school_text="" if school.isdigit() else school,
        language=language if language in ("en", "es") else "",
        programme_id=number("programme"),
        from_date=from_date,
    )


def schools_matching(typed: str) -> list[int]:
    """Schools whose name contains what was typed, without regard to case or accents."""
    wanted = fold(typed)
    rows = db.session.execute(select(School.id, School.name).where(School.active))
    return [school_id for school_id, name in rows if wanted in fold(name)]


def first_session_starts():  # noqa: ANN201
    return (
        select(func.min(OfferingSession.starts_at))
        .where(OfferingSession.offering_id == Offering.id)
        .scalar_subquery()
    )


def upcoming(flt: BrowseFilter, today: date) -> Select[tuple[Offering]]:
    """Open offerings for families whose last session is still ahead, soonest first."""
    start_of_day = datetime.combine(flt.from_date or today, time.min, tzinfo=UTC)
    still_ahead = (
        select(OfferingSession.id)
        .where(
            OfferingSession.offering_id == Offering.id, OfferingSession.starts_at >= start_of_day
        )
        .exists()
    )
    query = (
        select(Offering)
        .join(Programme)
        .where(
            Offering.status == OfferingStatus.OPEN,
            Programme.audience == Audience.FAMILIES,
            still_ahead,
        )
        .options(
            selectinload(Offering.sessions),
            selectinload(Offering.school),
            selectinload(Offering.programme),
        )
        .order_by(first_session_starts(), Offering.id)
    )
    if flt.school_id:
        query = query.where(Offering.school_id == flt.school_id)
    elif flt.school_text:
        query = query.where(Offering.school_id.in_(schools_matching(flt.school_text)))
    if flt.language:
        query = query.where(
            Offering.language.in_((OfferingLanguage(flt.language), OfferingLanguage.BILINGUAL))
        )
    if flt.programme_id:
        query = query.where(Offering.programme_id == flt.programme_id)
    return query


def public_offering(offering_id: int) -> Offering | None:
    """An offering a family may open: open, closed, completed or cancelled — never a draft."""
    return db.session.execute(_public_offering(), {"id": offering_id}).unique().scalar()


@cache
def _public_offering() -> Select[tuple[Offering]]:
    # Its page and the family's confirmation show the programme, the school and every session.
    # Built once: every registration starts here, and building it cost as much as running it.
    return (
        select(Offering)
        .where(Offering.id == bindparam("id"), Offering.status != OfferingStatus.DRAFT)
        .options(
            joinedload(Offering.programme),
            joinedload(Offering.school),
            joinedload(Offering.sessions),
        )
    )
