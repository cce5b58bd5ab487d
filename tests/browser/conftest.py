"""A live portal in a thread and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.conftest import require_service

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Quiet on a closed network: no background fetches, no component updates, no sync.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


# The second sign-in step, done the way a password manager with one-time codes does it: on the
# code page, the browser asks the test for the account's current code, types it and sends it.
# So every journey that signs in a demo or test account (whose key is `demo_mfa_secret`) works
# whatever its role; tests/browser/test_mfa_journey.py does the step by hand.
MFA_AUTOFILL = """
document.addEventListener("DOMContentLoaded", async () => {
  const form = document.querySelector("form[data-mfa-step='code']");
  if (!form || !window.puenteTestCode) return;
  const code = await window.puenteTestCode(form.dataset.account);
  if (!code) return;
  form.querySelector("input[name='code']").value = code;
  form.submit();
});
"""


def install_mfa_autofill(context, live_app) -> None:
    from tests.conftest import current_code, forget_last_code

    def code_for(source, email: str) -> str:  # noqa: ANN001
        # Journeys sign the same demo account in many times within a 30-second step.
        forget_last_code(live_app, email)
        return current_code(email)

    context.expose_binding("puenteTestCode", code_for)
    context.add_init_script(MFA_AUTOFILL)


@pytest.fixture(scope="session")
def browser(live_app) -> Iterator[object]:
    require_service(
        bool(shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)),
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        plain_new_context = browser.new_context

        def new_context(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            context = plain_new_context(*args, **kwargs)
            install_mfa_autofill(context, live_app)
            return context

        # Every context the journeys open types the code for them; `new_plain_context` is a
        # browser without that help.
        browser.new_plain_context = plain_new_context
        browser.new_context = new_context
        yield browser
        browser.close()


class PageWatch:
    """What a page did that it should not: errors in the console, requests to other hosts."""

    def __init__(self, origin: str) -> None:
        self.origin = urlsplit(origin).netloc
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []

    def on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.netloc != self.origin:
            self.foreign_requests.append(request.url)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) and page, watched for errors and leaks."""
    from portal.extensions import limiter

    limiter.reset()
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch(live_server)
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.console_errors.append(str(error)))
    page.on("request", watch.on_request)
    page.watch = watch
    page.base = live_server
    yield page
    context.close()
