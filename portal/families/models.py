"""One family, one record: how to reach a family and in which language."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.dbtypes import str_enum
from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow


class ContactMethod(StrEnum):
    """How a family prefers to be reached."""

    PHONE = "phone"
    TEXT = "text"
    EMAIL = "email"


class FamilyContact(db.Model):
    """A parent, guardian or caregiver, matched by phone or email when they come back."""

    __tablename__ = "family_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    email: Mapped[str | None] = mapped_column(String(254), index=True)  # lower case
    language: Mapped[str] = mapped_column(String(8), default="en")  # the portal's: en or es
    other_language: Mapped[str] = mapped_column(String(60), default="")
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    contact_method: Mapped[ContactMethod] = mapped_column(
        str_enum(ContactMethod, "contact_method", length=8), default=ContactMethod.PHONE
    )
    best_time: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def can_email(self) -> bool:
        return bool(self.email)

    @property
    def can_text(self) -> bool:
        return bool(self.phone)
