"""The rate limits' memory storage (no Redis): limits hold, the sweep does not run per hit."""

from __future__ import annotations

import time

from limits import parse
from limits.strategies import FixedWindowRateLimiter

from portal.extensions import SweptMemoryStorage


def test_a_limit_holds_and_its_window_ends_before_any_sweep():
    storage = SweptMemoryStorage("puente-memory://")
    limiter = FixedWindowRateLimiter(storage)
    limit = parse("2 per 1 second")
    assert limiter.hit(limit, "family") and limiter.hit(limit, "family")
    assert not limiter.hit(limit, "family")
    time.sleep(1.1)
    # The window is over because the counter is checked when read, not because of a sweep.
    assert limiter.hit(limit, "family")


def test_a_burst_of_hits_starts_one_sweep_not_one_each():
    storage = SweptMemoryStorage("puente-memory://")
    time.sleep(0.05)  # the first sweep, started with the storage, has run
    sweeps = set()
    for n in range(50):
        storage.incr(f"address-{n}", 60)
        sweeps.add(id(storage.timer))
    assert len(sweeps) == 1
    assert storage.timer.daemon  # never holds a finished process open
    assert storage.get("address-7") == 1
