"""Listings for the directory's tests: the demo ones, or one made to measure."""

from __future__ import annotations

from datetime import date, time

import pytest

from portal.resources.hours import Opening
from portal.resources.models import Need
from portal.resources.services import ResourceInput, save_resource
from tests.conftest import DEMO_TODAY


@pytest.fixture
def demo_listings(app):  # noqa: ANN001, ANN201
    """The demo directory, inside the test's rolled-back transaction."""
    from portal.resources.demo import load_demo_resources

    with app.test_request_context():
        load_demo_resources(DEMO_TODAY)


def listing(
    name: str = "Test Pantry",
    *,
    needs: tuple[Need, ...] = (Need.FOOD,),
    languages: tuple[str, ...] = ("en", "es"),
    openings: tuple[tuple[int, str, str], ...] = (),
    verified: date | None = DEMO_TODAY,
    **fields: object,
):
    """Save a listing through the service, as the staff form does (needs a request context)."""
    data = ResourceInput(
        name_en=name,
        name_es=str(fields.pop("name_es", name)),
        description_en=str(fields.pop("description_en", "Free groceries.")),
        description_es=str(fields.pop("description_es", "Comida gratis.")),
        needs=frozenset(needs),
        languages=frozenset(languages),
        openings=tuple(
            Opening(day, time.fromisoformat(opens), time.fromisoformat(closes))
            for day, opens, closes in openings
        ),
        **fields,  # type: ignore[arg-type]
    )
    return save_resource(None, data, actor_id=None, ip=None, verified_today=verified)
