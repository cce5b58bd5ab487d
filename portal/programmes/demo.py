"""Demo programmes: a school year of workshops, events and trainings, loaded once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.programmes.demo_write import load_demo_year
from portal.programmes.models import Offering


def load_demo_offerings(today: date) -> dict[str, int]:
    """The school year around `today` (demo_year, demo_write); nothing if there are offerings."""
    if db.session.scalar(select(Offering.id).limit(1)) is not None:
        return {"offerings": 0, "registrations": 0}
    return load_demo_year(today)
