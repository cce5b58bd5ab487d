"""Registrations per second when 200 families press "Register" for 40 seats at once.

The portal runs under gunicorn with production settings behind one trusted proxy, on a fresh
SQLite file or BENCH_DATABASE_URL (emptied first). This process is only the families: 200
asyncio connections, each with its own cookie, CSRF token and address, load the form and then
all post at the same moment. Every round must end with every answer a 303, 40 seated and 160
waiting in arrival order. Prints each round's rate (200 over the seconds from the release to
the last answer), then the median rate, the server's own time per registration and its SQL
statements (from the portal's JSON request log) and the families' wall time.

    .venv/bin/python bench/registration_burst.py [rounds] [--workers N] [--threads N]

--portal DIR serves another checkout of the portal, with its own gunicorn.conf.py (say, an
older commit), with this same harness, so that two versions can be compared in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import signal
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import bench_app, engine_name, gunicorn_defaults, percentile, start_gunicorn
from sqlalchemy import select

from portal.extensions import db
from portal.programmes.models import (
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
)

PEOPLE, SEATS = 200, 40
ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def start_server(portal: Path, url: str, workers: int, threads: int, log: Path, *extra: str):  # noqa: ANN201
    """gunicorn as in production, behind one trusted proxy; the process and its port."""
    return start_gunicorn(
        portal,
        log,
        *extra,
        DATABASE_URL=url,
        PROXY_COUNT="1",
        GUNICORN_WORKERS=str(workers),
        GUNICORN_THREADS=str(threads),
    )


async def exchange(port: int, method: str, path: str, headers: dict[str, str], body: bytes = b""):  # noqa: ANN201
    """One HTTP/1.1 request on its own connection: (status, headers by lower-case name, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found: dict[str, list[str]] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        found.setdefault(name.strip().lower(), []).append(value.strip())
    return int(status_line.split()[1]), found, content


def cpu_seconds(server_pid: int, database: str) -> tuple[float, float]:
    """CPU seconds used so far by gunicorn's processes and by the database's backends (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    server = backends = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, _, rest = stat.read_text().partition(" (")
            fields = rest.rsplit(") ", 1)[1].split()
            used = (int(fields[11]) + int(fields[12])) / tick
            if int(pid) == server_pid or int(fields[1]) == server_pid:
                server += used
            elif database and f" {database} " in (stat.parent / "cmdline").read_text():
                backends += used
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile, or one we may not read
    return server, backends


def machine_seconds() -> tuple[float, float]:
    """CPU seconds the whole machine has been busy and idle so far (Linux)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    idle = fields[3] + fields[4]  # idle and waiting for I/O
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields[:8]) - idle) / tick, idle / tick


class Usage:
    """CPU used by the server, the database, this process and the machine between two moments."""

    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid, self.database = server_pid, database
        self.server = self.backends = self.client = self.busy = self.idle = 0.0

    def _now(self) -> tuple[float, ...]:
        return (
            *cpu_seconds(self.server_pid, self.database),
            time.process_time(),
            *machine_seconds(),
        )

    def start(self) -> None:
        self._first = self._now()

    def stop(self) -> None:
        last = self._now()
        self.server += last[0] - self._first[0]
        self.backends += last[1] - self._first[1]
        self.client += last[2] - self._first[2]
        self.busy += last[3] - self._first[3]
        self.idle += last[4] - self._first[4]


async def burst(port: int, offering_id: int, round_number: int, usage: Usage):  # noqa: ANN201
    """Every family loads the form, then all post at once; statuses, seconds, latencies."""
    everyone_ready = asyncio.Event()
    ready = 0
    released = 0.0
    path = f"/workshops/{offering_id}"

    async def family(n: int) -> tuple[int, float]:
        nonlocal ready, released
        # A new address for each family in each round: the per-address limit stays on.
        address = {"X-Forwarded-For": f"10.{round_number}.{n // 250}.{n % 250 + 1}"}
        status, headers, page = await exchange(
            port, "GET", path, {**address, "X-Request-ID": f"bench-get-{round_number}-{n}"}
        )
        if status != 200:
            raise RuntimeError(f"the form answered {status}")
        cookie = headers["set-cookie"][0].split(";", 1)[0]
        body = urllib.parse.urlencode(
            {
                "csrf_token": TOKEN.search(page.decode()).group(1),
                "name": f"Familia {n}",
                "phone": f"720555{n:04d}",
                "language": "es",
            }
        ).encode()
        ready += 1
        if ready == PEOPLE:
            usage.start()
            released = time.perf_counter()
            everyone_ready.set()
        await everyone_ready.wait()
        request_id = f"bench-post-{round_number}-{n}"
        status, _, _ = await exchange(
            port, "POST", path, {**address, "Cookie": cookie, "X-Request-ID": request_id}, body
        )
        return status, time.perf_counter() - released

    answers = await asyncio.gather(*(family(n) for n in range(PEOPLE)))
    usage.stop()
    latencies = [seconds for _, seconds in answers]
    return Counter(status for status, _ in answers), max(latencies), latencies


def new_offering(app, programme_id: int) -> int:  # noqa: ANN001
    with app.app_context():
        offering = Offering(
            programme_id=programme_id,
            capacity=SEATS,
            status=OfferingStatus.OPEN,
            language=OfferingLanguage.BILINGUAL,
        )
        start = datetime.now(UTC) + timedelta(days=5)
        offering.sessions.append(OfferingSession(starts_at=start, ends_at=start))
        db.session.add(offering)
        db.session.commit()
        return offering.id


