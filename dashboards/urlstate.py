"""Filters in the URL, so that a view can be bookmarked and shared."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from portal.analytics.filters import Filters

FILTER_NAMES = ("start", "end", "network", "school", "tier", "category", "language", "programme")
LONGEST = timedelta(days=366 * 12)


def default_range(today: date) -> tuple[date, date]:
    """The last twelve months up to today."""
    return today - timedelta(days=364), today


def _int(values: dict[str, Any], name: str) -> int | None:
    value = values.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


def parse_day(value: Any) -> date | None:
    """A day from the URL or a box; nonsense, and days far outside any school year, are none."""
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None


def from_values(values: dict[str, Any], today: date) -> Filters:
    """Filters from a mapping (the URL's query or the controls); anything odd is ignored."""
    first, last = default_range(today)
    start = parse_day(values.get("start")) or first
    end = parse_day(values.get("end")) or last
    if end < start:
        start, end = end, start
    if end - start > LONGEST:
        start = end - LONGEST
    language = values.get("language") or None
    return Filters(
        start=start,
        end=end,
        network_id=_int(values, "network"),
        school_id=_int(values, "school"),
        tier=_int(values, "tier"),
        category_id=_int(values, "category"),
        language=str(language)[:8] if language else None,
        programme_id=_int(values, "programme"),
    )


def parse(search: str, today: date) -> Filters:
    query = parse_qs(search.lstrip("?"))
    return from_values({k: v[0] for k, v in query.items() if v}, today)


def to_search(filters: Filters) -> str:
    values = {
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "network": filters.network_id,
        "school": filters.school_id,
        "tier": filters.tier,
        "category": filters.category_id,
        "language": filters.language,
        "programme": filters.programme_id,
    }
    return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})
