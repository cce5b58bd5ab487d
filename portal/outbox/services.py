"""Queue a message with the change that causes it; deliver due messages with retries."""

from __future__ import annotations

import logging
import re
import smtplib
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from jinja2 import Environment, StrictUndefined, Template, meta
from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import make_transient_to_detached

from portal.extensions import db
from portal.outbox.models import Channel, MessageStatus, OutboxMessage
from portal.outbox.senders import Sender, sender_for
from portal.timeutil import utcnow

log = logging.getLogger("puente.outbox")

# Long enough for the slowest send (the SMTP timeout is 10 s): until then no other worker
# takes the message; after it, a message whose worker stopped mid-send is tried again.
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)

KIND = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
_EMAILS = re.compile(r"\S+@\S+")
_NUMBERS = re.compile(r"\+?\d[\d ().-]{5,}\d")


@dataclass
class DeliveryReport:
    """What one pass of the worker did."""

    sent: int = 0
    failed: int = 0  # gave up for good
    retried: int = 0  # failed this time, tried again later

    def __str__(self) -> str:
        return f"sent {self.sent}, retried later {self.retried}, failed for good {self.failed}"


@dataclass
class OutboxStatus:
    """How many messages are in each state, and how long the oldest pending one has waited."""

    counts: dict[MessageStatus, int] = field(default_factory=dict)
    oldest_pending_at: datetime | None = None


def queue_message(
    *,
    channel: Channel,
    recipient: str,
    language: str,
    kind: str,
    context: dict[str, Any],
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Render a message in the recipient's language and add it to the caller's transaction.

    Nothing is committed here: the message is saved with the change that causes it, or not at
    all. Returns None when a message with the same `dedupe_key` exists already.
    """
    channel = Channel(channel)
    recipient = recipient.strip()
    _check_recipient(channel, recipient)
    if not KIND.match(kind) or len(kind) > 64:
        raise ValueError(f"message kind {kind!r} is not like 'feature.event'")
    if dedupe_key is not None:
        if not dedupe_key or len(dedupe_key) > 100:
            raise ValueError("dedupe_key must be 1 to 100 characters")
        # Checked first; the unique constraint catches two transactions racing past this.
        if db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        ):
            return None
    language = _supported(language)
    subject, body = render_message(kind, language, context, subject=channel is Channel.EMAIL)
    now = utcnow()
    values = {
        "created_at": now,
        "next_attempt_at": now,
        "status": MessageStatus.PENDING,
        "attempts": 0,
        "channel": channel,
        "recipient": recipient,
        "language": language,
        "kind": kind,
        "subject": subject,
        "body": body,
        "dedupe_key": dedupe_key,
    }
    if dedupe_key is not None:
        # Left to the caller's flush: two transactions racing past the check above meet at
        # the unique constraint there, where they always have.
        message = OutboxMessage(**values)
        db.session.add(message)
        return message
    # Nothing to collide with: one INSERT now, in the caller's transaction, instead of an
    # object for the unit of work to flush (a registration's confirmation spent more in that
    # flush than in its statement). The object returned is that row, already in the session.
    values["id"] = db.session.connection().execute(_INSERT_MESSAGE, values).scalar_one()
    message = OutboxMessage(**values)
    make_transient_to_detached(message)
    db.session.add(message)
    return message


_INSERT_MESSAGE = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)


def render_message(
    kind: str, language: str, context: dict[str, Any], *, subject: bool = True
) -> tuple[str, str]:
    """Subject (one line, or "" when not wanted) and body of a message kind, in `language`."""
    env = _text_environment(current_app._get_current_object())  # type: ignore[attr-defined]
    parts = (["subject"] if subject else []) + ["body"]
    rendered = {"subject": ""}
    with force_locale(language):
        for part in parts:
            template = env.get_template(f"messages/{kind}.{part}.txt")
            _check_context(env, template, context)
            rendered[part] = template.render(context)
    # One line: a newline in a subject would end the email header.
    return " ".join(rendered["subject"].split())[:200], rendered["body"].strip() + "\n"


# The variables each compiled template needs, found once per compilation: parsing the source
# again for every message cost more than rendering it. A template reloaded from a changed file
# is a new object, so it is looked at afresh.
_WANTED: weakref.WeakKeyDictionary[Template, frozenset[str]] = weakref.WeakKeyDictionary()


def _check_context(env: Environment, template: Template, context: dict[str, Any]) -> None:
    # A template variable the caller forgot is a bug to show now, not a gap in a message.
    wanted = _WANTED.get(template)
    if wanted is None:
        source = env.loader.get_source(env, template.name)[0]  # type: ignore[union-attr,arg-type]
        wanted = frozenset(meta.find_undeclared_variables(env.parse(source)) - set(env.globals))
        _WANTED[template] = wanted
    missing = sorted(wanted - set(context))
    if missing:
        raise ValueError(f"{template.name} needs {', '.join(missing)} in its context")


def _text_environment(app: Flask) -> Environment:
    """The app's templates, filters and gettext, but plain text: no HTML escaping, and a
    missing variable is an error at queue time rather than a gap in a message."""
    env = app.extensions.get("puente.outbox.jinja")
    if env is None:
        # Its own cache: the app's environment may hold the same files compiled to escape.
        env = app.jinja_env.overlay(autoescape=False, undefined=StrictUndefined, cache_size=100)
        app.extensions["puente.outbox.jinja"] = env
    return env


def _supported(language: str) -> str:
    config = current_app.config
    return language if language in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]


def _check_recipient(channel: Channel, recipient: str) -> None:
    # The reasons name no address: they may reach logs.
    if channel is Channel.SMS and not E164.match(recipient):
        raise ValueError("a text message needs a phone number in E.164 form (+15555550123)")
    if channel is Channel.EMAIL and (len(recipient) > 254 or not EMAIL.match(recipient)):
        raise ValueError("an email needs a single email address")


def due(now: datetime) -> Select[tuple[int]]:
    """Ids of the pending messages whose time has come, oldest first."""
    return (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )


def claim(message_id: int, now: datetime) -> bool:
    """Take a due message for this worker, so that no other worker sends it; commits.

    The conditional UPDATE succeeds for exactly one of several workers racing for the same
    row, on PostgreSQL and SQLite alike. It also counts the attempt, so that a message whose
    sending stops a worker cannot be tried forever.
    """
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == MessageStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + LEASE, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 1, 2, 4 … minutes, at most 1 hour."""
    if attempts < 1:
        return FIRST_RETRY
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 12), LONGEST_WAIT)