def outcome(app, offering_id: int) -> tuple[int, int, bool, int]:  # noqa: ANN001
    """Seated, waiting, whether every seat went to someone who came before all who wait."""
    with app.app_context():
        rows = db.session.scalars(
            select(Registration).where(Registration.offering_id == offering_id)
        ).all()
        by_status = Counter(r.status for r in rows)
        seated = [r.created_at for r in rows if r.holds_seat]
        waiting = [r.created_at for r in rows if not r.holds_seat]
        in_order = bool(seated) and all(w >= max(seated) for w in waiting)
        taken = db.session.get(Offering, offering_id).seats_taken
    return (
        by_status[RegistrationStatus.REGISTERED],
        by_status[RegistrationStatus.WAITLISTED],
        in_order,
        taken,
    )


def request_log(log: Path) -> list[dict]:
    """The portal's JSON lines for the families' posts."""
    lines = []
    for line in log.read_text().splitlines():
        if line.startswith("{") and '"bench-post-' in line:
            lines.append(json.loads(line))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("rounds", nargs="?", type=int, default=20)
    parser.add_argument("--workers", type=int, help="default: as gunicorn.conf.py")
    parser.add_argument("--threads", type=int, help="default: as gunicorn.conf.py")
    parser.add_argument("--portal", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--worker-class", default="gthread", help="gthread (as deployed) or sync")
    args = parser.parse_args()
    defaults = gunicorn_defaults(args.portal.resolve())
    args.workers = args.workers or defaults["workers"]
    args.threads = args.threads or defaults["threads"]

    app = bench_app()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        programme_id = db.session.scalar(
            select(Programme.id).where(Programme.code == "healthy-meals")
        )
        db.engine.dispose()
    log = Path(tempfile.mkdtemp(prefix="puente-bench-")) / "gunicorn.log"
    server, port = start_server(
        args.portal.resolve(), url, args.workers, args.threads, log, "-k", args.worker_class
    )
    rates, latencies, problems = [], [], 0
    database = urllib.parse.urlsplit(url).path.lstrip("/") if url.startswith("postgres") else ""
    usage = Usage(server.pid, database)
    try:
        for number in range(1, args.rounds + 1):
            offering_id = new_offering(app, programme_id)
            statuses, seconds, waits = asyncio.run(burst(port, offering_id, number, usage))
            seated, waiting, in_order, taken = outcome(app, offering_id)
            ok = (
                statuses == Counter({303: PEOPLE})
                and (seated, waiting, taken) == (SEATS, PEOPLE - SEATS, SEATS)
                and in_order
            )
            problems += not ok
            rates.append(PEOPLE / seconds)
            latencies += waits
            print(
                f"round {number:2}: {PEOPLE / seconds:6.0f} registrations/s, statuses "
                f"{dict(statuses)}, seated {seated}, waiting {waiting}, "
                f"in arrival order: {'yes' if in_order else 'NO'}{'' if ok else '  <-- WRONG'}",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    lines = request_log(log)
    duration = [line["duration_ms"] for line in lines]
    # An older version's log may not carry these yet.
    cpu = [line["cpu_ms"] for line in lines if "cpu_ms" in line] or [math.nan]
    statements = [line["db_statements"] for line in lines if "db_statements" in line] or [0]
    errors = sum(1 for line in lines if line["status"] >= 500)
    wall = [seconds * 1000 for seconds in latencies]
    print(
        f"{args.rounds} rounds on {engine_name(app)}, gunicorn {args.workers} "
        f"{args.worker_class} workers x {args.threads} threads: median "
        f"{statistics.median(rates):.0f} registrations/s "
        f"(min {min(rates):.0f}, max {max(rates):.0f}); rounds wrong: {problems}; "
        f"server errors: {errors}"
    )
    if duration:
        print(
            f"server time per registration: p50 {statistics.median(duration):.1f} ms, "
            f"p95 {percentile(duration, 0.95):.1f} ms (its thread's CPU: p50 "
            f"{statistics.median(cpu):.1f} ms); SQL statements: "
            f"p50 {statistics.median(statements):.0f}, max {max(statements)}"
            + ("" if lines and "db_statements" in lines[0] else " (not in this version's log)")
        )
    registrations = PEOPLE * args.rounds
    ours = usage.server + usage.backends + usage.client
    every = (usage.busy + usage.idle) or 1.0
    print(
        f"CPU per registration while posting: gunicorn {usage.server / registrations * 1000:.1f}"
        f" ms, database {usage.backends / registrations * 1000:.1f} ms, families "
        f"{usage.client / registrations * 1000:.1f} ms; of all cores, this run used "
        f"{ours / every:.0%}, other work {max(0.0, usage.busy - ours) / every:.0%}, idle "
        f"{usage.idle / every:.0%}"
    )
    # What the machine would do for the portal alone, if CPU were the only limit.
    if ours:
        print(
            f"CPU-bound estimate with every core for the portal: "
            f"{registrations * (os.cpu_count() or 1) / ours:.0f} registrations/s"
        )
    print(
        f"families' wall time from the release to their answer: p50 "
        f"{statistics.median(wall):.0f} ms, p95 {percentile(wall, 0.95):.0f} ms"
    )
    sys.exit(1 if problems or errors else 0)


if __name__ == "__main__":
    main()
