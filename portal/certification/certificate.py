"""The certificate as a PDF (A4, in the holder's language) with its verification code and a QR code to
the public verification page. Issued once and stored with the cycle, so that every download is the same
document; issued again (with the same code) only in another language."""

import logging
from datetime import date
from pathlib import Path

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from segno import make_qr

from portal.certification.verification import group_code
from portal.extensions import db
from portal.links import portal_url
from portal.models import CertificationCycle, Organisation, utcnow

# Debian's fonts-dejavu-core (also what scripts/make_film.py draws with): Swedish letters, dashes, and
# the Latin, Greek and Cyrillic scripts of the staff's names.
FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = {
    ("DejaVu", ""): "DejaVuSans.ttf",
    ("DejaVu", "B"): "DejaVuSans-Bold.ttf",
    ("DejaVuMono", "B"): "DejaVuSansMono-Bold.ttf",
}
logging.getLogger("fontTools").setLevel(logging.WARNING)  # it logs every subset at INFO

INK = (28, 37, 54)
ACCENT = (0, 76, 122)
PAGE_W, PAGE_H = 297, 210  # A4 landscape, mm
MARGIN = 14
TEXT_W = PAGE_W - 2 * 30


def holder_language(cycle: CertificationCycle) -> str:
    """The holder's chosen language if the portal speaks it, else Swedish."""
    languages = current_app.config["LANGUAGES"]
    language = cycle.user.language
    return language if language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def verification_url(code: str) -> str:
    """The absolute address of the public page, on PORTAL_BASE_URL: a certificate outlives the request
    that printed it, and must not carry a Host header a client chose."""
    return portal_url("certification.verify", code=code)


def certificate_pdf(cycle: CertificationCycle, language: str | None = None) -> bytes:
    """The stored certificate, issued now if it has none yet (or none in `language`); caller commits."""
    if cycle.certificate_pdf is not None and language in (None, cycle.certificate_language):
        return cycle.certificate_pdf
    return issue_certificate(cycle, language or holder_language(cycle))


def issue_certificate(cycle: CertificationCycle, language: str) -> bytes:
    """Draw the certificate in `language` and store it with the cycle; the verification code stays the
    same. The caller commits."""
    issued_at = utcnow()
    with force_locale(language):
        document = _draw(cycle, language, issued_at)
    cycle.certificate_pdf = document
    cycle.certificate_language = language
    cycle.certificate_issued_at = issued_at
    return document


def _draw(cycle: CertificationCycle, language: str, issued_at) -> bytes:
    holder = cycle.user.full_name
    title = cycle.version.title.get(language) or cycle.version.title.get("sv", "")
    issuer = db.session.get(Organisation, cycle.organisation_id).name
    url = verification_url(cycle.verification_code)

    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    for (family, style), name in FONTS.items():
        path = Path(current_app.config.get("CERTIFICATE_FONT_DIR", FONT_DIR)) / name
        if not path.exists():
            raise RuntimeError(f"certificate font {path} is missing: apt-get install fonts-dejavu-core")
        pdf.add_font(family, style, str(path))
    pdf.set_lang(language)
    pdf.set_title(_("Certificate: %(title)s", title=title))
    pdf.set_subject(f"{holder} – {title}")
    pdf.set_author(issuer)
    pdf.set_creator("Trygghetsportalen")
    pdf.set_creation_date(issued_at)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _frame(pdf)

    pdf.set_text_color(*ACCENT)
    _line(pdf, 30, "Trygghetsportalen", 12, "B")
    pdf.set_text_color(*INK)
    _line(pdf, 44, _("Certificate"), 30, "B")
    _line(pdf, 64, _("This is to certify that"), 13)
    _line(pdf, 74, holder, 26, "B")
    _line(pdf, 92, _("has met the requirements for"), 13)
    _line(pdf, 102, title, 20, "B")

    _details(pdf, language, cycle.certified_on, cycle.valid_until, issuer)
    _verification(pdf, cycle.verification_code, url)
    return bytes(pdf.output())


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(MARGIN, MARGIN, PAGE_W - 2 * MARGIN, PAGE_H - 2 * MARGIN)
    pdf.set_line_width(0.3)
    pdf.rect(MARGIN + 2.5, MARGIN + 2.5, PAGE_W - 2 * MARGIN - 5, PAGE_H - 2 * MARGIN - 5)


def _line(pdf: FPDF, y: float, text: str, size: float, style: str = "") -> None:
    """One centred line, made smaller until it fits (a long name or title stays on one line)."""
    pdf.set_font("DejaVu", style, size)
    while pdf.get_string_width(text) > TEXT_W and size > 9:
        size -= 1
        pdf.set_font("DejaVu", style, size)
    pdf.set_xy(30, y)
    pdf.cell(TEXT_W, size * 0.5, text, align=Align.C)


def _details(pdf: FPDF, language: str, certified_on: date, valid_until: date, issuer: str) -> None:
    rows = (
        (_("Completed on"), format_date(certified_on, "long", locale=language)),
        (_("Valid until"), format_date(valid_until, "long", locale=language)),
        (_("Issued by"), issuer),
    )
    y = 126
    for label, value in rows:
        pdf.set_xy(30, y)
        pdf.set_font("DejaVu", "", 11)
        pdf.cell(45, 7, label)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(120, 7, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        y += 8


def _verification(pdf: FPDF, code: str, url: str) -> None:
    size = 38  # mm, the QR code with its quiet zone
    x, y = PAGE_W - 30 - size, PAGE_H - 24 - size
    _qr(pdf, url, x, y, size)
    pdf.link(x, y, size, size, url, alt_text=_("Verify the certificate"))

    pdf.set_xy(30, 160)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(150, 6, _("Verification code"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(30)
    pdf.set_font("DejaVuMono", "B", 14)
    pdf.cell(150, 8, group_code(code), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(30)
    pdf.set_font("DejaVu", "", 8.5)
    note = _("Scan the QR code or open the address to check that the certificate is genuine and valid:")
    pdf.multi_cell(150, 4.2, note, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(30)
    pdf.cell(150, 4.2, url, link=url)


def _qr(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    """The QR code as filled squares (vector, no image): one rectangle per run of dark modules."""
    qr = make_qr(data, error="m")
    rows = list(qr.matrix_iter(border=4))
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(rows):
        start = None
        for column, dark in enumerate((*row, 0)):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                pdf.rect(
                    x + start * module, y + row_index * module, (column - start) * module, module, style="F"
                )
                start = None
