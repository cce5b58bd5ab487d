"""What every benchmark shares: a portal on a scratch database, timing, and the report."""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from portal import create_app  # noqa: E402
from portal.demo import load_demo  # noqa: E402
from portal.reference import load_reference  # noqa: E402
from portal.timeutil import district_today  # noqa: E402

BASELINE = "GET /healthz (baseline)"


def bench_app(**settings: Any) -> Flask:
    """The portal on BENCH_DATABASE_URL or a fresh SQLite file, migrated, with the demo district."""
    url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{tempfile.mkdtemp(prefix='puente-bench-')}/bench.db"
    )
    app = create_app(
        {
            "PUENTE_ENV": "test",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SQLALCHEMY_DATABASE_URI": url,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 1024,
            "LOG_LEVEL": "WARNING",
            **settings,
        }
    )
    with app.app_context():
        upgrade()
        load_demo(district_today())
        load_reference()
    return app


def engine_name(app: Flask) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0].split("+")[0]


class Timings:
    """Server time per named request through a test client, in milliseconds."""

    def __init__(self) -> None:
        self.values: dict[str, list[float]] = {}

    def request(self, name: str, client, method: str, path: str, **kwargs):  # noqa: ANN001, ANN201
        start = time.perf_counter()
        response = client.open(path, method=method, **kwargs)
        self.values.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        if response.status_code >= 400:
            raise RuntimeError(f"{name} answered {response.status_code}")
        return response

    def report(self, title: str) -> None:
        """p50 and p95 per request, and each p50 as a ratio to the baseline's p50."""
        base = statistics.median(self.values[BASELINE])
        print(title)
        print(f"{'request':32} {'p50':>8} {'p95':>8} {'p50 / baseline':>15}")
        for name, values in self.values.items():
            p50 = statistics.median(values)
            print(f"{name:32} {p50:8.1f} {percentile(values, 0.95):8.1f} {p50 / base:15.1f}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]
