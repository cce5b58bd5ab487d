"""The district calendar: the days on which schools or offices are closed."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.dbtypes import str_enum
from portal.extensions import db


class DayKind(StrEnum):
    """Why a weekday is not a school day."""

    HOLIDAY = "holiday"  # schools and district offices closed
    BREAK = "break"  # schools and district offices closed
    NO_STUDENTS = "no_students"  # teacher work day: no classes, district offices open


class NonSchoolDay(db.Model):
    """A weekday without classes; weekends are never stored."""

    __tablename__ = "non_school_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[DayKind] = mapped_column(str_enum(DayKind, "day_kind", length=16))
    name_en: Mapped[str] = mapped_column(String(120))
    name_es: Mapped[str] = mapped_column(String(120))

    @property
    def offices_closed(self) -> bool:
        return self.kind in (DayKind.HOLIDAY, DayKind.BREAK)

    def name(self, language: str) -> str:
        return self.name_es if language == "es" else self.name_en
