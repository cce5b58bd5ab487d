"""Completion certificates: the PDF in each family's language, and who may download it."""

from __future__ import annotations

import io
import unicodedata

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.roles import Role
from portal.extensions import db
from portal.programmes import certificate
from portal.programmes.models import Offering, Registration
from portal.schools.models import School
from tests.conftest import sign_in
from tests.test_i18n import spanish

NGUYEN, MARIA, LUIS = "Nguyễn Thị Ōta", "María José Zoë Núñez", "Luis Pérez"


def pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [unicodedata.normalize("NFC", page.extract_text()) for page in reader.pages]


def registrations(series, *names: str) -> list[Registration]:
    return [db.session.get(Registration, series["ids"][name]) for name in names]


def test_one_page_per_completer_each_in_their_language(app, series):
    with app.test_request_context():
        pdf = certificate.certificate_pdf(registrations(series, NGUYEN, MARIA, LUIS))
        goldrick = db.session.scalar(select(School.name).where(School.code == "506"))
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.author == "Puente"
    assert "Healthy Meals Challenge" in reader.metadata.title
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    assert round(float(reader.pages[0].mediabox.width)) == 792  # US Letter, 11 in
    maria, nguyen = pages(pdf)  # Luis came to 2 of 3: no page; the others by name
    assert NGUYEN in nguyen and MARIA in maria
    # Nguyễn registered in English: English in full, Spanish in small type.
    for text in (
        "Certificate of completion",
        "Healthy Meals Challenge",
        f"at {goldrick}",
        "Jan 11",  # the first session, a Monday evening in Denver
        "attending 3 of 3 sessions",
        "Family and Community Engagement Office",
    ):
        assert text in nguyen, text
    assert "Reto de Comidas Saludables" in nguyen
    assert spanish(app, "Certificate of completion") in nguyen
    # María José registered in Spanish.
    for text in (
        spanish(app, "Certificate of completion"),
        "Reto de Comidas Saludables",
        goldrick,
        "de enero de 2027",
        spanish(app, "Family and Community Engagement Office"),
    ):
        assert text in maria, text
    assert "Jan 11" not in maria


def test_the_same_certificates_are_the_same_bytes(app, series):
    with app.test_request_context():
        people = registrations(series, NGUYEN, MARIA)
        assert certificate.certificate_pdf(people) == certificate.certificate_pdf(people)


def test_no_completer_no_certificate(app, series):
    with app.test_request_context(), pytest.raises(certificate.NoCertificates):
        certificate.certificate_pdf(registrations(series, LUIS))


@pytest.mark.parametrize(
    "name,kept",
    [
        ("Zoë Ōta-Ødegård", "Zoë Ōta-Ødegård"),
        ("Ana\u200b María\u202e\x00", "Ana María"),  # invisible marks and controls dropped
        ("王芳 Wang", "Wang"),  # letters no font here has: still a certificate
        ("Ngô 😀", "Ngô"),
    ],
)
def test_any_name_makes_a_certificate(app, series, name, kept):
    with app.test_request_context():
        person = registrations(series, NGUYEN)[0]
        # In memory only: PostgreSQL refuses to store a NUL, and the forms strip it anyway.
        with db.session.no_autoflush:
            person.contact.name = name
            text = pages(certificate.certificate_pdf([person]))[0]
    assert kept in text


# --- routes ---


def url(series, name: str | None = None) -> str:
    base = f"/programmes/offerings/{series['offering']}"
    if name is None:
        return base + "/certificates.pdf"
    return base + f"/certificates/{series['ids'][name]}.pdf"


@pytest.mark.parametrize(
    "role,status",
    [
        (Role.PROGRAMME_STAFF, 200),
        (Role.LIAISON, 200),  # the demo liaison works at Goldrick, the host school
        (Role.SPECIALIST, 403),
        (Role.SOCIAL_WORKER, 403),
        (Role.ADMIN, 403),
        (Role.FAMILY, 403),
        (Role.ANALYST, 403),
    ],
)
def test_who_downloads_certificates(as_role, series, role, status):
    client = as_role(role)
    progress = f"/programmes/offerings/{series['offering']}/progress"
    for path in (url(series), url(series, NGUYEN), progress):
        assert client.get(path).status_code == status, path


def test_anonymous_visitors_are_sent_to_sign_in(client, series):
    for path in (url(series), url(series, NGUYEN)):
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_liaison_at_another_school_gets_404(app, make_user, series):
    with app.app_context():
        other = db.session.scalar(select(School.id).where(School.code == "101"))
    user = make_user(Role.LIAISON, schools=(other,))
    client = app.test_client()
    sign_in(client, user.email)
    progress = f"/programmes/offerings/{series['offering']}/progress"
    for path in (url(series), url(series, NGUYEN), progress):
        assert client.get(path).status_code == 404, path


def test_all_certificates_download(app, as_role, series):
    response = as_role(Role.PROGRAMME_STAFF).get(url(series))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="certificates-{series["offering"]}.pdf"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert len(pages(response.data)) == 2
    with app.app_context():
        audit = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "programme.certificates_downloaded")
        ).one()
        assert audit.target_id == str(series["offering"])
        assert audit.detail["registrations"] == sorted(
            [series["ids"][NGUYEN], series["ids"][MARIA]]
        )


def test_one_certificate_has_an_ascii_file_name(as_role, series):
    response = as_role(Role.LIAISON).get(url(series, NGUYEN))
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="certificate-{series["offering"]}-nguyen-thi-ota.pdf"'
    )
    (text,) = pages(response.data)
    assert NGUYEN in text and MARIA not in text


def test_non_completers_and_other_offerings_get_404(app, as_role, offering, series):
    client = as_role(Role.PROGRAMME_STAFF)
    assert client.get(url(series, LUIS)).status_code == 404
    assert client.get(url(series, "Gone Away")).status_code == 404  # cancelled
    other = offering()
    path = f"/programmes/offerings/{other}/certificates/{series['ids'][NGUYEN]}.pdf"
    assert client.get(path).status_code == 404
    assert client.get(f"/programmes/offerings/{other}/certificates.pdf").status_code == 404
    assert client.get("/programmes/offerings/999999/certificates.pdf").status_code == 404
    assert (
        client.get(f"/programmes/offerings/{series['offering']}/certificates/0.pdf").status_code
        == 404
    )


def test_progress_page(app, as_role, series):
    with app.app_context():
        db.session.get(Offering, series["offering"]).programme.assigns_homework = True
        db.session.commit()
    body = (
        as_role(Role.PROGRAMME_STAFF)
        .get(f"/programmes/offerings/{series['offering']}/progress")
        .get_data(as_text=True)
    )
    assert "<caption>" in body and '<th scope="row">Luis Pérez</th>' in body
    assert "Completing the series takes 3 of its 3 sessions." in body
    assert "2 of 3 required" in body and "3 of 3 required" in body
    assert "Homework done" in body and "Gone Away" not in body
    assert body.count(f"/programmes/offerings/{series['offering']}/certificates/") == 2
    assert f"/programmes/offerings/{series['offering']}/certificates.pdf" in body


def test_progress_page_in_spanish(app, make_user, series):
    with app.app_context():
        goldrick = db.session.scalar(select(School.id).where(School.code == "506"))
    user = make_user(Role.LIAISON, schools=(goldrick,), language="es")
    client = app.test_client()
    sign_in(client, user.email)
    body = client.get(f"/programmes/offerings/{series['offering']}/progress").get_data(as_text=True)
    assert '<html lang="es"' in body and "Reto de Comidas Saludables" in body
