"""The production entry point: gunicorn with settings from the environment."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PUENTE", "SECRET"))}
    env.update({"PUENTE_ENV": "production", "GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "2"})
    env.update(extra)
    return env


def test_gunicorn_serves_the_portal_with_production_settings(live_app, tmp_path):
    port = free_port()
    output = (tmp_path / "gunicorn.log").open("wb")
    env = production_env(
        SECRET_KEY="p" * 48,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        DATABASE_URL=live_app.config["SQLALCHEMY_DATABASE_URI"],
    )
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer in 30 s"
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=5) as page:
            assert "max-age" in page.headers["Strict-Transport-Security"]
            cookie = page.headers["Set-Cookie"]
            assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        # A browser's six connections (Dash posts a dashboard's figures on all of them at once)
        # are kept alive between answers, not closed after each one and opened again.
        browser = [http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in range(6)]
        try:
            for connection in browser * 2:
                connection.request("GET", "/healthz")
                answer = connection.getresponse()
                answer.read()
                assert answer.status == 200
                assert not answer.will_close, answer.getheader("Connection")
        finally:
            for connection in browser:
                connection.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
        output.close()


def test_gunicorn_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(
        GUNICORN_BIND=f"127.0.0.1:{free_port()}", DATABASE_URL=f"sqlite:///{tmp_path}/x.db"
    )
    result = subprocess.run(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stdout + result.stderr


def test_gunicorn_workers_keep_what_they_loaded_out_of_the_garbage_collectors_walks():
    import gc
    import runpy

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    worker = type("Worker", (), {})()
    threshold = gc.get_threshold()
    try:
        settings["post_worker_init"](worker)
        assert gc.get_threshold() == settings["GC_THRESHOLD"]
        loaded_at_start = gc.get_freeze_count()
        assert loaded_at_start > 0
        cache = [[n] for n in range(1000)]  # what the first requests load
        for _ in range(settings["FREEZE_AFTER"] - 1):
            settings["post_request"](worker, None, {}, None)
        # Frozen objects can still be freed (by any thread), so counts are compared with room
        # for that: what a freeze adds is the thousand lists.
        assert gc.get_freeze_count() < loaded_at_start + len(cache)
        settings["post_request"](worker, None, {}, None)  # the request that reaches the count
        assert gc.get_freeze_count() >= loaded_at_start + len(cache)
        frozen = gc.get_freeze_count()
        later = [[n] for n in range(1000)]
        settings["post_request"](worker, None, {}, None)  # once only
        assert gc.get_freeze_count() < frozen + len(later)
        assert later
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
