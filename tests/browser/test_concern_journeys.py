"""A family's concern and a specialist's case work, in a real browser: Spanish first, axe clean."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.auth.services import set_language
from portal.concerns import intake
from portal.concerns.models import Case, CaseKind, Relationship
from portal.demo import DEMO_PASSWORD
from portal.extensions import db, limiter
from portal.knowledge.models import Category
from portal.schools.models import School
from portal.timeutil import district_today
from tests.browser.conftest import PageWatch
from tests.browser.test_journeys import assert_accessible, assert_clean
from tests.conftest import demo_email

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@contextmanager
def watched_page(browser, base: str, **context_options) -> Iterator[object]:
    """A fresh context and page, watched as the `page` fixture's is, with other options."""
    limiter.reset()
    context = browser.new_context(**context_options)
    page = context.new_page()
    watch = PageWatch(base)
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.console_errors.append(str(error)))
    page.on("request", watch.on_request)
    page.watch = watch
    page.base = base
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized page whose browser asks for Mexican Spanish."""
    with watched_page(browser, live_server, locale="es-MX", viewport=PHONE) as page:
        yield page


@pytest.fixture
def specialist_language(live_app) -> Iterator[None]:
    """The journey switches the specialist's account to English; leave it in Spanish again."""
    yield
    with live_app.app_context():
        user = db.session.scalars(select(User).where(User.email == demo_email(Role.SPECIALIST)))
        set_language(user.one(), "es")


def assert_accessible_in(page, lang: str) -> None:
    """The page is in the journey's language and axe finds nothing in it."""
    assert page.get_attribute("html", "lang") == lang
    assert_accessible(page)


def saved_case(live_app, reference: str) -> tuple[str | None, str]:
    """The school and description the portal stored for a case."""
    with live_app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        return (case.school.name if case.school else None), case.description


def submit_concern(live_app) -> tuple[str, str]:
    """A Spanish-speaking grandmother's concern, filed through the intake service."""
    with live_app.test_request_context():
        bullying = db.session.scalar(select(Category.id).where(Category.code == "bullying"))
        sunnyside = db.session.scalar(select(School.id).where(School.code == "103"))
        receipt = intake.submit(
            intake.Submission(
                submission_key=secrets.token_urlsafe(24),
                kind=CaseKind.CONCERN,
                name="Guadalupe Ortiz",
                relationship=Relationship.GRANDPARENT,
                category_id=bullying,
                description="Unos compañeros molestan a mi nieta en el recreo todos los días.",
                school_id=sunnyside,
                phone="+17205550199",
                language="es",
            ),
            secret_key=live_app.config["SECRET_KEY"],
            today=district_today(),
            ip="198.51.100.7",
        )
    return receipt.reference, receipt.access_code


def open_case(page, reference: str, access_code: str) -> None:
    """On "Siga su caso": both codes, then the family's case page."""
    assert "Siga su caso" in page.inner_text("h1")
    assert_accessible_in(page, "es")
    page.get_by_label("Referencia del caso").fill(reference)
    page.get_by_label("Código de acceso").fill(access_code)
    page.get_by_role("button", name="Ver mi caso").click()
    page.wait_for_url(re.compile(r"/track/case$"))
    assert reference in page.inner_text("h1")


