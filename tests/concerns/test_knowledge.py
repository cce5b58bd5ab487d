"""The public answers page, the senior manager's editor, and the volume ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.roles import Role
from portal.concerns import casework
from portal.concerns.models import CallOutcome
from portal.extensions import db
from portal.knowledge import services as kb
from portal.knowledge.models import Article
from tests.concerns.conftest import category_id, user_id
from tests.conftest import post


def test_public_answers_page_in_both_languages(client, app):
    with app.app_context():
        article = db.session.scalars(select(Article)).first()
    english = client.get("/answers").get_data(as_text=True)
    spanish = client.get("/answers", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert article.question_en.replace("'", "&#39;") in english
    assert article.question_es in spanish


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SENIOR_MANAGER])
def test_only_the_senior_manager_edits_answers(as_role, role):
    client = as_role(role)
    assert client.get("/knowledge/manage").status_code == 403
    assert client.get("/knowledge/manage/new").status_code == 403


def test_senior_manager_writes_an_answer_families_then_see(as_role, app, client):
    manager = as_role(Role.SENIOR_MANAGER)
    with app.app_context():
        category = category_id("fees")
    bad = post(
        manager, "/knowledge/manage/new", {"category": str(category), "question_en": "Only English"}
    )
    assert bad.status_code == 422
    response = post(
        manager,
        "/knowledge/manage/new",
        {
            "category": str(category),
            "question_en": "Do I pay for a laptop?",
            "question_es": "¿Tengo que pagar la computadora portátil?",
            "answer_en": "No. Every student gets one on loan.",
            "answer_es": "No. Cada estudiante recibe una prestada.",
            "published": "y",
        },
    )
    assert response.status_code == 303
    assert "¿Tengo que pagar la computadora portátil?" in client.get(
        "/answers", headers={"Accept-Language": "es"}
    ).get_data(as_text=True)
    with app.app_context():
        article = db.session.scalars(
            select(Article).where(Article.question_en == "Do I pay for a laptop?")
        ).one()
        assert db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "kb.article_created")
        ).one().target_id == str(article.id)
    hidden = post(
        manager,
        f"/knowledge/manage/{article.id}",
        {
            "category": str(category),
            "question_en": "Do I pay for a laptop?",
            "question_es": "¿Tengo que pagar la computadora portátil?",
            "answer_en": "No.",
            "answer_es": "No.",
        },
    )
    assert hidden.status_code == 303
    assert "portátil" not in client.get("/answers", headers={"Accept-Language": "es"}).get_data(
        as_text=True
    )
    assert manager.get("/knowledge/manage/999999").status_code == 404


@pytest.mark.usefixtures("app_ctx")
def test_volume_ranking_counts_calls_and_tier1_cases(submit):
    from portal.concerns.models import CaseKind

    for _ in range(3):
        casework.quick_log(
            category_id=category_id("food"),
            school_id=None,
            language="en",
            outcome=CallOutcome.ANSWERED,
            actor_id=user_id(Role.SPECIALIST),
        )
    submit(kind=CaseKind.QUESTION, category_id=category_id("enrollment"))
    rows = kb.volume_by_category(datetime.now(UTC) - timedelta(days=90))
    assert rows[0].category.code == "food" and rows[0].quick_logs == 3
    assert next(r for r in rows if r.category.code == "enrollment").tier1_cases == 1


def test_liaison_files_on_a_familys_behalf(as_role, app):
    from tests.concerns.test_public_views import intake_data

    liaison = as_role(Role.LIAISON)
    assert liaison.post("/ask", data=intake_data(liaison, app)).status_code == 303
    with app.app_context():
        from portal.concerns.models import Case, Channel

        case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
        assert case.channel == Channel.LIAISON and case.filed_by_id == user_id(Role.LIAISON)
