"""The alarm team publishes local material in the browser: larmteam writes a module with a section,
an image and a quiz and submits it; maja, the second author, approves it; anna, an undersköterska
(a position the module is mandatory for), finds it and completes it. A stale save from a second tab
gets the conflict page. Every editor page on the way is audited with axe-core and vnu.jar, and the
section editor is used by keyboard only.

Controls are found by their ids and names, so that the checks hold whatever the words say."""

import io
import re

import sqlalchemy as sa
from PIL import Image

from portal.assessment.core import parse_quiz
from tests.e2e.quiz_steps import take_the_quiz_by_mouse
from tests.e2e.test_accounts import log_in

SLUG = "nyckelrutin-centrum"
TITLE = "Nyckelrutin i Hemtjänst Centrum"
ALT = "Nyckelskåpet på enheten, med kvittenslistan bredvid"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def submit_in(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.click(f"{form_selector} button[type=submit]")


def sign_in_as(page, auditor, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, auditor, username)


def write_the_module(page, auditor) -> str:
    auditor.visit("/authoring/")
    page.click("main a[href='/authoring/new/module']")
    auditor.check()
    page.fill("#title", TITLE)
    page.fill("#slug", SLUG)
    submit_in(page, "main form")
    assert page.url.endswith("/module")
    auditor.check()
    item = page.url.removesuffix("/module")
    page.check("input[name=audience][value=assistant_nurse]")
    page.fill("#summary_sv", "Så hämtar, kvitterar och lämnar du tillbaka brukarnas nycklar.")
    submit_in(page, "form:has(#title_sv)")
    return item


def write_the_section_by_keyboard(page, auditor) -> None:
    page.click("a[href$='/module/sections/inledning']")
    auditor.check()
    page.focus("#body_sv")
    page.keyboard.type("## Nyckeln\n\nHämta nyckeln i nyckelskåpet och skriv på kvittenslistan.")
    page.focus("button[name=preview]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Hämta nyckeln i nyckelskåpet" in page.inner_text(".preview")
    auditor.check()
    page.focus("button[name=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def add_the_image(page, auditor) -> None:
    page.set_input_files(
        "#image", files=[{"name": "nyckelskap.png", "mimeType": "image/png", "buffer": png()}]
    )
    page.fill("#alt", ALT)
    submit_in(page, "form[action$='/image']")
    assert f"![{ALT}](media/nyckelskap.png)" in page.input_value("#body_sv")
    auditor.check()


def add_the_quiz(page, auditor, item: str) -> None:
    auditor.visit(f"{item}/quiz")
    submit_in(page, "main form")  # create the knowledge test
    auditor.check()
    page.select_option("#type", "single")
    submit_in(page, "form:has(#type)")
    auditor.check()
    page.fill("#text_sv", "Var skriver du när du har hämtat en nyckel?")
    page.fill("#options-0-text_sv", "På kvittenslistan vid nyckelskåpet")
    page.fill("#options-1-text_sv", "Ingenstans, det räcker att säga till")
    page.fill("#options-1-feedback_sv", "Kvittensen visar vem som har nyckeln just nu.")
    page.check("#options-0-right")
    submit_in(page, "#question-form")
    auditor.check()


def submit_for_review(page, auditor, item: str) -> None:
    auditor.visit(f"{item}/submit")
    page.fill("#change_note", "Första versionen av vår lokala nyckelrutin.")
    submit_in(page, "main form")
    auditor.check()


def approve(page, auditor, item: str) -> None:
    auditor.visit(f"{item}/review")
    page.check("input[name=verdict][value=approved]")
    submit_in(page, "form:has(input[name=verdict])")
    auditor.check()


def published_quiz(live_database: str):
    engine = sa.create_engine(live_database)
    with engine.connect() as connection:
        source = connection.execute(
            sa.text(
                "SELECT q.source FROM quiz_version q JOIN module m ON m.id = q.module_id WHERE m.slug = :slug"
            ),
            {"slug": SLUG},
        ).scalar_one()
    engine.dispose()
    return parse_quiz(source, "quiz.yaml", SLUG)


def test_larmteam_writes_a_module_maja_approves_it_and_anna_completes_it(page, auditor, live_database):
    log_in(page, auditor, "larmteam")
    item = write_the_module(page, auditor)
    write_the_section_by_keyboard(page, auditor)
    add_the_image(page, auditor)
    add_the_quiz(page, auditor, item)
    submit_for_review(page, auditor, item)

    sign_in_as(page, auditor, "maja")
    approve(page, auditor, item)

    sign_in_as(page, auditor, "anna")
    auditor.visit("/learning/")
    assert TITLE in page.inner_text("main")
    auditor.visit(f"/learning/modules/{SLUG}/inledning")
    image = page.locator(f"main img[alt='{ALT}']")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 40
    with page.expect_navigation():
        page.click(".section-done button[type=submit]")
    take_the_quiz_by_mouse(page, auditor, published_quiz(live_database))
    auditor.visit(f"/learning/modules/{SLUG}")
    assert re.search(r"Klar|Slutförd|Genomförd", page.inner_text("main"))


def test_a_stale_save_from_a_second_tab_shows_both_versions(page, auditor):
    log_in(page, auditor, "larmteam")
    auditor.visit("/authoring/new/module")
    page.fill("#title", "Reservrutin vid strömavbrott")
    page.fill("#slug", "reservrutin-strom")
    submit_in(page, "main form")
    section = page.url + "/sections/inledning"
    other_tab = page.context.new_page()
    other_tab.goto(section)
    auditor.visit(section)
    page.fill("#body_sv", "Ring larmcentralen först.")
    submit_in(page, "form:has(#body_sv)")

    other_tab.fill("#body_sv", "Kontrollera batteriet först.")
    with other_tab.expect_navigation():
        other_tab.click("form:has(#body_sv) button[name=submit]")

    text = other_tab.inner_text("main")
    assert "Ring larmcentralen först." in text
    assert other_tab.input_value("textarea[name=text]").find("Kontrollera batteriet först.") >= 0
    other_tab.close()


ROUTINE = "reservrutin-nattpatrull"


def test_a_routine_is_published_confirmed_by_staff_and_followed_up_by_their_manager(page, auditor):
    log_in(page, auditor, "larmteam")
    auditor.visit("/authoring/new/routine")
    page.fill("#title", "Reservrutin när larmmottagningen inte nås")
    page.fill("#slug", ROUTINE)
    submit_in(page, "main form")
    auditor.check()
    item = page.url.removesuffix("/routine")
    page.check("input[name=kind][value=checklist]")
    page.fill(
        "#body_sv",
        "- [ ] Ring larmmottagningens reservnummer\n- [ ] Meddela nattpatrullen <script>alert(1)</script>",
    )
    with page.expect_navigation():
        page.click("button[name=preview]")
    auditor.check()
    assert page.locator("main script").count() == 0
    with page.expect_navigation():
        page.click("button[name=submit]")
    submit_for_review(page, auditor, item)

    sign_in_as(page, auditor, "maja")
    approve(page, auditor, item)

    sign_in_as(page, auditor, "anna")
    auditor.visit("/learning/")
    page.click(f"main a[href$='/routines/{item.rsplit('/', 1)[1]}']")
    auditor.check()
    with page.expect_navigation():
        page.click(".section-done button[type=submit]")
    auditor.check()

    sign_in_as(page, auditor, "karin")
    auditor.visit("/routines/confirmations")
    rows = page.locator(f"section:has(h2 a[href$='/routines/{item.rsplit('/', 1)[1]}']) tbody tr")
    texts = rows.all_inner_texts()
    assert any("Anna Lindqvist" in text for text in texts)
    assert len(texts) > 1  # the others in karin's units have not confirmed yet
    assert not any("Sofia Lund" in text for text in texts)  # lars's unit, not karin's


def test_every_other_authoring_page_passes_the_audits(page, auditor):
    log_in(page, auditor, "larmteam")
    auditor.visit("/authoring/new/certification")
    page.fill("#title", "Lokal nyckelbehörighet")
    page.fill("#slug", "lokal-nyckelbehorighet")
    submit_in(page, "main form")
    auditor.check()
    item = page.url.removesuffix("/certification")
    for path in (
        item,
        f"{item}/versions",
        f"{item}/versions/1",
        f"{item}/review",
        "/authoring/national/modules/trygghetslarm-grunder",
        "/authoring/import",
        "/authoring/statistics",
        "/authoring/statistics/modules/trygghetslarm-grunder",
        "/authoring/statistics/exercises/03-ingen-talkontakt",
    ):
        auditor.visit(path)
    sign_in_as(page, auditor, "admin")
    auditor.visit("/admin/settings")
