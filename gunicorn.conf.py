"""gunicorn settings for production; each can be overridden from the environment."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Two cores: two worker processes with two threads each. More requests at once only queue
# for the same cores and the same rows: with three workers of four threads, 200 families
# registering at once for the last seats got 283-289 registrations/s, with two of two 322-342
# (bench/registration_burst.py, alternating in one run; CPU per registration 4.2-4.4 ms in
# gunicorn and 0.8 in PostgreSQL, against 4.8-4.9 and 1.3). Size these to the machine.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A worker takes no more connections than it can soon serve, and keeps a browser's alive: its
# threads, and eight more waiting or kept alive; the rest wait in the listen queue for whichever
# worker is free. With gunicorn's default of 1000, the first worker to wake took most of a burst
# (200 families registering at once) and worked through it while the others sat idle. gunicorn
# keeps alive only what this leaves beyond the threads: at twice the threads (two each), a
# browser's six connections, on which Dash posts a dashboard's figures at once, were closed
# after each answer and opened again, +1.5 ms a callback (a 3.7 ms figure: p50 5.5 against
# 3.8 ms after a dashboard's burst, bench/dashboards.py); the registration burst ran as fast
# with ten (median 277 and 258 registrations/s against 260 and 259, bench/registration_burst.py).
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", str(threads + 8)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Loading the app in the master would open pools before the fork; each worker builds its own.
preload_app = False
accesslog = None  # the portal logs each request itself, as JSON with its request id
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


# Once a worker has served this many requests, what it loaded on the way (translations,
# templates, Plotly's chart template, compiled queries) is moved out of the garbage
# collector's walks too, as what it loaded at start was (see post_worker_init): left in, each
# full collection walked it again, ~10 ms in one in six dashboard table callbacks (13 ms
# otherwise; bench/dashboards.py). Once only: objects in use by a request in another thread at
# that moment are kept for the worker's life, a bounded cost.
FREEZE_AFTER = 100
# Collections of the youngest objects every 50,000 allocations instead of 700, and full ones
# rarer: a dashboard callback builds thousands of objects. Measured with bench/dashboards.py
# (analyst and superintendent, attendance, one run each): median p95/p50 1.08 against 1.10
# with Python's thresholds, and no figure slower than its plain query against two.
GC_THRESHOLD = (50_000, 20, 100)


def post_worker_init(worker):  # noqa: ANN001, ANN201, ARG001 - gunicorn's hook
    """Once the worker has loaded the portal: what is loaded by now (modules, routes, Dash's
    layout and Plotly's validators, about 230,000 objects) lives as long as the worker, so it
    is moved out of the garbage collector's reach. Otherwise every collection during a request
    that builds many objects walks them all again: half the CPU of a dashboard table of every
    school (bench/dashboards.py)."""
    import gc

    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def post_request(worker, req, environ, resp):  # noqa: ANN001, ANN201, ARG001 - gunicorn's hook
    worker.served = getattr(worker, "served", 0) + 1
    if worker.served == FREEZE_AFTER:
        import gc

        gc.collect()  # garbage first: frozen, it would never be freed
        gc.freeze()
