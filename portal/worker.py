"""The loop every background job shares: a pass, a pause, and a clean stop on SIGTERM."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable

import click
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db

log = logging.getLogger("puente.worker")


def run_every(interval: float, one_pass: Callable[[], object], *, announce: str, name: str) -> None:
    """Run `one_pass` until stopped, pausing `interval` seconds between passes.

    A pass that returns True found more work than it took: the next one starts at once. A
    database error (a restart, a fail-over) is logged and the pass tried again after the
    pause; SIGTERM lets the pass in hand finish, then the loop leaves.
    """
    stopping = False

    def stop(_signum, _frame) -> None:  # noqa: ANN001
        nonlocal stopping
        stopping = True

    previous = signal.signal(signal.SIGTERM, stop)
    click.echo(announce)
    try:
        while not stopping:
            busy = False
            try:
                busy = one_pass() is True
            except SQLAlchemyError:
                db.session.rollback()
                log.exception("%s failed; retrying", name)
            finally:
                db.session.remove()
            if not busy:
                _sleep(interval, lambda: stopping)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("Stopped.")


def _sleep(seconds: float, stopping: Callable[[], bool]) -> None:
    # In short steps, so that SIGTERM does not wait out a five-minute pause.
    end = time.monotonic() + seconds
    while not stopping() and time.monotonic() < end:
        time.sleep(max(0.0, min(1.0, end - time.monotonic())))
