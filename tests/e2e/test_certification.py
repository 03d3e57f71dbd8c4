"""A newly employed undersköterska in home care earns *Trygghetslarm för hemtjänst* in the
browser: the five modules (every section read, every quiz passed by mouse) and the two exercises in
the alarm chain. She sees the certificate, downloads a PDF with her name and its code, and the public
verification page says it is valid. Every module page and section page on the way is audited."""

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from portal.assessment.core import load_quiz
from tests.e2e.quiz_steps import CONTENT, take_the_quiz_by_mouse
from tests.e2e.test_accounts import log_in
from tests.e2e.test_trygghetskedjan import act, finish, is_over, start_exercise, step

HOME_CARE = "Trygghetslarm för hemtjänst"
HOME_CARE_MODULES = (
    "trygghetslarm-grunder",
    "att-atgarda-ett-larm",
    "provlarm-och-tekniska-larm",
    "nyckelhantering-och-tilltrade",
    "sekretess-dokumentation-och-avvikelser",
)
OTHER_MODULES = ("installation-och-avslut", "bistandshandlaggarens-del", "ledning-och-uppfoljning")
# The home-care role's part of each exercise, in the order the chain allows it.
EXERCISES = {
    "01-natt-fall-med-talkontakt": ("acknowledge", "arrive", "call_112", "hand_over", "report_back",
                                    "file_deviation", "document"),
    "03-ingen-talkontakt": ("acknowledge", "arrive", "call_112", "hand_over", "report_back", "document"),
}  # fmt: skip
NEWCOMER = "nora.nyberg"


@pytest.fixture(scope="module")
def newcomer(live_server, live_database) -> str:
    """Someone who started today in a new home-care unit that no demo manager leads (so the managers'
    pages stay as the other tests know them): assigned the certification by its rule."""
    import sqlalchemy as sa

    from portal.app import create_app
    from portal.auth.passwords import hash_password
    from portal.certification.services import apply_rules, local_today
    from portal.demo.seed import DEMO_PASSWORD
    from portal.extensions import db
    from portal.models import Membership, Organisation, Position, Role, Unit, UnitKind, User
    from tests.conftest import base_config

    app = create_app(base_config(live_database))
    with app.app_context():
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.code == "exempelkommun"))
        unit = Unit(organisation=organisation, name="Hemtjänst Öster", kind=UnitKind.HOME_CARE)
        user = User(organisation_id=organisation.id, username=NEWCOMER, full_name="Nora Nyberg",
                    email="nora.nyberg@example.com", password_hash=hash_password(DEMO_PASSWORD), active=True)  # fmt: skip
        user.set_roles({Role.LEARNER})
        user.memberships.append(
            Membership(unit=unit, position=Position.ASSISTANT_NURSE, started_on=local_today())
        )
        db.session.add(user)
        db.session.flush()
        apply_rules(local_today(), organisation.id)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return NEWCOMER


def section_slugs(module: str) -> list[str]:
    names = sorted(
        p.name for p in (CONTENT / module).glob("[0-9][0-9]-*.md") if not p.name.endswith(".en.md")
    )
    return [name[3:-3] for name in names]


def complete_module(page, auditor, module: str) -> None:
    """Read every section (each page audited), pass the quiz by mouse, and read the sources."""
    auditor.visit(f"/learning/modules/{module}")
    auditor.visit(f"/learning/modules/{module}/{section_slugs(module)[0]}")
    while page.get_by_role("button", name="Markera som klar").count():
        if page.get_by_label("Jag har sett hela filmen").count():
            page.get_by_label("Jag har sett hela filmen").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Markera som klar").click()
        auditor.check()
    take_the_quiz_by_mouse(page, auditor, load_quiz(CONTENT / module / "quiz.yaml"))
    auditor.visit(f"/learning/modules/{module}/{section_slugs(module)[-1]}")
    assert page.get_by_role("heading", name="Källor", level=1).is_visible()
    auditor.visit(f"/learning/modules/{module}")
    assert page.locator("main .status-done").first.inner_text().endswith("Klar"), f"{module} shows as done"


def pass_exercise(page, auditor, scenario: str) -> None:
    auditor.visit("/trygghetskedjan/ovningar")
    start_exercise(page, scenario)
    auditor.check()
    for action in EXERCISES[scenario]:
        act(page, action)
    while not is_over(page):
        step(page)
    finish(page)
    auditor.check()
    assert page.locator(".result-score .status-done").is_visible(), f"{scenario} passed"


def certification_card(page):
    return page.locator("section", has=page.get_by_role("heading", name=HOME_CARE))


def test_a_newcomer_earns_trygghetslarm_for_hemtjanst_and_anyone_can_verify_it(page, auditor, newcomer):
    log_in(page, auditor, newcomer)
    page.wait_for_url("**/")
    auditor.visit("/learning/certifications")
    assert "Inte påbörjad" in certification_card(page).inner_text()

    for module in HOME_CARE_MODULES:
        complete_module(page, auditor, module)
    auditor.visit("/learning/certifications")
    assert "Certifierad" not in certification_card(page).inner_text(), "the exercises are still missing"
    for scenario in EXERCISES:
        pass_exercise(page, auditor, scenario)

    auditor.visit("/learning/certifications")
    card = certification_card(page)
    assert "Certifierad" in card.inner_text()
    with page.expect_download() as download_info:
        card.get_by_role("link", name=re.compile("Ladda ner intyget")).click()
    pdf = PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Nora Nyberg" in text
    assert HOME_CARE in text
    code = re.search(r"/verify/([A-Z0-9]+)", pdf_links(pdf) or "")
    assert code, "the QR code and the printed code lead to the verification page"
    assert code.group(1)[:4] in text.replace(" ", "").replace("-", "")

    auditor.visit(f"/verify/{code.group(1)}")
    main = page.inner_text("main")
    assert "Nora Nyberg" in main
    assert "Giltigt" in main


@pytest.mark.parametrize(
    ("username", "module"), list(zip(("larmteam", "sara", "karin"), OTHER_MODULES, strict=True))
)
def test_every_page_of_the_other_national_modules_passes_the_audit(page, auditor, username, module):
    log_in(page, auditor, username)
    page.wait_for_url("**/")
    auditor.visit(f"/learning/modules/{module}")
    for section in section_slugs(module):
        auditor.visit(f"/learning/modules/{module}/{section}")
        assert page.locator("h1").count() == 1


def test_the_glossary_and_a_link_to_it_from_a_module(page, auditor):
    log_in(page, auditor, "anna")
    page.wait_for_url("**/")
    auditor.visit(
        "/learning/modules/provlarm-och-tekniska-larm/" + section_slugs("provlarm-och-tekniska-larm")[0]
    )
    link = page.locator(".prose a[href^='/ordlista#']").first
    target = link.get_attribute("href").split("#", 1)[1]
    link.click()
    page.wait_for_url(f"**/ordlista#{target}")
    auditor.check()
    assert page.locator(f"dt[id='{target}']").is_visible()
    page.keyboard.press("Tab")  # the page is reachable and usable by keyboard from the top
    assert page.evaluate("document.activeElement.tagName") == "A"


def pdf_links(pdf: PdfReader) -> str:
    """Every link target in the PDF (the verification URL is a link on the QR code and the code)."""
    targets = []
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                targets.append(str(action["/URI"]))
    return " ".join(targets)
