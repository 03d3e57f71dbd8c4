"""Passing the last requirement in the browser issues a certificate: the learner sees it, downloads a
PDF that holds their name and its code, and the public verification page says it is valid."""

import io
import re
from pathlib import Path

from pypdf import PdfReader

from portal.assessment.core import load_quiz
from tests.e2e.quiz_steps import CONTENT, take_the_quiz_by_mouse
from tests.e2e.test_accounts import log_in

BASICS = "/learning/modules/trygghetslarm-grunder"
QUIZ = load_quiz(CONTENT / "trygghetslarm-grunder" / "quiz.yaml")


def test_passing_the_last_requirement_issues_a_verifiable_certificate(page, auditor):
    log_in(page, auditor, "sara")
    auditor.visit("/learning/certifications")
    assert "Grundkunskap om trygghetslarm" in page.inner_text("main")
    page.goto(f"{BASICS}/vad-ar-ett-trygghetslarm")
    while page.get_by_role("button", name="Markera som klar").count():
        if page.get_by_label("Jag har sett hela filmen").count():
            page.get_by_label("Jag har sett hela filmen").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Markera som klar").click()
    take_the_quiz_by_mouse(page, auditor, QUIZ)

    auditor.visit("/learning/certifications")
    card = page.locator("section", has=page.get_by_role("heading", name="Grundkunskap om trygghetslarm"))
    assert "Certifierad" in card.inner_text()
    with page.expect_download() as download_info:
        card.get_by_role("link", name=re.compile("Ladda ner intyget")).click()
    pdf = PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Sara Nilsson" in text
    code = re.search(r"/verify/([A-Z0-9]+)", pdf_links(pdf) or "")
    assert code, "the QR code and the printed code lead to the verification page"
    assert code.group(1)[:4] in text.replace(" ", "").replace("-", "")

    auditor.visit(f"/verify/{code.group(1)}")
    main = page.inner_text("main")
    assert "Sara Nilsson" in main
    assert "Giltigt" in main


def pdf_links(pdf: PdfReader) -> str:
    """Every link target in the PDF (the verification URL is a link on the QR code and the code)."""
    targets = []
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                targets.append(str(action["/URI"]))
    return " ".join(targets)
