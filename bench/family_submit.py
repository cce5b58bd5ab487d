"""Server time of a family's journey to submit a concern on a phone, against a trivial request.

Runs the portal in-process (no network, so the figures are server time) on a fresh SQLite
database, or on BENCH_DATABASE_URL, with the demo district loaded. Prints p50 and p95 per
request and each p50 as a ratio to /healthz's p50 measured in the same run.

    .venv/bin/python bench/family_submit.py [rounds]
"""

from __future__ import annotations

import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.demo import load_demo  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.knowledge.models import Category  # noqa: E402
from portal.reference import load_reference  # noqa: E402
from portal.timeutil import district_today  # noqa: E402

PHONE = {
    "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile",
    "Accept-Language": "es-MX,es;q=0.9",
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


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
    with app.app_context():
        upgrade()
        load_demo(district_today())
        load_reference()
        category = db.session.scalar(select(Category.id).where(Category.code == "transportation"))
    timings: dict[str, list[float]] = {}

    def timed(name: str, client, method: str, path: str, **kwargs):  # noqa: ANN001, ANN202
        start = time.perf_counter()
        response = client.open(path, method=method, **kwargs)
        timings.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        if response.status_code >= 400:
            raise RuntimeError(f"{name} answered {response.status_code}")
        return response

    for _ in range(rounds):
        client = app.test_client()
        timed("GET /healthz (baseline)", client, "GET", "/healthz")
        page = timed("GET /preguntar (form)", client, "GET", "/preguntar", headers=PHONE)
        body = page.get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
        key = re.search(r'submission_key[^>]*value="([^"]+)"', body).group(1)
        timed(
            "GET /ask/answers (htmx)",
            client,
            "GET",
            f"/ask/answers?category={category}",
            headers={**PHONE, "HX-Request": "true"},
        )
        timed(
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
        timed("GET /ask/received (receipt)", client, "GET", "/ask/received", headers=PHONE)
    base = statistics.median(timings["GET /healthz (baseline)"])
    engine = url.split(":", 1)[0]
    print(f"{rounds} rounds on {engine}; server time in ms")
    print(f"{'request':32} {'p50':>8} {'p95':>8} {'p50 / baseline':>15}")
    for name, values in timings.items():
        p50 = statistics.median(values)
        print(f"{name:32} {p50:8.1f} {percentile(values, 0.95):8.1f} {p50 / base:15.1f}")
    total = sum(statistics.median(v) for k, v in timings.items() if "baseline" not in k)
    print(f"{'whole journey (sum of p50)':32} {total:8.1f} {'':8} {total / base:15.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
