"""Server time of the door console's requests with 10,000 registrations in the database.

Check-in, undo, roster search and walk-in (as the console sends it with htmx, and as a browser
without htmx does) through the Flask stack in-process (no network), signed in as the demo
liaison, on a fresh SQLite file or BENCH_DATABASE_URL (emptied first). Prints p50 and p95 per
request, its SQL statements, and each p50 as a ratio to /healthz's p50 measured in the same run.

    .venv/bin/python bench/door.py [rounds]
"""

from __future__ import annotations

import re
import secrets
import sys
from datetime import UTC, datetime, timedelta

from common import BASELINE, Timings, bench_app, engine_name
from sqlalchemy import insert, select

from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.programmes.models import (
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
)
from portal.schools.models import School

TOTAL = 10_000
PER_OFFERING = 40


def fill(app) -> tuple[int, int, list[int]]:  # noqa: ANN001
    """10,000 registrations in 250 offerings; returns the liaison's offering, session, people."""
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == "healthy-meals"))
        school = db.session.scalar(select(School).where(School.code == "506"))
        start = datetime.now(UTC) + timedelta(days=3)
        first_offering = None
        for n in range(TOTAL // PER_OFFERING):
            offering = Offering(
                programme=programme,
                school=school,
                capacity=PER_OFFERING,
                seats_taken=PER_OFFERING,
                language=OfferingLanguage.BILINGUAL,
                status=OfferingStatus.OPEN,
            )
            offering.sessions.append(OfferingSession(starts_at=start, ends_at=start))
            db.session.add(offering)
            db.session.flush()
            first_offering = first_offering or offering
            contacts = (
                db.session.execute(
                    insert(FamilyContact).returning(FamilyContact.id),
                    [
                        {
                            "name": f"Parent {n}-{i}",
                            "phone": f"+1720{n:03d}{i:04d}",
                            "language": "es",
                        }
                        for i in range(PER_OFFERING)
                    ],
                )
                .scalars()
                .all()
            )
            db.session.execute(
                insert(Registration),
                [
                    {
                        "offering_id": offering.id,
                        "contact_id": c,
                        "language": "es",
                        "status": RegistrationStatus.REGISTERED,
                        "holds_seat": True,
                        "code_hash": secrets.token_hex(32),
                    }
                    for c in contacts
                ],
            )
        db.session.commit()
        session_id = first_offering.sessions[0].id
        people = list(
            db.session.scalars(
                select(Registration.id).where(Registration.offering_id == first_offering.id)
            )
        )
        return first_offering.id, session_id, people


def main(rounds: int) -> None:
    app = bench_app(RATELIMIT_ENABLED=False)
    offering_id, session_id, people = fill(app)
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    liaison = next(a.email for a in DEMO_ACCOUNTS if a.role.value == "liaison")
    client.post("/sign-in", data={"csrf_token": token, "email": liaison, "password": DEMO_PASSWORD})
    door = f"/events/{offering_id}/sessions/{session_id}"
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(door).get_data(as_text=True)
    ).group(1)
    htmx = {"HX-Request": "true", "X-CSRFToken": token}
    timings = Timings(app)
    for n in range(rounds):
        person = people[n % len(people)]
        timings.request(BASELINE, client, "GET", "/healthz")
        timings.request(
            "search roster (htmx)", client, "GET", f"{door}?q=Parent 0-{n % 40}", headers=htmx
        )
        timings.request(
            "check in (htmx)",
            client,
            "POST",
            f"{door}/check-in/{person}",
            headers=htmx,
            data={"present": "1"},
        )
        timings.request(
            "undo check-in (htmx)",
            client,
            "POST",
            f"{door}/check-in/{person}",
            headers=htmx,
            data={"present": "0"},
        )
        walk_in = {"name": f"Walk-in {n}", "language": "es", "children_count": "1", "q": ""}
        timings.request(
            "walk-in (htmx)",
            client,
            "POST",
            f"{door}/walk-in",
            headers=htmx,
            data={**walk_in, "phone": f"720555{n:04d}"},
        )
        timings.request(
            "walk-in (whole page, no htmx)",
            client,
            "POST",
            f"{door}/walk-in",
            data={**walk_in, "phone": f"720556{n:04d}", "csrf_token": token},
        )
    timings.report(
        f"{rounds} rounds on {engine_name(app)} with {TOTAL:,} registrations; server time in ms"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
