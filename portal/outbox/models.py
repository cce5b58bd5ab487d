"""The outbox: one row per message to a family or staff member, kept until it is delivered."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.dbtypes import str_enum
from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow


class Channel(StrEnum):
    """How a message reaches its recipient."""

    EMAIL = "email"
    SMS = "sms"


class MessageStatus(StrEnum):
    """Where a message is on its way out."""

    PENDING = "pending"  # waiting for its first try or for a retry
    SENT = "sent"
    FAILED = "failed"  # gave up after OUTBOX_MAX_ATTEMPTS tries


class OutboxMessage(db.Model):
    """A message rendered in its recipient's language, written in the transaction that causes it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        # The worker's question: which pending messages are due?
        Index("ix_outbox_messages_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "message_channel", length=8))
    recipient: Mapped[str] = mapped_column(String(254))  # an email address or an E.164 phone
    language: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(64))  # the template pair, e.g. "account.created"
    subject: Mapped[str] = mapped_column(String(200), default="")  # empty for text messages
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(
        str_enum(MessageStatus, "message_status", length=16), default=MessageStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The exception's class and a short reason; never an address, a name or the text.
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by callers whose action may be retried, so that it cannot queue the message twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(100), unique=True)

    def __repr__(self) -> str:  # no recipient or text: reprs end up in logs and tracebacks
        return f"<OutboxMessage {self.id} {self.kind} {self.channel} {self.status}>"
