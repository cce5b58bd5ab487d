"""200 families press "Register" for 40 seats at the same moment, through real HTTP.

A threaded server on loopback, 200 clients each with its own cookie jar, CSRF token and
address (behind a trusted proxy, as in production), released together by a barrier. Run
several rounds here; bench/registration_burst.py runs twenty and reports the rate.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select
from werkzeug.serving import make_server

from portal import create_app
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
from tests.conftest import portal_config

PEOPLE, SEATS, ROUNDS = 200, 40, 3
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


def burst(base: str, offering_id: int) -> Counter:
    """Every client loads the form, then all post at once; returns the status codes."""
    return timed_burst(base, offering_id)[0]


def timed_burst(base: str, offering_id: int) -> tuple[Counter, float]:
    """The burst, and the seconds from the moment all 200 post to the last answer."""
    released: list[float] = []
    ready = threading.Barrier(PEOPLE, action=lambda: released.append(time.perf_counter()))

    def family(n: int) -> int:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        address = {"X-Forwarded-For": f"10.{n // 250}.{n % 250}.9"}
        page = opener.open(
            urllib.request.Request(f"{base}/workshops/{offering_id}", headers=address), timeout=60
        )
        token = TOKEN.search(page.read().decode()).group(1)
        body = urllib.parse.urlencode(
            {
                "csrf_token": token,
                "name": f"Familia {n}",
                "phone": f"720555{n:04d}",
                "language": "es",
            }
        ).encode()
        ready.wait(timeout=60)
        try:
            response = opener.open(
                urllib.request.Request(
                    f"{base}/workshops/{offering_id}", data=body, headers=address
                ),
                timeout=60,
            )
            return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        statuses = Counter(pool.map(family, range(PEOPLE)))
    return statuses, time.perf_counter() - released[0]


@pytest.fixture
def server(live_app):  # noqa: ANN001, ANN201
    """The portal behind one trusted proxy, so that each client has its own address."""
    app = create_app(
        portal_config(live_app.config["SQLALCHEMY_DATABASE_URI"], PROXY_COUNT=1, TESTING=False)
    )
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


def test_two_hundred_at_once_for_forty_seats(server):
    app, base = server
    for _ in range(ROUNDS):
        limiter.reset()
        with app.app_context():
            programme = db.session.scalars(
                select(Programme).where(Programme.code == "healthy-meals")
            ).one()
            offering = Offering(
                programme=programme,
                capacity=SEATS,
                status=OfferingStatus.OPEN,
                language=OfferingLanguage.BILINGUAL,
            )
            start = datetime.now(UTC) + timedelta(days=5)
            offering.sessions.append(
                OfferingSession(starts_at=start, ends_at=start + timedelta(hours=2))
            )
            db.session.add(offering)
            db.session.commit()
            offering_id = offering.id
        try:
            statuses = burst(base, offering_id)
            assert statuses == Counter({303: PEOPLE}), statuses  # no 5xx, no refusals
            with app.app_context():
                rows = db.session.scalars(
                    select(Registration).where(Registration.offering_id == offering_id)
                ).all()
                by_status = Counter(r.status for r in rows)
                assert by_status == {
                    RegistrationStatus.REGISTERED: SEATS,
                    RegistrationStatus.WAITLISTED: PEOPLE - SEATS,
                }
                assert db.session.get(Offering, offering_id).seats_taken == SEATS
                # Arrival order: every seat went to someone who came before everyone waiting.
                seated = max(r.created_at for r in rows if r.holds_seat)
                assert all(r.created_at >= seated for r in rows if not r.holds_seat)
        finally:
            with app.app_context():
                db.session.execute(
                    delete(Registration).where(Registration.offering_id == offering_id)
                )
                db.session.execute(delete(Offering).where(Offering.id == offering_id))
                db.session.commit()
