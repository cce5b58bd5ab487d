"""Names for the ids a figure groups by, in the viewer's language where there are two."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import get_locale
from sqlalchemy import select

from portal.analytics.query import read
from portal.knowledge.models import Category
from portal.schools.models import Network, School

MANY = 100  # ids past which the whole table is read rather than an IN list


def viewer_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


def names(kind: str, ids: Iterable[int | None]) -> dict[int | None, str | None]:
    """category, school or network id -> its name; None (no school recorded) stays None."""
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int | None, str | None] = {None: None}
    if not wanted:
        return found
    if kind == "category":
        column = Category.name_es if viewer_language() == "es" else Category.name_en
        ident, query = Category.id, select(Category.id, column)
    elif kind == "school":
        ident, query = School.id, select(School.id, School.name)
    elif kind == "network":
        ident, query = Network.id, select(Network.id, Network.name)
    else:
        raise ValueError(kind)
    if len(wanted) <= MANY:
        found.update(dict(read(query.where(ident.in_(wanted)))))
        return found
    # Every school of the district: an IN list of 1,800 ids cost more to build, send and plan
    # than reading the whole (small) table (bench/dashboards.py).
    keep = set(wanted)
    found.update((i, name) for i, name in read(query) if i in keep)
    return found
