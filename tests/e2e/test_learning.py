"""A learner takes a module in the browser, by mouse and by keyboard, and watches the film."""

import re

from playwright.sync_api import expect

from portal.assessment.core import load_quiz
from tests.e2e.quiz_steps import CONTENT, take_the_quiz_by_mouse
from tests.e2e.test_accounts import log_in

QUIZ = load_quiz(CONTENT / "att-atgarda-ett-larm" / "quiz.yaml")

MODULE = "/learning/modules/att-atgarda-ett-larm"


def test_learner_moves_through_a_module_and_the_dashboard_shows_it(page, auditor):
    log_in(page, auditor, "omar")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Min utbildning").click()
    auditor.check()
    page.get_by_role("link", name="Att åtgärda ett larm").first.click()
    auditor.check()
    page.get_by_role("link", name="Börja").click()
    auditor.check()
    while page.get_by_role("button", name="Markera som klar").count():
        with page.expect_navigation():
            page.get_by_role("button", name="Markera som klar").click()
        auditor.check()
    assert "Avsnittet blir klart när du klarar provet eller övningen." in page.inner_text("main")
    take_the_quiz_by_mouse(page, auditor, QUIZ)
    page.get_by_role("link", name="Tillbaka till modulen").click()
    page.wait_for_url(re.compile("att-atgarda-ett-larm$"))
    expect(page.locator("main")).to_contain_text("Klar")
    auditor.check()
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Min utbildning").click()
    done = page.locator("section", has=page.get_by_role("heading", name="Klar", exact=True))
    expect(done).to_contain_text("Att åtgärda ett larm")


def test_resume_where_the_learner_left_off(page, auditor):
    log_in(page, auditor, "sara")
    page.goto(MODULE)
    page.get_by_role("link", name=re.compile("Nycklar")).first.click()
    page.goto(MODULE)
    resume = page.get_by_role("link", name="Fortsätt")
    assert "nycklar" in resume.get_attribute("href")


def test_keyboard_only_learner(page, auditor):
    log_in(page, auditor, "anna")
    page.goto("/learning/")

    def tab_to(predicate_js: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(predicate_js):
                return
        raise AssertionError(f"keyboard focus never reached {predicate_js}")

    tab_to("document.activeElement.textContent.includes('Att åtgärda ett larm')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("att-atgarda-ett-larm$"))
    tab_to(
        "document.activeElement.textContent.trim() === 'Börja' || document.activeElement.textContent.trim() === 'Fortsätt'"
    )
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("att-atgarda-ett-larm/"))
    tab_to("document.activeElement.textContent.trim() === 'Markera som klar'")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Avsnittet är klart.")
    auditor.check()


def test_film_plays_muted_and_the_server_records_watched_time(page, auditor):
    log_in(page, auditor, "larmteam")
    auditor.visit("/learning/modules/trygghetslarm-grunder/film-trygghetskedjan")
    video = page.locator("video")
    assert video.get_attribute("data-duration")
    tracks = page.evaluate("[...document.querySelectorAll('track')].map(t => [t.srclang, t.default])")
    assert ["sv", True] in tracks
    with page.expect_response(
        lambda r: r.url.endswith("/watched") and r.request.method == "POST"
    ) as reported:
        page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }")
        page.wait_for_timeout(4000)
        page.evaluate("document.querySelector('video').pause()")
    state = reported.value.json()
    watched = sum(end - start for start, end in state["watched"])
    assert watched >= 2, state
    assert state["completed"] is False
    page.reload()
    auditor.check()
    assert page.evaluate("document.querySelector('video').dataset.position") != "0"
    captions = page.evaluate(
        "() => new Promise(r => { const t = document.querySelector('track[srclang=sv]');"
        " if (t.readyState === 2) r(t.track.cues.length); t.addEventListener('load', () => r(t.track.cues.length));"
        " t.track.mode = 'showing'; })"
    )
    assert captions > 10, "the Swedish captions load in the browser"
