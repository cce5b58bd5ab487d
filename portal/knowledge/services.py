"""Answers before asking: articles by category, what helped, where answers are needed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from portal.extensions import db
from portal.knowledge.models import Article, Category


def categories() -> list[Category]:
    """Active categories in their display order."""
    return list(
        db.session.scalars(
            select(Category).where(Category.active).order_by(Category.sort_order, Category.code)
        )
    )


def answers_for(category_id: int, *, count_shown: bool = True) -> list[Article]:
    """The published answers of a category, shown to a family choosing it."""
    articles = list(
        db.session.scalars(
            select(Article)
            .where(Article.category_id == category_id, Article.published)
            .order_by(Article.sort_order, Article.id)
            .limit(5)
        )
    )
    if count_shown and articles:
        db.session.execute(
            update(Article)
            .where(Article.id.in_([a.id for a in articles]))
            .values(shown_count=Article.shown_count + 1)
        )
        db.session.commit()
    return articles


def mark_helpful(article_id: int) -> bool:
    """Count "this answered my question" (one atomic increment; no read-modify-write)."""
    result = db.session.execute(
        update(Article)
        .where(Article.id == article_id, Article.published)
        .values(helpful_count=Article.helpful_count + 1)
    )
    db.session.commit()
    return bool(result.rowcount)


@dataclass(frozen=True)
class CategoryVolume:
    category: Category
    quick_logs: int
    tier1_cases: int
    answers: int
    helpful: int
    shown: int


def volume_by_category(since: datetime) -> list[CategoryVolume]:
    """Categories ranked by Tier 1 volume since a date, with how often answers helped."""
    from portal.concerns.models import Case, QuickLog

    logs = dict(
        db.session.execute(
            select(QuickLog.category_id, func.count())
            .where(QuickLog.created_at >= since)
            .group_by(QuickLog.category_id)
        ).all()
    )
    cases = dict(
        db.session.execute(
            select(Case.category_id, func.count())
            .where(Case.tier == 1, Case.created_at >= since)
            .group_by(Case.category_id)
        ).all()
    )
    article_stats = {
        row[0]: row[1:]
        for row in db.session.execute(
            select(
                Article.category_id,
                func.count(),
                func.coalesce(func.sum(Article.helpful_count), 0),
                func.coalesce(func.sum(Article.shown_count), 0),
            )
            .where(Article.published)
            .group_by(Article.category_id)
        ).all()
    }
    rows = [
        CategoryVolume(
            c, logs.get(c.id, 0), cases.get(c.id, 0), *article_stats.get(c.id, (0, 0, 0))
        )
        for c in categories()
    ]
    return sorted(
        rows, key=lambda r: (-(r.quick_logs + r.tier1_cases), -r.helpful, r.category.sort_order)
    )


@dataclass(frozen=True)
class ArticleInput:
    """A knowledge-base answer as the senior manager writes it, in both languages."""

    category_id: int
    question_en: str
    question_es: str
    answer_en: str
    answer_es: str
    published: bool = True
    sort_order: int = 0


def published_by_category() -> list[tuple[Category, list[Article]]]:
    """Every category that has published answers, with them, for the public answers page."""
    articles = db.session.scalars(
        select(Article).where(Article.published).order_by(Article.sort_order, Article.id)
    )
    grouped: dict[int, list[Article]] = {}
    for article in articles:
        grouped.setdefault(article.category_id, []).append(article)
    return [(c, grouped[c.id]) for c in categories() if c.id in grouped]


def all_articles() -> list[Article]:
    return list(
        db.session.scalars(
            select(Article)
            .join(Category)
            .order_by(Category.sort_order, Article.sort_order, Article.id)
        )
    )


def save_article(
    article: Article | None, data: ArticleInput, *, actor_id: int, ip: str | None
) -> Article:
    """Create or change an answer; audited, and visible to families at once when published."""
    from portal.audit.services import record

    if db.session.get(Category, data.category_id) is None:
        raise ValueError("unknown category")
    created = article is None
    article = article or Article()
    for field in (
        "category_id",
        "question_en",
        "question_es",
        "answer_en",
        "answer_es",
        "published",
        "sort_order",
    ):
        setattr(article, field, getattr(data, field))
    article.updated_by_id = actor_id
    if created:
        db.session.add(article)
    db.session.flush()
    record(
        "kb.article_created" if created else "kb.article_changed",
        actor_id=actor_id,
        target=article,
        ip=ip,
        detail={"published": data.published},
    )
    db.session.commit()
    return article
