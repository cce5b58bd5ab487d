"""Queueing in the recipient's language, dedupe, the claim, back-off and giving up."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.outbox.models import Channel, MessageStatus, OutboxMessage
from portal.outbox.senders import ConsoleSender, NoSmsGateway, SmtpSender, sender_for
from portal.outbox.services import (
    LEASE,
    backoff,
    claim,
    deliver_due,
    describe_error,
    outbox_status,
    queue_message,
    requeue_failed,
)
from portal.timeutil import utcnow
from tests.outbox.conftest import NEW_STAFF, queue_account_created
from tests.outbox.helpers import RecordingSender

SUBJECT = "Your Puente account is ready"


def row(message_id: int) -> OutboxMessage:
    return db.session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def use_sender(app, monkeypatch, name: str, setting: str = "EMAIL_SENDER") -> None:
    monkeypatch.setitem(app.config, setting, name)


def test_message_is_rendered_in_spanish(app_ctx):
    message = queue_account_created("es")
    assert message.language == "es" and message.status is MessageStatus.PENDING
    with force_locale("es"):  # equal to the msgid until the catalog is translated
        assert message.subject == gettext(SUBJECT)
        assert gettext("Hello %(name)s,", name="Siobhán O'Brien") in message.body
    assert "21 de diciembre de 2026" in message.body  # Babel formats in the message's language
    assert "https://puente.test.example.org/" in message.body
    assert "siobhan.obrien@test.example.org" in message.body


def test_message_is_rendered_in_english_without_html_escaping(app_ctx):
    message = queue_account_created("en")
    assert message.subject == SUBJECT
    assert message.body.startswith("Hello Siobhán O'Brien,\n\n")
    assert "the school district's family-engagement portal" in message.body
    assert "December 21, 2026" in message.body
    assert "&#39;" not in message.body and "&amp;" not in message.body
    assert message.body.endswith("Puente\n")


def test_language_does_not_leak_out_of_the_message(app_ctx):
    queue_account_created("es")
    assert str(gettext(SUBJECT)) == SUBJECT  # the request's own language is untouched


def test_unknown_language_falls_back_to_the_default(app_ctx):
    assert queue_account_created("fr").language == "en"


def test_missing_context_is_an_error_at_queue_time(app_ctx):
    queue_account_created("en")  # the template is compiled and its variables known already
    with pytest.raises(ValueError, match="needs created_on, email, portal_url"):
        queue_message(
            channel=Channel.EMAIL,
            recipient="a@test.example.org",
            language="en",
            kind="account.created",
            context={"name": "A"},
        )


def test_text_messages_have_no_subject(app_ctx):
    # account.created is an email; any kind sent by text skips the subject template.
    message = queue_message(
        channel=Channel.SMS,
        recipient="+15555550123",
        language="es",
        kind="account.created",
        context=NEW_STAFF,
    )
    assert message.subject == "" and "Siobhán" in message.body


@pytest.mark.parametrize(
    ("channel", "recipient"),
    [
        (Channel.SMS, "555-0123"),
        (Channel.SMS, "+1 555 555 0123"),
        (Channel.EMAIL, "not an address"),
        (Channel.EMAIL, "a@test.example.org\r\nBcc: b@test.example.org"),
        (Channel.EMAIL, "a@test.example.org, b@test.example.org"),
    ],
)
def test_bad_recipients_are_refused_without_naming_them(app_ctx, channel, recipient):
    with pytest.raises(ValueError) as error:
        queue_message(
            channel=channel,
            recipient=recipient,
            language="en",
            kind="account.created",
            context=NEW_STAFF,
        )
    assert recipient not in str(error.value)


@pytest.mark.parametrize("kind", ["../../base", "account", "Account.Created", "account/created"])
def test_kinds_cannot_reach_other_templates(app_ctx, kind):
    with pytest.raises(ValueError):
        queue_message(
            channel=Channel.EMAIL,
            recipient="a@test.example.org",
            language="en",
            kind=kind,
            context=NEW_STAFF,
        )


def test_queue_does_not_commit(app_ctx):
    before = count()
    queue_account_created()
    db.session.rollback()  # the caller's change fails: its message goes with it
    assert count() == before


def test_same_dedupe_key_queues_once(app_ctx):
    first = queue_account_created(dedupe_key="account.created:42")
    assert first is not None
    assert queue_account_created(dedupe_key="account.created:42") is None  # same transaction
    db.session.commit()
    assert queue_account_created(dedupe_key="account.created:42") is None  # a retried action
    assert queue_account_created(dedupe_key="account.created:43") is not None
    db.session.commit()
    keys = db.session.scalars(
        select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like("account.created:%"))
    )
    assert sorted(keys) == ["account.created:42", "account.created:43"]


def test_unique_constraint_is_the_backstop_for_dedupe(app_ctx):
    queue_account_created(dedupe_key="race")
    db.session.commit()
    duplicate = OutboxMessage(
        channel=Channel.EMAIL,
        recipient="a@test.example.org",
        language="en",
        kind="account.created",
        subject="s",
        body="b",
        dedupe_key="race",
    )
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_message_can_be_claimed_once(app_ctx):
    message = queue_account_created()
    db.session.commit()
    now = utcnow()
    assert claim(message.id, now) is True
    assert claim(message.id, now) is False  # a second worker, same moment
    assert claim(message.id, now + LEASE - timedelta(seconds=1)) is False
    assert row(message.id).attempts == 1
    # A worker that stopped mid-send: after the lease the message is taken again.
    assert claim(message.id, now + LEASE) is True
    assert row(message.id).attempts == 2


def test_messages_not_yet_due_or_not_pending_are_not_claimed(app_ctx):
    message = queue_account_created()
    db.session.commit()
    assert claim(message.id, message.next_attempt_at - timedelta(seconds=1)) is False
    row(message.id).status = MessageStatus.SENT
    db.session.commit()
    assert claim(message.id, utcnow() + timedelta(days=1)) is False


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 60), (8, 60), (12, 60), (500, 60)],
)
def test_backoff_doubles_from_a_minute_up_to_an_hour(attempts, minutes):
    assert backoff(attempts) == timedelta(minutes=minutes)


def test_failures_back_off_and_give_up_after_max_attempts(app, app_ctx, monkeypatch):
    use_sender(app, monkeypatch, "tests.outbox.helpers:BrokenSender")
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 4)
    message = queue_account_created()
    db.session.commit()
    now = utcnow()
    schedule = []
    for _ in range(3):
        report = deliver_due(now)
        assert (report.sent, report.retried, report.failed) == (0, 1, 0)
        current = row(message.id)
        schedule.append(current.next_attempt_at - now)
        # Not due before the back-off is over.
        assert deliver_due(current.next_attempt_at - timedelta(seconds=1)).retried == 0
        now = current.next_attempt_at
    assert schedule == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    report = deliver_due(now)
    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    current = row(message.id)
    assert current.status is MessageStatus.FAILED and current.attempts == 4
    assert current.last_error == "RuntimeError: gateway rejected <recipient> (call <number>)"
    assert current.sent_at is None
    assert deliver_due(now + timedelta(days=1)).failed == 0  # failed messages stay put

    use_sender(app, monkeypatch, "tests.outbox.helpers:RecordingSender")
    assert requeue_failed(now) >= 1
    assert row(message.id).status is MessageStatus.PENDING and row(message.id).attempts == 0
    RecordingSender.sent.clear()
    assert deliver_due(now).sent >= 1
    assert message.id in RecordingSender.sent


def test_a_message_interrupted_too_often_is_given_up(app, app_ctx, monkeypatch):
    use_sender(app, monkeypatch, "tests.outbox.helpers:RecordingSender")
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 2)
    message = queue_account_created()
    db.session.commit()
    now = utcnow()
    assert claim(message.id, now) and claim(message.id, now + LEASE)  # two workers died
    RecordingSender.sent.clear()
    report = deliver_due(now + 2 * LEASE)
    assert report.failed == 1 and RecordingSender.sent == []
    assert row(message.id).status is MessageStatus.FAILED


def test_sent_messages_are_not_sent_again(app, app_ctx, monkeypatch):
    use_sender(app, monkeypatch, "tests.outbox.helpers:RecordingSender")
    message = queue_account_created()
    db.session.commit()
    RecordingSender.sent.clear()
    now = utcnow()
    assert deliver_due(now).sent == 1
    assert deliver_due(now + timedelta(days=1)).sent == 0
    assert RecordingSender.sent == [message.id]
    current = row(message.id)
    assert current.status is MessageStatus.SENT and current.sent_at == now
    assert current.attempts == 1 and current.last_error is None


def test_oldest_messages_go_first_and_batch_limits_a_pass(app, app_ctx, monkeypatch):
    use_sender(app, monkeypatch, "tests.outbox.helpers:RecordingSender")
    messages = [queue_account_created(dedupe_key=f"order-{n}") for n in range(3)]
    db.session.commit()
    ids = [m.id for m in messages]
    RecordingSender.sent.clear()
    now = utcnow()
    assert deliver_due(now, batch=2).sent == 2
    assert deliver_due(now, batch=2).sent == 1
    assert RecordingSender.sent == ids


def test_console_sender_writes_the_message_to_the_log(app, app_ctx, monkeypatch, outbox_log):
    use_sender(app, monkeypatch, "console")
    message = queue_account_created("en")
    db.session.commit()
    assert deliver_due(utcnow()).sent == 1
    written = [r for r in outbox_log if r.getMessage().endswith("to the console")]
    assert len(written) == 1
    assert written[0].recipient == "siobhan.obrien@test.example.org"
    assert written[0].subject == SUBJECT and written[0].body == message.body
    # The worker's own lines say which message, never to whom or what.
    others = [r for r in outbox_log if r not in written]
    assert [r.getMessage() for r in others] == ["outbox message sent"]
    text = str(others[0].__dict__)
    assert "siobhan" not in text and "Hello" not in text


def test_sender_choice_follows_the_config(app, app_ctx, monkeypatch):
    assert isinstance(sender_for(Channel.EMAIL, app), ConsoleSender)  # test and development
    assert isinstance(sender_for(Channel.SMS, app), ConsoleSender)
    use_sender(app, monkeypatch, "smtp")
    assert isinstance(sender_for(Channel.EMAIL, app), SmtpSender)
    use_sender(app, monkeypatch, "tests.outbox.helpers:RecordingSender", "SMS_SENDER")
    assert isinstance(sender_for(Channel.SMS, app), RecordingSender)
    use_sender(app, monkeypatch, "", "SMS_SENDER")
    assert isinstance(sender_for(Channel.SMS, app), NoSmsGateway)


@pytest.mark.parametrize(
    ("setting", "value", "production"),
    [
        ("EMAIL_SENDER", "carrier-pigeon", False),
        ("EMAIL_SENDER", "", False),
        ("SMS_SENDER", "smtp", False),
        ("SMS_SENDER", "tests.outbox.nowhere:Gateway", False),
        ("SMS_SENDER", "tests.outbox.helpers:NotASender", False),
        ("EMAIL_SENDER", "console", True),  # would put addresses and text in production logs
    ],
)
def test_bad_sender_settings_are_refused(app, app_ctx, monkeypatch, setting, value, production):
    from portal.outbox.senders import SenderNotConfigured

    use_sender(app, monkeypatch, value, setting)
    if production:
        monkeypatch.setitem(app.config, "PUENTE_ENV", "production")
    channel = Channel.EMAIL if setting == "EMAIL_SENDER" else Channel.SMS
    with pytest.raises(SenderNotConfigured):
        sender_for(channel, app)


def test_default_settings_per_environment(monkeypatch):
    from portal.config import load

    for name in ["EMAIL_SENDER", "SMS_SENDER"]:
        monkeypatch.delenv(name, raising=False)
    production = load({"PUENTE_ENV": "production", "SECRET_KEY": "k" * 40})
    assert (production["EMAIL_SENDER"], production["SMS_SENDER"]) == ("smtp", "")
    assert production["OUTBOX_MAX_ATTEMPTS"] == 12 and production["SMTP_STARTTLS"] is True
    development = load({"PUENTE_ENV": "development"})
    assert (development["EMAIL_SENDER"], development["SMS_SENDER"]) == ("console", "console")
    monkeypatch.setenv("SMS_SENDER", "gateways.twilio:TwilioSender")
    assert load({"PUENTE_ENV": "production", "SECRET_KEY": "k" * 40})["SMS_SENDER"] == (
        "gateways.twilio:TwilioSender"
    )


def test_without_an_sms_gateway_text_messages_wait(app, app_ctx, monkeypatch):
    use_sender(app, monkeypatch, "", "SMS_SENDER")
    message = queue_message(
        channel=Channel.SMS,
        recipient="+15555550123",
        language="es",
        kind="account.created",
        context=NEW_STAFF,
    )
    db.session.commit()
    assert deliver_due(utcnow()).retried == 1
    current = row(message.id)
    assert current.status is MessageStatus.PENDING and current.attempts == 1
    assert current.last_error == "SenderNotConfigured: no SMS gateway configured (set SMS_SENDER)"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            ConnectionRefusedError(111, "Connection refused"),
            "ConnectionRefusedError: Connection refused",
        ),
        (TimeoutError("timed out"), "TimeoutError: timed out"),
        (
            smtplib.SMTPRecipientsRefused(
                {"a@test.example.org": (550, b"5.1.1 <a@test.example.org>")}
            ),
            "SMTPRecipientsRefused: refused with 550",
        ),
        (
            smtplib.SMTPDataError(554, b"5.7.1 message from a@test.example.org rejected"),
            "SMTPDataError: 554 5.7.1 message from <recipient> rejected",
        ),
        (
            smtplib.SMTPDataError(451, b"4.3.0 try b@elsewhere.example.org later"),
            "SMTPDataError: 451 4.3.0 try <address> later",
        ),
        (RuntimeError(), "RuntimeError"),
    ],
)
def test_errors_are_described_without_personal_data(error, expected):
    assert describe_error(error, "a@test.example.org") == expected


def test_status_counts_and_oldest_pending(app, app_ctx, monkeypatch):
    before = outbox_status()
    queue_account_created(dedupe_key="status-1")
    queue_account_created(dedupe_key="status-2")
    db.session.commit()
    status = outbox_status()
    assert status.counts[MessageStatus.PENDING] == before.counts[MessageStatus.PENDING] + 2
    assert status.counts[MessageStatus.SENT] == before.counts[MessageStatus.SENT]
    assert status.oldest_pending_at is not None and status.oldest_pending_at.tzinfo is not None
    assert status.oldest_pending_at <= utcnow()
