"""Community services families can be pointed to: the public resource directory."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.dbtypes import str_enum
from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow

# A listing nobody has confirmed for this long may have moved, closed or changed its hours.
STALE_AFTER = timedelta(days=365)
MINUTES_PER_DAY = 24 * 60
# Languages staff at community services commonly speak in the district, in the order the
# form offers them (ISO 639 codes; "asl" is American Sign Language).
SPOKEN_LANGUAGES = ("en", "es", "vi", "ar", "am", "so", "ne", "my", "fr", "ru", "zh", "asl")


class Need(StrEnum):
    """What a family is looking for; a listing may meet several needs."""

    FOOD = "food"
    HOUSING = "housing"
    HEALTH = "health"
    MENTAL_HEALTH = "mental_health"
    LEGAL = "legal"
    FAMILY_WELLNESS = "family_wellness"
    IMMIGRATION = "immigration"

    @property
    def label(self):
        return NEED_LABELS[self]


NEED_LABELS = {
    Need.FOOD: _l("Food"),
    Need.HOUSING: _l("Housing"),
    Need.HEALTH: _l("Health care"),
    Need.MENTAL_HEALTH: _l("Mental health"),
    Need.LEGAL: _l("Legal help"),
    Need.FAMILY_WELLNESS: _l("Family wellness"),
    Need.IMMIGRATION: _l("Immigration"),
}


class Resource(db.Model):
    """One community service: bilingual text, where and when, how to reach it, when checked."""

    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public address of the listing; public data, so readable is fine.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_en: Mapped[str] = mapped_column(String(160))
    name_es: Mapped[str] = mapped_column(String(160))
    description_en: Mapped[str] = mapped_column(Text)
    description_es: Mapped[str] = mapped_column(Text)
    eligibility_en: Mapped[str] = mapped_column(Text, default="")
    eligibility_es: Mapped[str] = mapped_column(Text, default="")
    street: Mapped[str] = mapped_column(String(160), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    neighbourhood: Mapped[str] = mapped_column(String(80), default="", index=True)
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    website: Mapped[str] = mapped_column(String(300), default="")
    by_appointment: Mapped[bool] = mapped_column(default=False)
    hours_note_en: Mapped[str] = mapped_column(String(200), default="")
    hours_note_es: Mapped[str] = mapped_column(String(200), default="")
    verified_on: Mapped[date | None] = mapped_column(index=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Folded (case- and accent-free) names, descriptions and place, for search on any engine.
    search_text: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The new-listing form's one-off key: sent twice, it still makes one listing.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    need_rows: Mapped[list[ResourceNeed]] = relationship(
        back_populates="resource", cascade="all, delete-orphan", order_by="ResourceNeed.need"
    )
    language_rows: Mapped[list[ResourceLanguage]] = relationship(
        back_populates="resource", cascade="all, delete-orphan", order_by="ResourceLanguage.code"
    )
    hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="resource",
        cascade="all, delete-orphan",
        order_by="(OpeningHours.weekday, OpeningHours.opens)",
    )

    @property
    def active(self) -> bool:
        return self.archived_at is None

    @property
    def needs(self) -> list[Need]:
        """In the fixed order of the need list, whatever order they were stored in."""
        order = list(Need)
        return sorted((row.need for row in self.need_rows), key=order.index)

    @property
    def languages(self) -> list[str]:
        """Codes in the form's order: English and Spanish first, then the others."""
        order = {code: n for n, code in enumerate(SPOKEN_LANGUAGES)}
        return sorted((row.code for row in self.language_rows), key=lambda c: order.get(c, 99))

    def name(self, language: str) -> str:
        return self.name_es if language == "es" else self.name_en

    def description(self, language: str) -> str:
        return self.description_es if language == "es" else self.description_en

    def eligibility(self, language: str) -> str:
        return self.eligibility_es if language == "es" else self.eligibility_en

    def hours_note(self, language: str) -> str:
        return self.hours_note_es if language == "es" else self.hours_note_en

    @property
    def address(self) -> str:
        return ", ".join(part for part in (self.street, self.city, self.postal_code) if part)

    def is_stale(self, today: date) -> bool:
        """Not confirmed within a year (or never): the details may be out of date."""
        return self.verified_on is None or today - self.verified_on > STALE_AFTER

    def __repr__(self) -> str:
        return f"<Resource {self.slug}>"


class ResourceNeed(db.Model):
    """One need a listing meets."""

    __tablename__ = "resource_needs"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    need: Mapped[Need] = mapped_column(
        str_enum(Need, "resource_need", length=20), primary_key=True, index=True
    )

    resource: Mapped[Resource] = relationship(back_populates="need_rows")


class ResourceLanguage(db.Model):
    """A language the staff of a listing speak with families (a BCP 47 code such as 'es')."""

    __tablename__ = "resource_languages"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(12), primary_key=True, index=True)

    resource: Mapped[Resource] = relationship(back_populates="language_rows")


class OpeningHours(db.Model):
    """One opening on a weekday, in district wall-clock minutes since midnight.

    `closes` before `opens` means the opening runs past midnight into the next day
    (a shelter open 19:00-07:00); 0-1440 is the whole day.
    """

    __tablename__ = "resource_hours"
    __table_args__ = (
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        CheckConstraint("opens >= 0 AND opens < 1440", name="opens_range"),
        CheckConstraint("closes > 0 AND closes <= 1440", name="closes_range"),
        CheckConstraint("closes <> opens", name="not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)  # Monday 0 … Sunday 6, like date.weekday()
    opens: Mapped[int] = mapped_column(SmallInteger)
    closes: Mapped[int] = mapped_column(SmallInteger)

    resource: Mapped[Resource] = relationship(back_populates="hours")

    @property
    def overnight(self) -> bool:
        return self.closes < self.opens

    def covers(self, weekday: int, minute: int) -> bool:
        """Whether this opening has the doors open at `minute` of `weekday`."""
        if weekday == self.weekday:
            return self.opens <= minute and (self.overnight or minute < self.closes)
        if self.overnight and weekday == (self.weekday + 1) % 7:
            return minute < self.closes
        return False
