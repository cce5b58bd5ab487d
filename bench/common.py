"""What every benchmark shares: a portal on a scratch database, timing, and the report."""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import MetaData, create_engine, event, make_url  # noqa: E402

from portal import create_app  # noqa: E402
from portal.config import database_url  # noqa: E402
from portal.demo import load_demo  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.reference import load_reference  # noqa: E402
from portal.timeutil import district_today  # noqa: E402

BASELINE = "GET /healthz (baseline)"


def bench_database_url() -> str:
    """BENCH_DATABASE_URL emptied of every table, or a new SQLite file."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{tempfile.mkdtemp(prefix='puente-bench-')}/bench.db"
    url = database_url(url)
    # A scratch database: what an earlier run left would change the figures of this one. Its
    # name must say so, so that a development database given by mistake is not emptied.
    if "bench" not in (make_url(url).database or ""):
        raise SystemExit("BENCH_DATABASE_URL must name a scratch database with 'bench' in it.")
    engine = create_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    tables.drop_all(engine)
    engine.dispose()
    return url


def bench_app(**settings: Any) -> Flask:
    """The portal on an empty BENCH_DATABASE_URL or a new SQLite file, with the demo district."""
    url = bench_database_url()
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
    """Server time and SQL statements per named request through a test client (in-process)."""

    def __init__(self, app: Flask) -> None:
        self.values: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.statements: dict[str, list[int]] = {}
        self.counted = 0
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.counted += 1

    def request(self, name: str, client, method: str, path: str, **kwargs):  # noqa: ANN001, ANN201
        self.counted = 0
        start, start_cpu = time.perf_counter(), time.thread_time()
        response = client.open(path, method=method, **kwargs)
        self.values.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        self.cpu.setdefault(name, []).append((time.thread_time() - start_cpu) * 1000)
        self.statements.setdefault(name, []).append(self.counted)
        if response.status_code >= 400:
            raise RuntimeError(f"{name} answered {response.status_code}")
        return response

    def report(self, title: str) -> None:
        """p50, p95, CPU and statements per request, and each p50 as a ratio to the baseline's.

        The CPU column (the p50 of this thread's CPU time) hardly moves when other work shares
        the machine; the wall-clock columns do.
        """
        base = statistics.median(self.values[BASELINE])
        print(title)
        print(f"{'request':32} {'p50':>8} {'p95':>8} {'CPU':>6} {'SQL':>5} {'p50 / baseline':>15}")
        for name, values in self.values.items():
            p50 = statistics.median(values)
            cpu = statistics.median(self.cpu[name])
            sql = statistics.median(self.statements[name])
            print(
                f"{name:32} {p50:8.1f} {percentile(values, 0.95):8.1f} {cpu:6.1f} {sql:5.0f} "
                f"{p50 / base:15.1f}"
            )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def gunicorn_defaults(portal: Path) -> dict[str, int]:
    """The workers and threads a checkout's gunicorn.conf.py starts with, for a bench that
    is not told otherwise (GUNICORN_WORKERS and GUNICORN_THREADS as it reads them)."""
    import runpy

    settings = runpy.run_path(str(portal / "gunicorn.conf.py"))
    return {"workers": settings["workers"], "threads": settings["threads"]}


def start_gunicorn(portal: Path, log: Path, *args: str, wait: float = 60, **settings: str):  # noqa: ANN201
    """gunicorn as in production, serving `portal` (a checkout) on a free loopback port with
    `settings` added to the environment; returns the process and its port once /readyz
    answers. What this shell sets for the portal (PUENTE_*, SECRET_*, a replica's
    ANALYTICS_DATABASE_URL) is left out: each bench says what it serves."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PUENTE", "SECRET"))}
    env.pop("ANALYTICS_DATABASE_URL", None)
    env.update(
        PUENTE_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        LOG_LEVEL="INFO",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        **settings,
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn with our own arguments
        [str(gunicorn), "-c", str(portal / "gunicorn.conf.py"), *args, "wsgi:app"],
        cwd=portal,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return server, port
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.2)
