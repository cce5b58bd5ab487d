"""Retention settings an administrator may change, and which records were already anonymised."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow


class RetentionSetting(db.Model):
    """How many months a record type is kept past its retention start; absent: the default."""

    __tablename__ = "retention_settings"
    __table_args__ = (CheckConstraint("months BETWEEN 1 AND 1200", name="months_range"),)

    record_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    months: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AnonymisedRecord(db.Model):
    """A record whose personal data the purge removed; the row stays for the counts.

    Kept apart from each feature's table so that a new record type needs no new column, and so
    that a purge never reports the same record twice.
    """

    __tablename__ = "retention_anonymised"

    record_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    anonymised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
