"""Every figure equals its plain twin on a year of demo cases, over ranges that cut weeks,
months and years at odd places, with each filter and each scope."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.analytics.figures import FIGURES
from portal.analytics.filters import Filters, Scope
from portal.analytics.refresh import refresh
from portal.concerns.demo import load_demo_cases
from portal.extensions import db
from portal.knowledge.models import Category
from portal.schools.models import Network, School
from tests.conftest import DEMO_TODAY

RANGES = [
    (date(2025, 11, 1), DEMO_TODAY),  # the demo year: a year, months, weeks and days
    (date(2025, 12, 17), date(2026, 3, 3)),  # across a new year, mid-week at both ends
    (date(2026, 2, 2), date(2026, 2, 8)),  # one ISO week
    (date(2026, 5, 30), date(2026, 6, 2)),  # a few days across a month end
]


def test_every_figure_equals_its_plain_twin_on_a_demo_year(app_ctx):
    load_demo_cases(DEMO_TODAY)
    refresh()
    network = db.session.scalar(select(Network.id).order_by(Network.id))
    school = db.session.scalar(select(School.id).order_by(School.id))
    category = db.session.scalar(select(Category.id).where(Category.code == "transportation"))
    filters = [
        {},
        {"language": "es"},
        {"tier": 2},
        {"category_id": category},
        {"network_id": network},
        {"school_id": school},
        {"tier": 1, "language": "en", "network_id": network},
    ]
    scopes = [Scope(), Scope(network_id=network), Scope(suppress_small=True)]
    checked = 0
    for start, end in RANGES:
        for extra in filters:
            for scope in scopes if not extra else scopes[:1]:
                f = Filters(start=start, end=end, **extra)
                for figure in FIGURES:
                    for kwargs in figure.options:
                        shown = figure.query(f, scope, **kwargs)
                        assert shown == figure.plain(f, scope, **kwargs), (figure.name, kwargs, f)
                        checked += 1
    assert checked == len(RANGES) * (len(filters) + 2) * 19
