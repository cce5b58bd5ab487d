"""The ways a message leaves the portal: SMTP for email, a pluggable gateway for text messages."""

from __future__ import annotations

import ipaddress
import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, Protocol, runtime_checkable

from flask import Flask
from werkzeug.utils import import_string

from portal.outbox.models import Channel, OutboxMessage
from portal.timeutil import utcnow

log = logging.getLogger("puente.outbox")

SMTP_TIMEOUT_SECONDS = 10


class SenderNotConfigured(RuntimeError):
    """Raised when a message cannot be sent because its channel is not set up (yet)."""


@runtime_checkable
class Sender(Protocol):
    """Sends one message or raises; built with the app's config as its only argument."""

    def send(self, message: OutboxMessage) -> None: ...


class SmtpSender:
    """Email through the SMTP server in SMTP_HOST/SMTP_PORT, one connection per message."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.host = config["SMTP_HOST"]
        self.port = int(config["SMTP_PORT"])
        self.username = config["SMTP_USERNAME"]
        self.password = config["SMTP_PASSWORD"]
        self.starttls = bool(config["SMTP_STARTTLS"])
        self.mail_from = config["MAIL_FROM"]

    def send(self, message: OutboxMessage) -> None:
        if not self.mail_from:
            raise SenderNotConfigured("MAIL_FROM is not set")
        if self.username and not self.starttls and not _is_loopback(self.host):
            raise SenderNotConfigured("refusing to send SMTP credentials without STARTTLS")
        email = self.build(message)
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(email)

    def build(self, message: OutboxMessage) -> EmailMessage:
        """The email for an outbox row, with a Message-ID that stays the same on every retry."""
        domain = parseaddr(self.mail_from)[1].rpartition("@")[2] or "localhost"
        email = EmailMessage()
        email["From"] = self.mail_from
        email["To"] = Address(addr_spec=message.recipient)
        email["Subject"] = message.subject
        email["Date"] = format_datetime(utcnow())
        # Receiving systems drop a repeat of the same Message-ID (a worker that stopped
        # between handing the message over and recording it hands it over again).
        email["Message-ID"] = f"<outbox-{message.id}@{domain}>"
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(message.body)
        email["Content-Language"] = message.language  # after set_content, which clears Content-*
        return email


class ConsoleSender:
    """Development only: write the whole message to the `puente.outbox` log instead."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def send(self, message: OutboxMessage) -> None:
        log.info(
            "outbox message written to the console",
            extra={
                "outbox_id": message.id,
                "channel": str(message.channel),
                "kind": message.kind,
                "language": message.language,
                "recipient": message.recipient,
                "subject": message.subject,
                "body": message.body,
            },
        )


class NoSmsGateway:
    """Production with no SMS_SENDER: text messages wait in the outbox until one is set."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def send(self, message: OutboxMessage) -> None:
        raise SenderNotConfigured("no SMS gateway configured (set SMS_SENDER)")


BUILT_IN: dict[Channel, dict[str, type]] = {
    Channel.EMAIL: {"smtp": SmtpSender, "console": ConsoleSender},
    Channel.SMS: {"console": ConsoleSender, "": NoSmsGateway},
}
SETTING = {Channel.EMAIL: "EMAIL_SENDER", Channel.SMS: "SMS_SENDER"}


def sender_for(channel: Channel, app: Flask) -> Sender:
    """The sender configured for a channel: a built-in name or "package.module:ClassName"."""
    setting = SETTING[channel]
    name = (app.config.get(setting) or "").strip()
    if name == "console" and app.config["PUENTE_ENV"] == "production":
        # The console sender logs addresses and text, which production logs must never hold.
        raise SenderNotConfigured(f"{setting}=console is for development, not production")
    cls = BUILT_IN[channel].get(name)
    if cls is None:
        if ":" not in name:
            choices = ", ".join(repr(n) for n in BUILT_IN[channel] if n)
            raise SenderNotConfigured(
                f"{setting} must be {choices} or 'package.module:ClassName', not {name!r}"
            )
        try:
            cls = import_string(name)
        except ImportError as exc:
            raise SenderNotConfigured(f"{setting}: cannot import {name!r}") from exc
    sender = cls(app.config)
    if not isinstance(sender, Sender):
        raise SenderNotConfigured(f"{setting}: {name!r} has no send(message) method")
    return sender


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