def deliver_due(now: datetime | None = None, *, batch: int = 50) -> DeliveryReport:
    """Send up to `batch` due messages, each claimed first and recorded in its own transaction.

    `now` is for tests; the worker leaves it out and reads the clock before each message.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    max_attempts = int(app.config["OUTBOX_MAX_ATTEMPTS"])
    report = DeliveryReport()
    ids = list(db.session.scalars(due(now or utcnow()).limit(batch)))
    # End the read: on SQLite a transaction that read first cannot always start writing.
    db.session.rollback()
    senders: dict[Channel, Sender | Exception] = {}
    for message_id in ids:
        current = now or utcnow()
        if not claim(message_id, current):
            continue  # another worker has it
        message = _load_detached(message_id)
        if message.attempts > max_attempts:
            # Claimed often enough without an outcome: each time the worker stopped mid-send.
            _record_failure(message, current, "Abandoned: delivery kept being interrupted", True)
            report.failed += 1
            continue
        try:
            sender = senders.get(message.channel)
            if sender is None:
                try:
                    sender = senders[message.channel] = sender_for(message.channel, app)
                except Exception as exc:  # noqa: BLE001 - a bad setting: keep the message
                    sender = senders[message.channel] = exc
            if isinstance(sender, Exception):
                raise sender
            sender.send(message)
        except Exception as exc:  # noqa: BLE001 - any failure means "try again later"
            give_up = message.attempts >= max_attempts
            _record_failure(message, current, describe_error(exc, message.recipient), give_up)
            if give_up:
                report.failed += 1
            else:
                report.retried += 1
        else:
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                .values(status=MessageStatus.SENT, sent_at=utcnow() if now is None else now)
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            report.sent += 1
            log.info("outbox message sent", extra=_log_fields(message))
    return report


def _load_detached(message_id: int) -> OutboxMessage:
    """A copy of the row outside the session, read in a transaction that ends at once.

    No transaction stays open while a mail server is slow, and on SQLite the outcome is then
    written by a transaction that starts with its write.
    """
    row = db.session.execute(
        select(*OutboxMessage.__table__.c).where(OutboxMessage.id == message_id)
    ).one()
    db.session.rollback()
    return OutboxMessage(**row._mapping)


def _record_failure(message: OutboxMessage, now: datetime, error: str, give_up: bool) -> None:
    values: dict[str, Any] = {"last_error": error[:300]}
    if give_up:
        values["status"] = MessageStatus.FAILED
    else:
        values["next_attempt_at"] = now + backoff(message.attempts)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    fields = _log_fields(message) | {"error": error[:300]}
    if give_up:
        log.error("outbox message failed for good", extra=fields)
    else:
        fields["next_attempt_at"] = values["next_attempt_at"].isoformat()
        log.warning("outbox delivery failed; will retry", extra=fields)


def _log_fields(message: OutboxMessage) -> dict[str, Any]:
    # Never the recipient, subject or body.
    return {
        "outbox_id": message.id,
        "kind": message.kind,
        "channel": str(message.channel),
        "attempts": message.attempts,
    }


def describe_error(exc: BaseException, recipient: str = "") -> str:
    """The exception's class and a short reason that carries no address or phone number."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _ in exc.recipients.values()})
        reason = "refused with " + ", ".join(codes)
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        reason = f"{exc.smtp_code} {text}"
    elif isinstance(exc, OSError) and exc.strerror:
        reason = exc.strerror
    else:
        reason = str(exc)
    if recipient:
        reason = re.sub(re.escape(recipient), "<recipient>", reason, flags=re.IGNORECASE)
    reason = _NUMBERS.sub(_hide_phone, _EMAILS.sub("<address>", reason))
    reason = " ".join(reason.split())
    name = type(exc).__name__
    return f"{name}: {reason}"[:300] if reason else name


def _hide_phone(match: re.Match[str]) -> str:
    # Seven digits or more is a phone number; "550 5.1.1" is an SMTP status and stays.
    text = match.group()
    return "<number>" if sum(c.isdigit() for c in text) >= 7 else text


def requeue_failed(now: datetime | None = None) -> int:
    """Give every failed message a fresh set of tries (after an outage longer than the retries)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.FAILED)
        .values(status=MessageStatus.PENDING, attempts=0, next_attempt_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def outbox_status() -> OutboxStatus:
    """Counts by status and the creation time of the oldest pending message."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    counts = {status: 0 for status in MessageStatus}
    counts.update({status: n for status, n in rows})
    oldest = db.session.scalar(
        select(OutboxMessage.created_at)
        .where(OutboxMessage.status == MessageStatus.PENDING)
        .order_by(OutboxMessage.created_at)
        .limit(1)
    )
    return OutboxStatus(counts=counts, oldest_pending_at=oldest)
