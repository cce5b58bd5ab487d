"""Error pages: both languages, full page or htmx fragment, never a stack trace."""

from __future__ import annotations

from flask import abort

from portal import create_app
from portal.access import public
from portal.auth.roles import Role
from tests.conftest import portal_config


def test_404_full_page_and_htmx_fragment(client):
    page = client.get("/nope")
    assert page.status_code == 404 and "<html" in page.get_data(as_text=True)
    fragment = client.get("/nope", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 404 and "<html" not in body
    assert body.lstrip().startswith('<div id="error"')


def test_403_is_a_page_in_the_users_language(as_role):
    client = as_role(Role.SPECIALIST)  # Mateo reads Spanish
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert '<html lang="es">' in response.get_data(as_text=True)


def test_missing_csrf_gets_a_friendly_400(client):
    response = client.post("/sign-in", data={"email": "a@b.org", "password": "x"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_method_not_allowed_is_a_page(client):
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert "That action is not available here" in response.get_data(as_text=True)


def test_unexpected_error_is_a_generic_500_in_spanish(tmp_path):
    app = create_app(portal_config(f"sqlite:///{tmp_path}/e.db", TESTING=False))

    @app.get("/boom")
    @public
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/teapot")
    @public
    def teapot():
        abort(413)

    response = app.test_client().get("/boom", headers={"Accept-Language": "es"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    assert '<html lang="es">' in body
    assert app.test_client().get("/teapot").status_code == 413


def test_oversized_request_is_refused_cleanly(client):
    response = client.post("/sign-in", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_csrf_token_from_one_session_is_refused_in_another(app):
    from tests.conftest import csrf

    first, second = app.test_client(), app.test_client()
    token = csrf(first)
    csrf(second)
    response = second.post("/language", data={"csrf_token": token, "lang": "es"})
    assert response.status_code == 400


def test_an_id_too_large_for_any_row_is_a_404_not_a_500(as_role):
    """SQLite cannot even bind an integer past 2**63 (OverflowError); no row has such an id."""
    from tests.conftest import post

    huge = 2**64 + 5
    worker = as_role(Role.SOCIAL_WORKER)
    assert worker.get(f"/coordination/{huge}").status_code == 404
    assert worker.get(f"/resources/manage/{huge}").status_code == 404
    assert post(worker, f"/coordination/{huge}/decisions", {"decisions": "x"}).status_code == 404
    assert post(worker, f"/resources/manage/{huge}/verify").status_code == 404
    assert worker.get(f"/coordination/{2**31}").status_code == 404
    admin = as_role(Role.ADMIN)
    assert post(admin, f"/admin/users/{huge}/mfa-reset").status_code == 404


def test_a_page_number_past_any_list_is_an_empty_page_not_a_500(client, as_role):
    """SQLite cannot bind an offset past 2**63 and PostgreSQL says bigint out of range."""
    huge = "9" * 20
    assert client.get(f"/resources?page={huge}").status_code == 200
    assert client.get(f"/resources?page={huge}", headers={"HX-Request": "true"}).status_code == 200
    assert client.get(f"/workshops?page={huge}").status_code == 200
    worker = as_role(Role.SOCIAL_WORKER)
    assert worker.get(f"/coordination/?page={huge}").status_code == 200
    assert worker.get(f"/resources/manage?page={huge}").status_code == 200
    assert as_role(Role.ADMIN).get(f"/admin/audit?page={huge}").status_code == 200