def test_spanish_family_raises_a_concern_on_a_phone_and_follows_it(phone_page, live_app):
    page = phone_page
    page.goto(page.base + "/preguntar")
    assert_accessible_in(page, "es")

    page.get_by_label("Una inquietud: algo no está bien y necesito ayuda").check()
    # Choosing a category brings the knowledge base's answers into the page (htmx).
    page.get_by_label("¿De qué se trata?").select_option(label="Autobús y transporte")
    answers = page.locator("#kb-answers")
    answers.get_by_text("¿Mi hijo o hija tiene derecho al autobús escolar?").wait_for()
    assert "Estas respuestas podrían ayudarle ahora mismo" in answers.inner_text()
    answers.get_by_text("El autobús no pasó. ¿Qué hago?").click()  # opens the <details>
    assert_accessible_in(page, "es")
    answers.get_by_role("button", name="Esto respondió mi pregunta").click()
    thanks = answers.get_by_role("status")
    thanks.wait_for()
    assert "Nos alegra que le haya servido" in thanks.inner_text()
    assert_accessible_in(page, "es")

    # Two mistakes: no description, and email chosen without an address.
    # The school is typed without accents.
    page.get_by_label("Su nombre").fill("María José Ramírez")
    page.get_by_label("Número de teléfono").fill("(720) 555-0142")
    page.get_by_role("radio", name="Correo electrónico").check()
    page.get_by_label("Escuela", exact=True).fill("cesar chavez elementary")
    page.get_by_label("Nombre del estudiante").fill("Íñigo")
    page.get_by_role("button", name="Enviar", exact=True).click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "Corrija lo siguiente:" in summary.inner_text()
    assert "Cuéntenos qué está pasando." in page.locator("#description-error").inner_text()
    assert page.get_attribute("#description", "aria-invalid") == "true"
    assert "elija otra forma de contacto" in summary.inner_text()
    # Every link in the summary leads to a control; one for a group of radios, to its first.
    links = summary.get_by_role("link").all()
    assert len(links) == 2
    for link in links:
        assert page.locator(link.get_attribute("href")).count() == 1
    summary.get_by_role("link", name="¿Cómo prefiere que nos comuniquemos con usted?").click()
    assert page.evaluate("document.activeElement.name") == "contact_method"
    # Everything typed is still there, and the accent-free school name was accepted.
    assert page.get_by_label("Su nombre").input_value() == "María José Ramírez"
    assert page.get_by_label("Número de teléfono").input_value() == "(720) 555-0142"
    assert page.get_by_label("Escuela", exact=True).input_value() == "cesar chavez elementary"
    assert page.locator("#school-error").count() == 0
    assert page.get_by_label("Nombre del estudiante").input_value() == "Íñigo"
    assert page.get_by_label("Una inquietud: algo no está bien y necesito ayuda").is_checked()
    assert page.locator("#category option:checked").inner_text() == "Autobús y transporte"
    assert page.get_by_label("Español", exact=True).is_checked()
    assert page.get_by_role("radio", name="Correo electrónico").is_checked()
    assert_accessible_in(page, "es")

    page.get_by_role("radio", name="Mensaje de texto").check()
    description = "El autobús de la ruta 12 no pasa desde el lunes y mi hija llega tarde."
    page.get_by_label("Cuéntenos qué está pasando").fill(description)
    page.get_by_role("button", name="Enviar", exact=True).click()
    page.wait_for_url(re.compile(r"/ask/received$"))
    assert "Gracias. Recibimos su inquietud." in page.inner_text("h1")
    reference = page.inner_text("#reference").strip()
    access_code = page.inner_text("#access-code").strip()
    assert re.fullmatch(r"FCS-\d{4}-\d{6}", reference), reference
    assert access_code
    assert_accessible_in(page, "es")
    assert saved_case(live_app, reference) == ("César Chávez Elementary", description)

    page.get_by_role("main").get_by_role("link", name="Siga su caso").click()
    page.wait_for_url(re.compile(r"/track$"))
    open_case(page, reference, access_code)
    status = page.locator(".status-panel").inner_text()
    assert "Estado: Recibido" in status
    assert "Recibimos su mensaje" in status
    timeline = page.locator("#timeline")
    assert "Lo que ha pasado" in timeline.inner_text()
    assert timeline.locator("li").count() == 1
    assert_accessible_in(page, "es")

    page.get_by_label("Agregar un mensaje").fill("También pasa por la tarde, a la salida.")
    page.get_by_role("button", name="Enviar mensaje").click()
    page.wait_for_url(re.compile(r"/track/case#timeline$"))
    entries = page.locator("#timeline li")
    assert entries.count() == 2
    assert "Mensaje de la familia" in entries.last.inner_text()
    assert "También pasa por la tarde, a la salida." in entries.last.inner_text()
    assert_accessible_in(page, "es")
    # The first, incomplete form came back with 422, which Chromium notes in the console.
    assert_clean(page, expected_statuses=(422,))


def sign_in_as_specialist(page) -> None:
    """Mateo signs in from a browser in English."""
    page.goto(page.base + "/sign-in")
    assert_accessible_in(page, "en")
    page.get_by_label("Email address").fill(demo_email(Role.SPECIALIST))
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()
    page.wait_for_url(re.compile(r"/account$"))
    # Mateo's account is in Spanish: from here on, the portal speaks Spanish to him.
    assert page.get_attribute("html", "lang") == "es"


