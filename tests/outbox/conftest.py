"""Outbox fixtures: a real SMTP server on loopback, and senders to configure by dotted path."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

# The migration creates the table either way; this makes the model known before any app exists.
import portal.outbox.models  # noqa: F401
from portal.outbox.models import Channel, OutboxMessage
from portal.outbox.services import queue_message

NEW_STAFF = {
    "name": "Siobhán O'Brien",
    "email": "siobhan.obrien@test.example.org",
    "portal_url": "https://puente.test.example.org/",
    "created_on": date(2026, 12, 21),
}


def queue_account_created(
    language: str = "es", dedupe_key: str | None = None, **context: object
) -> OutboxMessage | None:
    """Queue the email that tells a new staff member about their account."""
    values = NEW_STAFF | context
    return queue_message(
        channel=Channel.EMAIL,
        recipient=str(values["email"]),
        language=language,
        kind="account.created",
        context=values,
        dedupe_key=dedupe_key,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.refuse_recipients = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse_recipients:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that a test can stop and start again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        # A stopped controller has closed its event loop: each start needs a new one.
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_config(app: Flask, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the app's email sender at the loopback SMTP server."""
    for key, value in {
        "EMAIL_SENDER": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.port,
        "SMTP_STARTTLS": False,
        "SMTP_USERNAME": "",
        "MAIL_FROM": "Puente <puente@district.example.org>",
    }.items():
        monkeypatch.setitem(app.config, key, value)


class Records(logging.Handler):
    """Keeps every record logged to `puente.outbox` during a test."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def outbox_log() -> Iterator[list[logging.LogRecord]]:
    """The records of the outbox's logger (the portal's loggers do not reach pytest's)."""
    logger = logging.getLogger("puente.outbox")
    handler, level = Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
