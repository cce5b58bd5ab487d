"""The family's pages over HTTP: ask, receipt, track, message, survey; both languages."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.concerns.models import Case, CaseEntry, EntryKind
from portal.extensions import db
from portal.knowledge.models import Article
from tests.concerns.conftest import category_id
from tests.conftest import csrf


def form_key(page: str) -> str:
    return re.search(r'submission_key[^>]*value="([^"]+)"', page).group(1)


def intake_data(client, app, path="/ask", **overrides):  # noqa: ANN001, ANN201
    page = client.get(path).get_data(as_text=True)
    with app.app_context():
        category = category_id("transportation")
    data = {
        "csrf_token": csrf(client),
        "submission_key": form_key(page),
        "kind": "concern",
        "name": "Rosa Martínez",
        "relationship": "parent",
        "phone": "(720) 555-0142",
        "email": "",
        "contact_method": "text",
        "language": "es",
        "school": "cesar chavez elementary",
        "category": str(category),
        "description": "El autobús llega tarde todos los días.",
        "student_grade": "3",
    }
    data.update(overrides)
    return data


def count_cases(app) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case))


def receipt_codes(client) -> tuple[str, str]:  # noqa: ANN001
    page = client.get("/ask/received").get_data(as_text=True)
    return (
        re.search(r'id="reference">([^<]+)<', page).group(1),
        re.search(r'id="access-code">([^<]+)<', page).group(1),
    )


def spanish(app, message: str) -> str:  # noqa: ANN001
    with app.test_request_context(), force_locale("es"):
        return gettext(message)


def test_family_submits_and_gets_a_receipt(client, app):
    before = count_cases(app)
    response = client.post("/ask", data=intake_data(client, app))
    assert response.status_code == 303 and response.headers["Location"] == "/ask/received"
    reference, code = receipt_codes(client)
    assert reference.startswith("FCS-2026-") and len(code.replace("-", "")) == 28
    assert count_cases(app) == before + 1
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        assert case.school.code == "101"  # typed without the accent, matched anyway
        assert case.contact.phone == "+17205550142"
    assert code not in response.headers.get("Location", "")


def test_double_submit_creates_one_case(client, app):
    data = intake_data(client, app)
    before = count_cases(app)
    first = client.post("/ask", data=data)
    first_codes = receipt_codes(client)
    second = client.post("/ask", data=data)
    assert first.status_code == second.status_code == 303
    assert count_cases(app) == before + 1
    assert receipt_codes(client) == first_codes


def test_errors_come_back_in_spanish_with_everything_typed_kept(client, app):
    data = intake_data(
        client,
        app,
        phone="12",
        email="",
        description="",
        school="Escuela que no existe",
        name="Ana <b>Ñúñez</b>",
    )
    response = client.post("/ask", data=data, headers={"Accept-Language": "es"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert '<html lang="es">' in body
    assert spanish(app, "Tell us what is happening.") in body
    assert spanish(app, "Enter a phone number we can call, like 720-555-0142.") in body
    assert 'value="Ana &lt;b&gt;Ñúñez&lt;/b&gt;"' in body
    assert 'value="Escuela que no existe"' in body
    assert form_key(body) == data["submission_key"]  # the retry keeps the same key


def test_unknown_school_is_explained_not_guessed(client, app):
    before = count_cases(app)
    response = client.post("/ask", data=intake_data(client, app, school="Hogwarts"))
    assert response.status_code == 422
    assert "Choose a school from the list" in response.get_data(as_text=True)
    assert count_cases(app) == before


def test_hostile_input_never_breaks_the_form(client, app):
    nasty = "\x00\u202e<script>alert(1)</script>" + "ñ" * 6000
    response = client.post(
        "/ask", data=intake_data(client, app, description=nasty, name="\u200b" * 50, email="@@")
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "<script>alert(1)" not in body and "\x00" not in body


def test_spanish_address_opens_the_form_in_spanish(client, app):
    body = client.get("/preguntar", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in body
    assert spanish(app, "Ask a question or share a concern") in body
    assert 'action="/preguntar"' in body


def test_answers_appear_for_a_category_and_helpful_is_counted(client, app):
    with app.app_context():
        category = category_id("transportation")
        article = db.session.scalars(select(Article).where(Article.category_id == category)).first()
    fragment = client.get(
        f"/ask/answers?category={category}", headers={"HX-Request": "true", "Accept-Language": "es"}
    )
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and article.question_es in body
    assert client.get("/ask/answers?category=abc").status_code == 200
    token = csrf(client)
    thanks = client.post(
        f"/ask/answers/{article.id}/helpful",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert thanks.status_code == 200
    with app.app_context():
        assert db.session.get(Article, article.id).helpful_count == article.helpful_count + 1
    assert client.post("/ask/answers/99999/helpful", data={"csrf_token": token}).status_code == 404


def test_tracking_opens_the_case_without_codes_in_urls(client, app):
    client.post("/ask", data=intake_data(client, app))
    reference, code = receipt_codes(client)
    family = app.test_client()
    response = family.post(
        "/track", data={"csrf_token": csrf(family), "reference": reference, "access_code": code}
    )
    assert response.status_code == 303 and code not in response.headers["Location"]
    page = family.get("/track/case").get_data(as_text=True)
    assert reference in page


def test_wrong_codes_get_one_generic_answer_are_audited_and_limited(client, app):
    client.post("/ask", data=intake_data(client, app))
    reference, _ = receipt_codes(client)
    answers = set()
    for typed_reference in [reference, "FCS-2026-999999"]:
        attacker = app.test_client()
        response = attacker.post(
            "/track",
            data={
                "csrf_token": csrf(attacker),
                "reference": typed_reference,
                "access_code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG",
            },
        )
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        answers.add("We could not open a case with that reference" in body)
    assert answers == {True}
    with app.app_context():
        failures = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "case.track_failed")
        )
        assert failures == 2
    # Per reference, whatever the address: the sixth try in 15 minutes is refused.
    statuses = []
    for _ in range(5):
        attacker = app.test_client()
        statuses.append(
            attacker.post(
                "/track",
                data={
                    "csrf_token": csrf(attacker),
                    "reference": reference,
                    "access_code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG",
                },
            ).status_code
        )
    assert statuses[-1] == 429


def test_tracked_page_hides_internal_notes_and_takes_a_message(client, app):
    client.post("/ask", data=intake_data(client, app))
    reference, code = receipt_codes(client)
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        db.session.add(
            CaseEntry(
                case_id=case.id,
                kind=EntryKind.INTERNAL_NOTE,
                body="Internal: principal was rude",
                visible_to_family=False,
            )
        )
        db.session.commit()
    family = app.test_client()
    family.post(
        "/track", data={"csrf_token": csrf(family), "reference": reference, "access_code": code}
    )
    page = family.get("/track/case").get_data(as_text=True)
    assert "principal was rude" not in page
    token = csrf(family, "/track/case")
    response = family.post(
        "/track/case/message", data={"csrf_token": token, "message": "Today it was late again."}
    )
    assert response.status_code == 303
    assert "Today it was late again." in family.get("/track/case").get_data(as_text=True)
    assert (
        family.post("/track/case/message", data={"csrf_token": token, "message": " "}).status_code
        == 422
    )


def test_a_reissued_code_closes_pages_opened_with_the_old_one(client, app):
    client.post("/ask", data=intake_data(client, app))
    reference, code = receipt_codes(client)
    family = app.test_client()
    family.post(
        "/track", data={"csrf_token": csrf(family), "reference": reference, "access_code": code}
    )
    with app.test_request_context():
        from portal.concerns.intake import reissue_code

        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        reissue_code(case, secret_key=app.config["SECRET_KEY"], actor_id=None, ip=None)
    assert family.get("/track/case").status_code == 404


def test_track_page_needs_a_grant(client):
    assert client.get("/track/case").status_code == 404
    assert client.get("/ask/received").status_code == 302


def test_a_form_sent_back_keeps_the_answers_of_the_chosen_category(client, app):
    response = client.post("/ask", data=intake_data(client, app, description=""))
    assert response.status_code == 422
    assert 'id="kb-heading"' in response.get_data(as_text=True)


def test_the_familys_language_follows_them_to_the_receipt(app):
    client = app.test_client()
    client.post(
        "/preguntar",
        data=intake_data(client, app, path="/preguntar"),
        headers={"Accept-Language": "en"},
    )
    page = client.get("/ask/received", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in page


def test_switching_to_english_on_the_spanish_address_lands_on_the_english_form(client):
    token = csrf(client, "/preguntar")
    response = client.post(
        "/language", data={"csrf_token": token, "lang": "en", "next": "/preguntar"}
    )
    assert response.headers["Location"] == "/ask"
    response = client.post(
        "/language", data={"csrf_token": token, "lang": "es", "next": "/preguntar"}
    )
    assert response.headers["Location"] == "/preguntar"


def test_receipt_and_case_pages_are_never_cached(client, app):
    client.post("/ask", data=intake_data(client, app))
    assert client.get("/ask/received").headers["Cache-Control"] == "no-store"
    reference, code = receipt_codes(client)
    client.post(
        "/track", data={"csrf_token": csrf(client), "reference": reference, "access_code": code}
    )
    assert client.get("/track/case").headers["Cache-Control"] == "no-store"
    assert client.get("/answers").headers["Cache-Control"] == "no-cache"


def test_the_survey_takes_one_answer(client, app):
    from portal.concerns.casework import change_status
    from portal.concerns.models import SatisfactionResponse, Status

    client.post("/ask", data=intake_data(client, app))
    reference, code = receipt_codes(client)
    with app.test_request_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        change_status(case, Status.RESOLVED, actor_id=None, ip=None, summary="Done.")
    client.post(
        "/track", data={"csrf_token": csrf(client), "reference": reference, "access_code": code}
    )
    token = csrf(client, "/track/case")
    assert (
        client.post("/track/case/survey", data={"csrf_token": token, "rating": "9"}).status_code
        == 422
    )
    for rating in ("4", "1"):
        assert (
            client.post(
                "/track/case/survey", data={"csrf_token": token, "rating": rating}
            ).status_code
            == 303
        )
    with app.app_context():
        answers = db.session.scalars(select(SatisfactionResponse)).all()
        assert [a.rating for a in answers] == [4]