def flash(page) -> str:
    return page.locator("#flash").inner_text()


def test_specialist_works_a_case_to_resolution_and_the_family_rates_it(
    page, phone_page, live_app, specialist_language
):
    family = phone_page
    reference, access_code = submit_concern(live_app)
    sign_in_as_specialist(page)

    page.get_by_role("link", name="Casos", exact=True).click()
    page.wait_for_url(re.compile(r"/cases/$"))
    assert_accessible_in(page, "es")
    # Filtering swaps the results in place (no page load) and the address keeps the filter.
    page.evaluate("window.stillTheSamePage = true")
    filters = page.get_by_role("search", name="Filtrar casos")
    filters.get_by_label("Categoría").select_option(label="Acoso escolar y seguridad en la escuela")
    page.wait_for_url(re.compile(r"category=\d+"))
    results = page.locator("#queue-results")
    results.get_by_role("link", name=reference).wait_for()
    filters.get_by_label("Nivel").select_option("2")
    page.wait_for_url(re.compile(r"category=\d+.*tier=2|tier=2.*category=\d+"))
    results.get_by_role("link", name=reference).wait_for()
    assert "Sin asignar" in results.inner_text()
    assert page.evaluate("window.stillTheSamePage") is True
    assert_accessible_in(page, "es")
    # The filtered address, opened afresh, is the same filtered queue.
    page.reload()
    assert page.evaluate("window.stillTheSamePage") is None
    assert filters.get_by_label("Nivel").input_value() == "2"
    assert "Acoso escolar" in filters.locator("#f-category option:checked").inner_text()
    assert results.get_by_role("link", name=reference).is_visible()

    results.get_by_role("link", name=reference).click()
    page.wait_for_url(re.compile(rf"/cases/{reference}$"))
    assert_accessible_in(page, "es")

    # The same pages in English: the header's switch changes Mateo's account.
    page.get_by_role("button", name="English").click()
    page.wait_for_url(re.compile(rf"/cases/{reference}$"))
    assert page.get_by_role("heading", name="What the family wrote").is_visible()
    assert_accessible_in(page, "en")
    page.get_by_role("link", name="All cases").click()
    page.wait_for_url(re.compile(r"/cases/$"))
    assert_accessible_in(page, "en")
    page.get_by_role("button", name="Español").click()
    page.wait_for_url(re.compile(r"/cases/$"))
    assert page.get_attribute("html", "lang") == "es"
    page.locator("#queue-results").get_by_role("link", name=reference).click()
    page.wait_for_url(re.compile(rf"/cases/{reference}$"))

    # Triage: Tier 2, assigned to himself.
    triage = page.locator("form", has=page.get_by_role("button", name="Guardar clasificación"))
    triage.get_by_label("Nivel").select_option(label="Nivel 2: inquietud")
    triage.get_by_label("Asignado a").select_option(label="Mateo Herrera")
    triage.get_by_role("button", name="Guardar clasificación").click()
    page.wait_for_url(re.compile(rf"/cases/{reference}$"))
    assert "Clasificación guardada." in flash(page)
    assert "Recepción confirmada" in page.locator("h1 + .badge").inner_text()
    assert_accessible_in(page, "es")

    # A phone call with the family: the first contact.
    entry = page.locator("form", has=page.get_by_role("button", name="Agregar al historial"))
    entry.get_by_label("Qué pasó").select_option(label="Llamada telefónica")
    entry.get_by_label("Detalles").fill("Hablé con la abuela; la escuela ya sabe del problema.")
    entry.get_by_role("button", name="Agregar al historial").click()
    page.wait_for_url(re.compile(rf"/cases/{reference}$"))
    assert "Se agregó al historial." in flash(page)
    assert "Hablé con la abuela" in page.locator("#timeline").inner_text()
    assert "En proceso" in page.locator("h1 + .badge").inner_text()
    assert_accessible_in(page, "es")

    # A mediation with the school.
    meeting = page.locator("form", has=page.get_by_role("button", name="Programar"))
    meeting.get_by_label("Mediación").check()
    meeting.get_by_label("Fecha y hora").fill("2026-12-02T16:30")
    meeting.get_by_label("Lugar o enlace de video").fill("Biblioteca de Sunnyside Elementary")
    meeting.get_by_label("Intérprete de (idioma)").fill("español")
    meeting.get_by_role("button", name="Programar").click()
    page.wait_for_url(re.compile(rf"/cases/{reference}$"))
    assert "Reunión programada. Se envió una invitación a la familia." in flash(page)
    assert "Reunión programada" in page.locator("h1 + .badge").inner_text()
    assert_accessible_in(page, "es")

    # The family sees the mediation on their phone.
    family.goto(family.base + "/track")
    open_case(family, reference, access_code)
    assert "Hay una reunión programada." in family.locator(".status-panel").inner_text()
    card = family.get_by_role("region", name="Mediación")
    assert "Biblioteca de Sunnyside Elementary" in card.inner_text()
    assert "Habrá un intérprete de español." in card.inner_text()
    assert_accessible_in(family, "es")

    outcome = page.locator("form", has=page.get_by_role("button", name="Registrar resultado"))
    outcome.get_by_label("Resultado").select_option(label="Acuerdo")
    outcome.get_by_label("Notas").fill("La escuela vigilará el recreo y llamará cada viernes.")
    outcome.get_by_role("button", name="Registrar resultado").click()
    page.wait_for_url(re.compile(rf"/cases/{reference}$"))
    assert "Resultado registrado." in flash(page)
    assert "Acuerdo" in page.locator("#timeline").inner_text()
    assert_accessible_in(page, "es")

    # Resolving needs a summary for the family: first without one, then with it.
    status = page.locator("form", has=page.get_by_role("button", name="Cambiar estado"))
    status.get_by_label("Nuevo estado").select_option(label="Resuelto")
    status.get_by_role("button", name="Cambiar estado").click()
    summary_field = status.get_by_label("Resumen de la resolución para la familia")
    error = status.get_by_text("Escriba un resumen de la resolución para la familia.")
    error.wait_for()
    assert summary_field.get_attribute("aria-invalid") == "true"
    assert "Resuelto" in status.locator("option:checked").inner_text()
    assert_accessible_in(page, "es")
    summary = "La escuela vigila el recreo y la maestra le llama cada viernes."
    summary_field.fill(summary)
    status.get_by_role("button", name="Cambiar estado").click()
    page.wait_for_url(re.compile(rf"/cases/{reference}$"))
    assert "Nuevo estado: Resuelto." in flash(page)
    assert "Resuelto" in page.locator("h1 + .badge").inner_text()
    assert_accessible_in(page, "es")
    assert_clean(page, expected_statuses=(422,))

    # Back on the family's page: the resolution, and the survey, answered once.
    family.goto(family.base + "/track/case")
    assert "Estado: Resuelto" in family.locator(".status-panel").inner_text()
    assert family.get_by_role("region", name="Mediación").count() == 0
    survey = family.get_by_role("region", name="¿Qué le pareció nuestra atención?")
    assert summary in survey.inner_text()
    assert_accessible_in(family, "es")
    survey.get_by_label("5 – Muy conforme").check()
    survey.get_by_label("¿Algo más que quiera agregar?").fill("Gracias por escucharnos.")
    survey.get_by_role("button", name="Enviar mi respuesta").click()
    family.wait_for_url(re.compile(r"/track/case#survey$"))
    thanks = survey.get_by_role("status")
    assert "Gracias por responder." in thanks.inner_text()
    assert survey.locator("form").count() == 0
    assert survey.get_by_role("radio").count() == 0
    assert_accessible_in(family, "es")
    assert_clean(family)


def test_the_spanish_form_answers_in_spanish_on_an_english_phone(browser, live_server):
    """/preguntar is Spanish whatever the phone's language, and so are the answers it fetches."""
    with watched_page(browser, live_server, locale="en-US", viewport=PHONE) as page:
        page.goto(page.base + "/preguntar")
        assert page.get_attribute("html", "lang") == "es"
        page.get_by_label("¿De qué se trata?").select_option(label="Autobús y transporte")
        answers = page.locator("#kb-answers")
        answers.get_by_text("¿Mi hijo o hija tiene derecho al autobús escolar?").wait_for()
        assert "Estas respuestas podrían ayudarle ahora mismo" in answers.inner_text()
        answers.get_by_text("¿Mi hijo o hija tiene derecho al autobús escolar?").click()
        answers.get_by_role("button", name="Esto respondió mi pregunta").click()
        assert "Nos alegra que le haya servido" in answers.get_by_role("status").inner_text()
        assert_accessible_in(page, "es")
        assert_clean(page)
