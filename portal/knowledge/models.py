"""Categories of family questions and concerns, and knowledge-base answers for each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow


class Category(db.Model):
    """What a question or concern is about; reference data carrying both languages."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_es: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    articles: Mapped[list[Article]] = relationship(
        back_populates="category", order_by="Article.sort_order"
    )

    def name(self, language: str) -> str:
        return self.name_es if language == "es" else self.name_en


class Article(db.Model):
    """A bilingual answer to a repeated question, shown to families before they ask."""

    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    question_en: Mapped[str] = mapped_column(String(200))
    question_es: Mapped[str] = mapped_column(String(200))
    answer_en: Mapped[str] = mapped_column(Text)
    answer_es: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    shown_count: Mapped[int] = mapped_column(default=0)
    helpful_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    category: Mapped[Category] = relationship(back_populates="articles")

    def question(self, language: str) -> str:
        return self.question_es if language == "es" else self.question_en

    def answer(self, language: str) -> str:
        return self.answer_es if language == "es" else self.answer_en
