"""Registrations per second when 200 families press "Register" for 40 seats at once.

Twenty rounds through real HTTP (a threaded server on loopback, each client with its own
cookies, CSRF token and address behind a trusted proxy), on a fresh SQLite file or
BENCH_DATABASE_URL. Every round must end with 40 seated, 160 waiting in arrival order and no
error; the script reports the rate of each round and the totals.

    .venv/bin/python bench/registration_burst.py [rounds]
"""

from __future__ import annotations

import statistics
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from common import bench_app, engine_name
from sqlalchemy import func, select
from werkzeug.serving import make_server

from portal.extensions import db, limiter
from portal.programmes.models import (
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
)
from tests.programmes.test_http_concurrency import PEOPLE, SEATS, timed_burst


def main(rounds: int) -> None:
    app = bench_app(PROXY_COUNT=1)
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == "healthy-meals"))
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    rates, problems = [], 0
    for number in range(1, rounds + 1):
        # The same 200 addresses come back every round; each may register five times a minute.
        limiter.reset()
        with app.app_context():
            offering = Offering(
                programme=programme,
                capacity=SEATS,
                status=OfferingStatus.OPEN,
                language=OfferingLanguage.BILINGUAL,
            )
            start = datetime.now(UTC) + timedelta(days=5)
            offering.sessions.append(OfferingSession(starts_at=start, ends_at=start))
            db.session.add(offering)
            db.session.commit()
            offering_id = offering.id
        statuses, seconds = timed_burst(base, offering_id)
        with app.app_context():
            counts = dict(
                db.session.execute(
                    select(Registration.status, func.count())
                    .where(Registration.offering_id == offering_id)
                    .group_by(Registration.status)
                ).all()
            )
            taken = db.session.get(Offering, offering_id).seats_taken
        ok = (
            statuses == Counter({303: PEOPLE})
            and taken == SEATS
            and counts
            == {RegistrationStatus.REGISTERED: SEATS, RegistrationStatus.WAITLISTED: PEOPLE - SEATS}
        )
        problems += not ok
        rates.append(PEOPLE / seconds)
        print(
            f"round {number:2}: {PEOPLE / seconds:6.0f} registrations/s, statuses "
            f"{dict(statuses)}, seated {counts.get(RegistrationStatus.REGISTERED, 0)}, "
            f"waiting {counts.get(RegistrationStatus.WAITLISTED, 0)}"
            f"{'' if ok else '  <-- WRONG'}"
        )
    httpd.shutdown()
    print(
        f"{rounds} rounds on {engine_name(app)}: median {statistics.median(rates):.0f} "
        f"registrations/s (min {min(rates):.0f}), rounds wrong: {problems}"
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
