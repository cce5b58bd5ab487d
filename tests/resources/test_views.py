"""The public directory pages and the staff editor: status, scope, fragments, language."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.roles import STAFF_ROLES, Role
from portal.extensions import db
from portal.resources.models import Need, Resource
from portal.resources.views import EDITORS
from tests.conftest import DEMO_TODAY, csrf, post
from tests.resources.conftest import listing

SPANISH = {"Accept-Language": "es"}


def by_name(name: str) -> Resource:
    return db.session.scalars(select(Resource).where(Resource.name_en == name)).one()


def test_directory_lists_in_the_readers_language(client, demo_listings):
    english = client.get("/resources?need=food").get_data(as_text=True)
    spanish = client.get("/resources?need=food", headers=SPANISH).get_data(as_text=True)
    assert "Westwood Community Food Bank" in english
    assert "Banco de Alimentos Comunitario de Westwood" in spanish
    assert "Banco de Alimentos Comunitario de Westwood" not in english
    assert "Comida gratis una vez por semana" in spanish


def test_filters_work_without_javascript_and_as_an_htmx_fragment(client, demo_listings):
    args = "?need=food&language=es&neighbourhood=Westwood"
    page = client.get("/resources" + args)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in body
    assert "Westwood Community Food Bank" in body and "Raíces Counseling" not in body
    assert 'value="food" selected' in body  # the form shows what was asked
    fragment = client.get("/resources" + args, headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and text.lstrip().startswith('<div id="resource-results"')
    assert "Westwood Community Food Bank" in text
    assert "HX-Request" in fragment.headers.get("Vary", "")
    restore = client.get(
        "/resources" + args,
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.get_data(as_text=True)


def test_open_now_is_computed_in_the_districts_time_zone(client, app, monkeypatch):
    with app.test_request_context():
        listing("Morning Pantry", openings=((0, "09:00", "10:00"),))
    # 16:30 UTC on a Monday in November is 09:30 in Denver (UTC-7): open, though UTC says not.
    monkeypatch.setattr(
        "portal.resources.views.utcnow", lambda: datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    )
    assert "Morning Pantry" in client.get("/resources?open=1").get_data(as_text=True)
    monkeypatch.setattr(
        "portal.resources.views.utcnow", lambda: datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    )
    assert "Morning Pantry" not in client.get("/resources?open=1").get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "?need=%00&language=<script>&open=%ff",
        "?q=" + "%C3%B1" * 400,
        "?neighbourhood=%E2%80%AE&page=-1",
        "?page=99999",
        "?q=%27%20OR%201%3D1--",
        "?q=%00&neighbourhood=%00x",
        "/%00",
        "/manage%00",
        "/" + "a" * 300,
        "/%C3%B1and%C3%BA",
    ],
)
def test_odd_queries_never_fail(client, demo_listings, query):
    response = client.get("/resources" + query)
    assert response.status_code in (200, 404)
    assert "<script>" not in response.get_data(as_text=True)


def test_odd_staff_searches_never_fail(as_role):
    response = as_role(Role.ANALYST).get("/resources/manage?q=%00%3Cb%3E&show=%00")
    assert response.status_code == 200 and "<b>" not in response.get_data(as_text=True)


def test_listing_page_links_out_safely_and_hides_archived(client, app, demo_listings):
    with app.app_context():
        resource = by_name("Westwood Community Food Bank")
        archived = by_name("Berkeley Winter Coat Drive")
        slug, gone = resource.slug, archived.slug
    body = client.get(f"/resources/{slug}", headers=SPANISH).get_data(as_text=True)
    assert 'href="https://westwoodcommunityfoodban.example.org" rel="noopener noreferrer"' in body
    assert 'href="tel:+17205550101"' in body and "(720) 555-0101" in body
    assert "Who can use it" not in body  # the Spanish page, not the English one
    assert client.get(f"/resources/{gone}").status_code == 404
    assert client.get("/resources/no-such-listing").status_code == 404


def test_families_see_a_gentle_note_and_staff_the_stale_flag(client, as_role, app, demo_listings):
    with app.app_context():
        slug = by_name("Globeville Mobile Market").slug
    family = client.get(f"/resources/{slug}").get_data(as_text=True)
    assert "may be out of date. Please call before you go." in family
    assert "Not checked in over a year" not in family
    # The demo liaison reads the portal in Spanish.
    staff = as_role(Role.LIAISON).get(f"/resources/{slug}").get_data(as_text=True)
    assert "Sin verificar hace más de un año" in staff
    assert "Editar el servicio" not in staff  # liaisons look; they do not edit
    editor = as_role(Role.SOCIAL_WORKER).get(f"/resources/{slug}").get_data(as_text=True)
    assert "Not checked in over a year" in editor and "Edit listing" in editor


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_every_staff_role_sees_the_list_and_only_editors_edit(as_role, app, role):
    with app.test_request_context():
        resource_id = listing("Role Test Pantry").id
    client = as_role(role)
    assert client.get("/resources/manage?show=stale").status_code == 200
    expected = 200 if role in EDITORS else 403
    assert client.get("/resources/manage/new").status_code == expected
    assert client.get(f"/resources/manage/{resource_id}").status_code == expected
    verify = post(client, f"/resources/manage/{resource_id}/verify")
    assert verify.status_code == (303 if role in EDITORS else 403)


def test_family_account_cannot_reach_the_staff_list(as_role):
    assert as_role(Role.FAMILY).get("/resources/manage").status_code == 403


def form_data(**overrides: object) -> dict:
    data = {
        "submission_key": secrets.token_urlsafe(24),
        "name_en": "Eastside Pantry",
        "name_es": "Despensa del Este",
        "description_en": "Groceries on Tuesdays.",
        "description_es": "Víveres los martes.",
        "needs": ["food", "family_wellness"],
        "languages": ["en", "es", "so"],
        "street": "100 E Colfax Ave",
        "city": "Denver, CO",
        "postal_code": "80203",
        "neighbourhood": "Capitol Hill",
        "phone": "720 555 0150",
        "website": "eastsidepantry.example.org",
        "day1-opens1": "17:00",
        "day1-closes1": "02:00",
        "day3-opens1": "00:00",
        "day3-closes1": "00:00",
        "verified": "y",
    }
    data.update(overrides)
    return data


def test_social_worker_creates_a_listing_families_then_find(as_role, app, client):
    worker = as_role(Role.SOCIAL_WORKER)
    response = post(
        worker,
        "/resources/manage/new",
        form_data(slug="manage", archived_at="2020-01-01", verified_on="1999-01-01"),
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with app.app_context():
        resource = by_name("Eastside Pantry")
        assert resource.slug == "eastside-pantry" and resource.active
        assert resource.verified_on == DEMO_TODAY or resource.verified_on > DEMO_TODAY
        assert resource.phone == "+17205550150"
        assert resource.website == "https://eastsidepantry.example.org"
        assert resource.needs == [Need.FOOD, Need.FAMILY_WELLNESS]
        assert [(h.weekday, h.opens, h.closes) for h in resource.hours] == [
            (1, 17 * 60, 2 * 60),  # Tuesday evening into Wednesday
            (3, 0, 24 * 60),  # all Thursday
        ]
        audit = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "resource.created", AuditEvent.target_id == str(resource.id)
            )
        )
        assert audit is not None and audit.actor_id is not None
    assert response.headers["Location"].endswith("/resources/eastside-pantry")
    found = client.get("/resources?q=despensa+del+este", headers=SPANISH).get_data(as_text=True)
    assert "Despensa del Este" in found


def test_invalid_listing_comes_back_with_every_typed_value_and_clear_messages(as_role):
    worker = as_role(Role.CASEWORKER)
    response = post(
        worker,
        "/resources/manage/new",
        form_data(
            name_es="",
            needs=[],
            phone="12",
            website="javascript:alert(1)",
            **{"day2-opens1": "9am", "day4-opens1": "10:00", "day4-closes1": ""},
        ),
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in (
        "Write the name in Spanish.",
        "Choose at least one need.",
        "Enter a phone number like (720) 555-0142.",
        "Enter a web address starting with https:// or http://.",
        "Write times as hours and minutes, like 09:30 or 17:00.",
        "Give both the opening and the closing time, or neither.",
    ):
        assert message in body, message
    # Nothing typed is lost.
    assert 'value="Eastside Pantry"' in body and "Groceries on Tuesdays." in body
    assert 'value="9am"' in body and 'value="12"' in body
    assert re.search(r'<input checked[^>]*value="so"', body)


def test_archive_and_restore(as_role, app, client):
    with app.test_request_context():
        resource = listing("Moving Pantry")
        resource_id, slug = resource.id, resource.slug
    editor = as_role(Role.PROGRAMME_STAFF)
    assert post(editor, f"/resources/manage/{resource_id}/archive").status_code == 303
    assert client.get(f"/resources/{slug}").status_code == 404
    assert "Moving Pantry" in editor.get("/resources/manage?show=archived").get_data(as_text=True)
    assert post(editor, f"/resources/manage/{resource_id}/restore").status_code == 303
    assert client.get(f"/resources/{slug}").status_code == 200


def test_verify_returns_only_to_our_own_pages(as_role, app):
    with app.test_request_context():
        resource_id = listing("Checked Pantry", verified=None).id
    editor = as_role(Role.ADMIN)
    response = post(
        editor, f"/resources/manage/{resource_id}/verify", {"next": "https://evil.example"}
    )
    assert response.status_code == 303 and "evil" not in response.headers["Location"]
    with app.app_context():
        assert db.session.get(Resource, resource_id).verified_on is not None


def test_posts_need_the_csrf_token(as_role, app):
    with app.test_request_context():
        resource_id = listing("Token Pantry").id
    editor = as_role(Role.ADMIN)
    csrf(editor)
    response = editor.post(f"/resources/manage/{resource_id}/archive")
    assert response.status_code == 400


def test_missing_listing_is_404_for_editors(as_role):
    assert as_role(Role.ADMIN).get("/resources/manage/999999").status_code == 404


def test_navigation_offers_the_directory_to_everyone(client):
    nav = client.get("/").get_data(as_text=True).split('id="main-nav"')[1].split("</ul>")[0]
    assert 'href="/resources"' in nav and "/resources/manage" not in nav


def test_validation_messages_come_in_the_editors_language(app, make_user):
    from tests.conftest import sign_in

    user = make_user(Role.SOCIAL_WORKER, language="es")
    editor = app.test_client()
    assert sign_in(editor, user.email).status_code == 303
    response = post(editor, "/resources/manage/new", form_data(name_es="", phone="12"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Escriba el nombre en español." in body
    assert "Escriba un número de teléfono como (720) 555-0142." in body
    assert 'value="Eastside Pantry"' in body
