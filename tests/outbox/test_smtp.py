"""Against a real SMTP server on loopback: an outage loses nothing and sends nothing twice."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.outbox.models import MessageStatus, OutboxMessage
from portal.outbox.services import backoff, deliver_due
from portal.timeutil import utcnow
from tests.outbox.conftest import NEW_STAFF, queue_account_created


def row(message_id: int) -> OutboxMessage:
    return db.session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def test_message_survives_an_smtp_outage_and_is_delivered_once(app_ctx, smtp_config, smtp_server):
    message = queue_account_created("es")
    db.session.commit()  # the caller's transaction: the change and its message together
    message_id, subject, body = message.id, message.subject, message.body

    smtp_server.stop()  # the outage
    now = utcnow()
    report = deliver_due(now)
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    waiting = row(message_id)
    assert waiting.status is MessageStatus.PENDING and waiting.attempts == 1
    assert waiting.last_error == "ConnectionRefusedError: Connection refused"
    assert waiting.next_attempt_at == now + backoff(1)
    assert waiting.subject == subject and waiting.body == body  # nothing lost
    assert deliver_due(now + timedelta(seconds=30)).retried == 0  # still backing off

    smtp_server.start()  # the server is back, on the same port
    report = deliver_due(now + backoff(1) + timedelta(seconds=1))
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert len(smtp_server.inbox.envelopes) == 1
    envelope = smtp_server.inbox.envelopes[0]
    assert envelope.mail_from == "puente@district.example.org"
    assert envelope.rcpt_tos == [NEW_STAFF["email"]]
    received = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert received["To"] == NEW_STAFF["email"]
    assert received["From"] == "Puente <puente@district.example.org>"
    assert received["Subject"] == subject
    assert received["Content-Language"] == "es"
    assert received["Message-ID"] == f"<outbox-{message_id}@district.example.org>"
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")  # CRLF on the wire
    assert text == body and "Siobhán O'Brien" in text and "21 de diciembre de 2026" in text

    sent = row(message_id)
    assert sent.status is MessageStatus.SENT and sent.attempts == 2 and sent.sent_at is not None

    # A further pass, even much later, sends nothing.
    assert deliver_due(now + timedelta(days=2)).sent == 0
    assert len(smtp_server.inbox.envelopes) == 1


def test_a_refused_recipient_is_retried_and_its_address_is_not_recorded(
    app_ctx, smtp_config, smtp_server
):
    smtp_server.inbox.refuse_recipients = True
    message = queue_account_created("en")
    db.session.commit()
    assert deliver_due(utcnow()).retried == 1
    waiting = row(message.id)
    assert waiting.status is MessageStatus.PENDING
    assert waiting.last_error == "SMTPRecipientsRefused: refused with 550"
    assert smtp_server.inbox.envelopes == []


def test_worker_logs_name_the_message_but_not_the_person(
    app_ctx, smtp_config, smtp_server, outbox_log
):
    message = queue_account_created("en")
    db.session.commit()
    smtp_server.stop()
    now = utcnow()
    deliver_due(now)
    smtp_server.start()
    deliver_due(now + timedelta(hours=1))
    messages = [r.getMessage() for r in outbox_log]
    assert messages == ["outbox delivery failed; will retry", "outbox message sent"]
    for record in outbox_log:
        assert record.outbox_id == message.id
        text = str(record.__dict__)
        assert "siobhan" not in text.lower() and "Hello" not in text
