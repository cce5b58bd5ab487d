"""Server time of a family's journey to submit a concern on a phone, against a trivial request.

Runs the portal in-process (no network, so the figures are server time) on a fresh SQLite
database, or on BENCH_DATABASE_URL, with the demo district loaded. Prints p50 and p95 per
request and each p50 as a ratio to /healthz's p50 measured in the same run.

    .venv/bin/python bench/family_submit.py [rounds]
"""

from __future__ import annotations

import re
import statistics
import sys

from common import BASELINE, Timings, bench_app, engine_name
from sqlalchemy import select

from portal.extensions import db
from portal.knowledge.models import Category

PHONE = {
    "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile",
    "Accept-Language": "es-MX,es;q=0.9",
}
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def main(rounds: int) -> None:
    app = bench_app(RATELIMIT_ENABLED=False)
    with app.app_context():
        category = db.session.scalar(select(Category.id).where(Category.code == "transportation"))
    timings = Timings(app)
    for _ in range(rounds):
        client = app.test_client()
        timings.request(BASELINE, client, "GET", "/healthz")
        page = timings.request("GET /preguntar (form)", client, "GET", "/preguntar", headers=PHONE)
        body = page.get_data(as_text=True)
        token = TOKEN.search(body).group(1)
        key = re.search(r'submission_key[^>]*value="([^"]+)"', body).group(1)
        timings.request(
            "GET /ask/answers (htmx)",
            client,
            "GET",
            f"/ask/answers?category={category}",
            headers={**PHONE, "HX-Request": "true"},
        )
        timings.request(
            "POST /preguntar (submit)",
            client,
            "POST",
            "/preguntar",
            headers=PHONE,
            data={
                "csrf_token": token,
                "submission_key": key,
                "kind": "concern",
                "name": "Rosa Martínez",
                "relationship": "parent",
                "phone": "720-555-0142",
                "contact_method": "text",
                "language": "es",
                "school": "Goldrick Elementary",
                "category": str(category),
                "description": "El autobús llega tarde.",
            },
        )
        timings.request(
            "GET /ask/received (receipt)", client, "GET", "/ask/received", headers=PHONE
        )
    timings.report(f"{rounds} rounds on {engine_name(app)}; server time in ms")
    total = sum(statistics.median(v) for k, v in timings.values.items() if k != BASELINE)
    base = statistics.median(timings.values[BASELINE])
    print(f"{'whole journey (sum of p50)':32} {total:8.1f} {'':8} {total / base:15.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
