"""Names for the ids a figure groups by, in the viewer's language where there are two."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import get_locale
from sqlalchemy import select

from portal.analytics.query import read
from portal.knowledge.models import Category
from portal.schools.models import Network, School


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
        query = select(Category.id, column).where(Category.id.in_(wanted))
    elif kind == "school":
        query = select(School.id, School.name).where(School.id.in_(wanted))
    elif kind == "network":
        query = select(Network.id, Network.name).where(Network.id.in_(wanted))
    else:
        raise ValueError(kind)
    found.update(dict(read(query)))
    return found
