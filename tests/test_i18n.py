"""Language: selection order, the switch, Spanish pages, and a complete Spanish catalog."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import force_locale, format_date, format_decimal, gettext

from portal.auth.roles import Role
from portal.config import ROOT
from tests.conftest import csrf, demo_email, post, sign_in

PO = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"
HOME_HEADING = "Puente: a bridge between your family and your child's school"


def spanish(app, message: str) -> str:
    with app.test_request_context(), force_locale("es"):
        return gettext(message)


def html_lang(body: str) -> str:
    return body.split('<html lang="')[1].split('"')[0]


def test_browser_language_is_used_when_nothing_was_chosen(client, app):
    body = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}).get_data(
        as_text=True
    )
    assert html_lang(body) == "es"
    assert spanish(app, "What you can do here") in body
    body = client.get("/", headers={"Accept-Language": "fr, de"}).get_data(as_text=True)
    assert html_lang(body) == "en" and HOME_HEADING in body


def test_switch_keeps_you_on_the_same_page_and_is_remembered(client, app):
    response = post(client, "/language", {"lang": "es", "next": "/calendar?x=1"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/calendar?x=1"
    body = client.get("/calendar", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html_lang(body) == "es"
    assert spanish(app, "School calendar") in body


def test_switch_ignores_unknown_languages_and_foreign_targets(client):
    response = post(client, "/language", {"lang": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    for target in ["//evil.example/x", "/\\evil.example", "javascript:alert(1)"]:
        assert post(client, "/language", {"lang": "es", "next": target}).headers["Location"] == "/"


def test_switch_without_csrf_is_refused(client):
    assert client.post("/language", data={"lang": "es"}).status_code == 400


def test_account_language_wins_over_session_and_browser(app):
    client = app.test_client()
    post(client, "/language", {"lang": "en", "next": "/"})
    sign_in(client, demo_email(Role.SPECIALIST))  # Mateo prefers Spanish
    body = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html_lang(body) == "es"


def test_switching_while_signed_in_updates_the_account(app):
    client = app.test_client()
    sign_in(client, demo_email(Role.ADMIN))
    post(client, "/language", {"lang": "es", "next": "/account"})
    client2 = app.test_client()
    sign_in(client2, demo_email(Role.ADMIN))
    assert html_lang(client2.get("/account").get_data(as_text=True)) == "es"


def test_language_choice_survives_sign_in_and_out(app):
    client = app.test_client()
    post(client, "/language", {"lang": "es", "next": "/"})
    sign_in(client, demo_email(Role.ADMIN))  # Priya's account says English
    post(client, "/sign-out")
    body = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html_lang(body) == "es"


def test_switch_from_htmx_refreshes_the_page(client):
    token = csrf(client)
    response = client.post(
        "/language", data={"lang": "es", "csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204 and response.headers["HX-Refresh"] == "true"


def test_spanish_home_page_is_in_spanish(client, app):
    body = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    for message in [
        "Is a child in danger right now?",
        "Skip to main content",
        "See when there is no school",
        "Staff sign-in",
    ]:
        translated = spanish(app, message)
        assert translated != message and translated in body.replace("&#39;", "'")
    assert 'lang="en">English</button>' in body


def test_spanish_error_page(client, app):
    response = client.get("/no-such-page", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert html_lang(body) == "es"
    assert spanish(app, "We could not find that page") in body


def test_dates_and_numbers_follow_the_language(app):
    day = date(2026, 12, 21)
    with app.test_request_context(), force_locale("es"):
        assert format_date(day, "long") == "21 de diciembre de 2026"
        assert format_decimal(12345.5) == "12.345,5"
    with app.test_request_context(), force_locale("en"):
        assert format_date(day, "long") == "December 21, 2026"
        assert format_decimal(12345.5) == "12,345.5"


def test_calendar_dates_render_in_spanish(client):
    body = client.get("/calendar", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "21 de diciembre de 2026\u2009–\u20091 de enero de 2027" in body
    assert "Vacaciones de invierno" in body


def test_spanish_catalog_is_complete_and_not_fuzzy():
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, "\n".join(problems)


def test_every_message_in_the_code_is_in_the_catalog():
    from babel.messages.extract import extract_from_dir

    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    method_map = [
        ("portal/templates/**.html", "jinja2"),
        ("portal/templates/**.txt", "jinja2"),
        ("portal/**.py", "python"),
        ("dashboards/**.py", "python"),
    ]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    missing = set()

    # Like `make i18n`: template folders such as _macros and _partials are read too.
    def wanted(path: str) -> bool:
        return not Path(path).name.startswith(".") and Path(path).name not in (
            "node_modules",
            "instance",
        )

    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, keywords=keywords, directory_filter=wanted
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid not in known:
            missing.add(msgid)
    assert not missing, f"run `make i18n`; not in the catalog: {sorted(missing)[:10]}"


def test_catalog_is_compiled():
    assert Path(str(PO).replace(".po", ".mo")).exists(), "run `make translations`"


def test_home_page_shows_the_next_closures_whole(client, monkeypatch):
    from datetime import date

    import portal.main.views as views

    monkeypatch.setattr(views, "district_today", lambda: date(2026, 11, 23))
    body = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "23–27 de noviembre de 2026" in body
    assert "21 de diciembre de 2026\u2009–\u20091 de enero de 2027" in body


def test_language_switch_is_outside_the_collapsing_menu(client):
    body = client.get("/").get_data(as_text=True)
    assert body.index('class="language-switch"') < body.index('id="main-nav"')
