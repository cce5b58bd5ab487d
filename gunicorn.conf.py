"""gunicorn settings for production; each can be overridden from the environment."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Two cores: three worker processes with four threads each keep both busy while requests wait
# on the database.
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A worker takes no more connections than it can soon serve (its threads, and as many again
# waiting or kept alive); the rest wait in the listen queue for whichever worker is free. With
# gunicorn's default of 1000, the first worker to wake took most of a burst (200 families
# registering at once) and worked through it while the others sat idle.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", str(2 * threads)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Loading the app in the master would open pools before the fork; each worker builds its own.
preload_app = False
accesslog = None  # the portal logs each request itself, as JSON with its request id
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


# The garbage collector, tuned for requests that build many objects (a dashboard table of every
# school is ~20,000): collections of the youngest objects every 50,000 allocations instead of
# 700, and full collections ten times rarer. Measured with bench/dashboards.py: a full
# collection cost ~10 ms of a 13 ms callback, one in six times.
GC_THRESHOLD = (50_000, 20, 100)
# Once a worker has served this many requests, what it loaded on the way (translations,
# templates, Plotly's chart template, compiled queries) is moved out of the collector's walks
# too, as what it loaded at start was (see post_worker_init). Once only: objects in use by a
# request in another thread at that moment are kept for the worker's life, a bounded cost.
FREEZE_AFTER = 100


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
