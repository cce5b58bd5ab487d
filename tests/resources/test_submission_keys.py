"""A new listing counts once per form: a double click or a resend makes one listing."""

from __future__ import annotations

import re
import secrets

import pytest
from sqlalchemy import func, select

from portal.auth.roles import Role
from portal.extensions import db
from portal.resources.models import Resource
from portal.resources.services import save_resource
from tests.conftest import post
from tests.resources.conftest import listing
from tests.resources.test_views import form_data

KEY = re.compile(
    r'name="submission_key"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="submission_key"'
)


def listings_named(name: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Resource).where(Resource.name_en == name)
    )


def test_the_new_listing_form_carries_a_key_and_counts_once(as_role):
    editor = as_role(Role.SOCIAL_WORKER)
    page = editor.get("/resources/manage/new").get_data(as_text=True)
    match = KEY.search(page)
    key = match.group(1) or match.group(2)
    assert 16 <= len(key) <= 64
    first = post(editor, "/resources/manage/new", form_data(submission_key=key))
    again = post(
        editor, "/resources/manage/new", form_data(submission_key=key, name_es="Otra", slug="x")
    )
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert first.headers["Location"].endswith("/resources/eastside-pantry")
    assert listings_named("Eastside Pantry") == 1
    resource = db.session.scalars(select(Resource).where(Resource.submission_key == key)).one()
    assert resource.name_es == "Despensa del Este"  # the resend changed nothing


def test_a_form_sent_back_with_an_error_keeps_its_key(as_role):
    editor = as_role(Role.SOCIAL_WORKER)
    response = post(editor, "/resources/manage/new", form_data(name_es="", submission_key="r" * 24))
    assert response.status_code == 422
    assert "r" * 24 in response.get_data(as_text=True)


@pytest.mark.parametrize("key", [None, "", "short", "x" * 65])
def test_a_missing_or_malformed_key_is_refused_and_saves_nothing(as_role, key):
    editor = as_role(Role.SOCIAL_WORKER)
    data = form_data()
    if key is None:
        del data["submission_key"]
    else:
        data["submission_key"] = key
    assert post(editor, "/resources/manage/new", data).status_code == 400
    assert listings_named("Eastside Pantry") == 0


def test_editing_a_listing_needs_no_key(as_role, app):
    with app.test_request_context():
        resource_id = listing("Eastside Pantry").id
    editor = as_role(Role.SOCIAL_WORKER)
    page = editor.get(f"/resources/manage/{resource_id}").get_data(as_text=True)
    assert "submission_key" not in page
    data = form_data(name_es="Despensa Este")
    del data["submission_key"]
    assert post(editor, f"/resources/manage/{resource_id}", data).status_code == 303
    assert db.session.get(Resource, resource_id).submission_key is None


def test_a_racing_twin_gets_the_listing_the_first_one_made(app, monkeypatch):
    """Both requests found no listing with the key; the second insert is stopped by the key."""
    key = secrets.token_urlsafe(24)
    with app.test_request_context():
        first = listing("Eastside Pantry")
        first.submission_key = key
        db.session.commit()
        # The second send looked before the first was saved: it saw nothing.
        monkeypatch.setattr("portal.resources.services._already_sent", _nothing_then_real())
        twin = save_resource(None, _input_like(first), actor_id=None, ip=None, submission_key=key)
        assert twin.id == first.id
        assert listings_named("Eastside Pantry") == 1


def _nothing_then_real():  # noqa: ANN202
    from portal.resources import services

    real = services._already_sent  # noqa: SLF001
    looked: list[str] = []

    def look(key: str):  # noqa: ANN202
        if not looked:  # the first look, before the twin's insert
            looked.append(key)
            return None
        return real(key)

    return look


def _input_like(resource: Resource):  # noqa: ANN202
    from portal.resources.services import ResourceInput

    return ResourceInput(
        name_en=resource.name_en,
        name_es=resource.name_es,
        description_en=resource.description_en,
        description_es=resource.description_es,
        needs=frozenset(resource.needs),
        languages=frozenset(resource.languages),
    )
