"""The bilingual completion certificate: one Letter page per completer, as a PDF."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask_babel import force_locale, gettext, ngettext, to_user_timezone
from fpdf import FPDF

from portal.audit.services import record
from portal.extensions import db
from portal.i18n import current_language
from portal.programmes.completion import ParticipantProgress, progress_of
from portal.programmes.models import Offering, Registration
from portal.templating import date_range

# DejaVu Sans from the npm package dejavu-fonts-ttf, copied here by `make assets`: it covers
# Latin with every diacritic (Nguyễn, Ōta, Zoë), Greek and Cyrillic.
FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "fonts"
FONT = "DejaVu"
INK = (33, 37, 41)
ACCENT = (0, 84, 110)
MUTED = (100, 108, 116)
# Fixed when an offering has no sessions, so the same certificate is always the same bytes.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class NoCertificates(ValueError):
    """None of the registrations given has completed its series."""


@dataclass(frozen=True)
class Wording:
    """Everything a page says in one language."""

    title: str
    certifies: str
    completed: str
    programme: str
    where: str
    dates: str
    attendance: str
    office: str


def _language(registration: Registration) -> str:
    return "es" if registration.language == "es" else "en"


def _wording(row: ParticipantProgress, language: str) -> Wording:
    """The page's text in `language`, through the catalog, dates formatted in that locale."""
    offering = row.registration.offering
    with force_locale(language):
        days = [to_user_timezone(s.starts_at).date() for s in offering.sessions]
        return Wording(
            title=gettext("Certificate of completion"),
            certifies=gettext("This certifies that"),
            completed=gettext("has completed the programme"),
            programme=offering.programme.name(language),
            where=(
                gettext("at %(school)s", school=offering.school.name)
                if offering.school
                else gettext("a district-wide programme")
            ),
            dates=date_range(min(days), max(days)) if days else "",
            attendance=ngettext(
                "attending %(attended)d of %(num)d session",
                "attending %(attended)d of %(num)d sessions",
                row.sessions,
                attended=row.attended,
            ),
            office=gettext("Family and Community Engagement Office"),
        )


class CertificatePDF(FPDF):
    """Letter landscape pages with a double border, in DejaVu Sans."""

    def __init__(self) -> None:
        super().__init__(orientation="L", unit="mm", format="Letter")
        self.set_auto_page_break(False)
        self.set_margins(24, 20, 24)
        if not (FONT_DIR / "DejaVuSans.ttf").exists():
            raise RuntimeError(f"No certificate fonts in {FONT_DIR}: run `make assets`")
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_font(FONT, "")
        regular = set(self.current_font.cmap)
        self.set_font(FONT, "B")
        self._glyphs = regular & set(self.current_font.cmap)

    def printable(self, text: str) -> str:
        """The text with what the font cannot draw replaced, rather than failing.

        Controls and invisible marks (zero-width spaces, direction overrides) are dropped; a
        letter the font lacks is written without its accent when the base letter exists;
        anything else stays and shows as the font's empty box, so a name is never silently
        shortened.
        """
        out = []
        for char in text:
            category = unicodedata.category(char)
            if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
                continue
            if category in ("Zl", "Zp"):
                out.append(" ")
            elif ord(char) in self._glyphs:
                out.append(char)
            else:
                base = [c for c in unicodedata.normalize("NFKD", char) if ord(c) in self._glyphs]
                out.append("".join(base) or char)
        return "".join(out)

    def centred(
        self, text: str, y: float, size: float, *, bold: bool = False, color: tuple = INK
    ) -> None:
        """One centred line at `y`, shrunk to fit the width down to 40% of `size`, then wrapped."""
        text = self.printable(text)
        style = "B" if bold else ""
        width = self.w - self.l_margin - self.r_margin
        fitted = size
        self.set_font(FONT, style, fitted)
        while self.get_string_width(text) > width and fitted > size * 0.4:
            fitted -= 1
            self.set_font(FONT, style, fitted)
        self.set_text_color(*color)
        self.set_xy(self.l_margin, y)
        self.multi_cell(width, fitted * 0.45, text, align="C")

    def border(self) -> None:
        self.set_draw_color(*ACCENT)
        self.set_line_width(1.4)
        self.rect(10, 10, self.w - 20, self.h - 20)
        self.set_line_width(0.35)
        self.rect(14, 14, self.w - 28, self.h - 28)

    def rule(self, y: float, width: float) -> None:
        self.set_draw_color(*MUTED)
        self.set_line_width(0.3)
        self.line((self.w - width) / 2, y, (self.w + width) / 2, y)

    def page_for(self, row: ParticipantProgress) -> None:
        """One certificate: the participant's language in full, the other one in small type."""
        language = _language(row.registration)
        own = _wording(row, language)
        other = _wording(row, "en" if language == "es" else "es")
        self.add_page()
        self.border()
        self.centred(own.title, 30, 30, bold=True, color=ACCENT)
        self.centred(other.title, 45, 13, color=MUTED)
        self.centred(own.certifies, 62, 13)
        self.centred(row.registration.contact.name, 72, 32, bold=True)
        self.rule(92, 170)
        self.centred(own.completed, 98, 13)
        self.centred(own.programme, 108, 20, bold=True, color=ACCENT)
        if other.programme != own.programme:
            self.centred(other.programme, 119, 11, color=MUTED)
        self.centred(own.where, 131, 13)
        self.centred(own.dates, 139, 13)
        self.centred(own.attendance, 147, 13)
        self.rule(174, 90)
        self.centred(own.office, 178, 12, bold=True)
        self.centred(other.office, 185, 9, color=MUTED)


def certificate_pdf(registrations: Sequence[Registration]) -> bytes:
    """A PDF with one page per registration given that has completed its series, by name.

    Raises NoCertificates when none has.
    """
    rows = [row for row in progress_of(registrations) if row.completed]
    if not rows:
        raise NoCertificates
    pdf = CertificatePDF()
    offerings = list(
        {row.registration.offering_id: row.registration.offering for row in rows}.values()
    )
    languages = {_language(row.registration) for row in rows}
    titles = ", ".join(o.title(current_language()) for o in offerings)
    pdf.set_title(
        ngettext(
            "Certificate of completion: %(programme)s",
            "Certificates of completion: %(programme)s",
            len(rows),
            programme=titles,
        )
    )
    pdf.set_author("Puente")
    pdf.set_creator("Puente")
    if len(languages) == 1:
        pdf.set_lang(languages.pop())
    # The date the series ended, not the time of the download: the same data gives the same file.
    ends = [s.ends_at for o in offerings for s in o.sessions]
    pdf.set_creation_date(max(ends) if ends else EPOCH)
    for row in rows:
        pdf.page_for(row)
    return bytes(pdf.output())


def download(
    offering: Offering, registrations: Sequence[Registration], *, actor_id: int, ip: str | None
) -> bytes:
    """Certificates for staff to hand out; each download is recorded, as every export is."""
    body = certificate_pdf(registrations)
    record(
        "programme.certificates_downloaded",
        actor_id=actor_id,
        target=offering,
        ip=ip,
        detail={"registrations": sorted(r.id for r in registrations)},
    )
    db.session.commit()
    return body
