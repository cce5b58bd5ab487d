"""Rate limits shared through Redis across app servers, and still holding when Redis dies."""

from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit

from portal import create_app
from portal.auth.roles import Role
from portal.extensions import limiter
from tests.conftest import (
    close_pools,
    demo_email,
    port_open,
    portal_config,
    require_service,
    sign_in,
)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def limited_app(database: str, storage: str):
    return create_app(
        portal_config(
            database,
            RATELIMIT_STORAGE_URI=storage,
            RATELIMIT_KEY_PREFIX=f"puente-test-{secrets.token_hex(4)}",
            RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
        )
    )


def test_two_app_servers_share_one_limit_through_redis(live_app):
    parts = urlsplit(REDIS_URL)
    require_service(
        port_open(parts.hostname or "127.0.0.1", parts.port or 6379),
        f"Redis is not reachable at {REDIS_URL}",
    )
    database = live_app.config["SQLALCHEMY_DATABASE_URI"]
    first = limited_app(database, REDIS_URL)
    second = create_app(
        portal_config(
            database,
            RATELIMIT_STORAGE_URI=REDIS_URL,
            RATELIMIT_KEY_PREFIX=first.config["RATELIMIT_KEY_PREFIX"],
        )
    )
    email = demo_email(Role.PROGRAMME_STAFF)
    try:
        for i in range(10):
            server = first if i % 2 else second
            assert sign_in(server.test_client(), email, f"wrong guess {i} here").status_code == 422
        # The eleventh attempt is refused whichever server takes it.
        assert sign_in(first.test_client(), email).status_code == 429
        assert sign_in(second.test_client(), email).status_code == 429
    finally:
        limiter.reset()
        close_pools(first, second)


def test_sign_in_throttling_holds_when_redis_is_down(live_app):
    dead = "redis://127.0.0.1:1/0"
    app = limited_app(live_app.config["SQLALCHEMY_DATABASE_URI"], dead)
    email = demo_email(Role.CASEWORKER)
    try:
        statuses = [
            sign_in(app.test_client(), email, f"wrong guess {i} here").status_code
            for i in range(11)
        ]
    finally:
        close_pools(app)
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
