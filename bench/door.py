"""Server time of the door console's requests with 10,000 registrations in the database.

Check-in, undo, roster search and walk-in through the Flask stack in-process (no network),
signed in as the demo liaison, on a fresh SQLite file or BENCH_DATABASE_URL. Prints p50 and
p95 per request and each p50 as a ratio to /healthz's p50 measured in the same run.

    .venv/bin/python bench/door.py [rounds]
"""

from __future__ import annotations

import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.families.models import FamilyContact  # noqa: E402
from portal.programmes.models import (  # noqa: E402
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
)
from portal.reference import load_reference  # noqa: E402
from portal.schools.models import School  # noqa: E402
from portal.timeutil import district_today  # noqa: E402

TOTAL = 10_000
PER_OFFERING = 40


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def fill(app) -> tuple[int, int, list[int]]:  # noqa: ANN001
    """10,000 registrations in 250 offerings; returns the liaison's offering, session, people."""
    with app.app_context():
        upgrade()
        load_demo(district_today())
        load_reference()
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
    folder = tempfile.mkdtemp(prefix="puente-bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    app = create_app(
        {
            "PUENTE_ENV": "test",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 1024,
            "LOG_LEVEL": "WARNING",
        }
    )
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
    timings: dict[str, list[float]] = {}

    def timed(name: str, method: str, path: str, **kwargs):  # noqa: ANN202
        start = time.perf_counter()
        response = client.open(path, method=method, **kwargs)
        timings.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        if response.status_code >= 400:
            raise RuntimeError(f"{name} answered {response.status_code}")

    for n in range(rounds):
        person = people[n % len(people)]
        timed("GET /healthz (baseline)", "GET", "/healthz")
        timed("search roster (htmx)", "GET", f"{door}?q=Parent 0-{n % 40}", headers=htmx)
        timed(
            "check in (htmx)",
            "POST",
            f"{door}/check-in/{person}",
            headers=htmx,
            data={"present": "1"},
        )
        timed(
            "undo check-in (htmx)",
            "POST",
            f"{door}/check-in/{person}",
            headers=htmx,
            data={"present": "0"},
        )
        timed(
            "walk-in",
            "POST",
            f"{door}/walk-in",
            data={
                "csrf_token": token,
                "name": f"Walk-in {n}",
                "phone": f"720555{n:04d}",
                "language": "es",
                "children_count": "1",
            },
        )
    base = statistics.median(timings["GET /healthz (baseline)"])
    print(
        f"{rounds} rounds on {url.split(':', 1)[0]} with {TOTAL:,} registrations; server time in ms"
    )
    print(f"{'request':28} {'p50':>8} {'p95':>8} {'p50 / baseline':>15}")
    for name, values in timings.items():
        p50 = statistics.median(values)
        print(f"{name:28} {p50:8.1f} {percentile(values, 0.95):8.1f} {p50 / base:15.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
