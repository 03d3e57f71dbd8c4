"""The alarm team reads question statistics in the browser, by mouse and by keyboard, every page audited."""

import hashlib
import re
import urllib.request

import pytest
import sqlalchemy as sa

from tests.assessment.builders import STATISTICS_QUIZ, add_attempt
from tests.e2e.test_accounts import log_in

MODULE = "trygghetslarm-grunder"
QUESTIONS = ["q1", "q2", "q3"]
RIGHT = {"q1": ("a", 1.0), "q2": (["x", "y"], 1.0), "q3": ({"p1": "c1", "p2": "c2"}, 1.0)}
WRONG = {"q1": ("b", 0.0), "q2": (["z"], 0.0), "q3": ({"p1": "c2", "p2": "c1"}, 0.0)}


def answers(right: set[str]) -> dict[str, tuple[object, float]]:
    return {q: RIGHT[q] if q in right else WRONG[q] for q in QUESTIONS}


FIRST_ATTEMPTS = [{"q1", "q2", "q3"}, {"q1", "q2"}, {"q1"}, {"q1", "q3"}, set(), {"q1", "q2", "q3"}]


@pytest.fixture(scope="module")
def analysed_quiz(live_server, live_database) -> str:
    """A quiz version of a national module with submitted attempts by demo people, analysed by
    `flask quiz analyse` against the live server's database; returns its page's address."""
    from portal.app import create_app
    from portal.extensions import db
    from portal.models import Module, QuizVersion, SectionKind, SectionVersion, User
    from tests.conftest import base_config

    app = create_app(base_config(live_database))
    with app.app_context():
        module = db.session.scalar(sa.select(Module).where(Module.slug == MODULE))
        quiz = QuizVersion(
            module_id=module.id,
            checksum=hashlib.sha256(STATISTICS_QUIZ.encode()).hexdigest(),
            source=STATISTICS_QUIZ,
            title={"sv": "Statistikprov", "en": "Statistics test"},
        )
        db.session.add(quiz)
        db.session.flush()
        # a quiz section that no module version shows: the learners' pages stay as they are
        section = SectionVersion(
            module_id=module.id,
            slug="statistikprov",
            kind=SectionKind.QUIZ,
            checksum=quiz.checksum,
            title={"sv": "Statistikprov"},
            body_html={"sv": ""},
            toc={"sv": []},
            quiz_version_id=quiz.id,
        )
        db.session.add(section)
        db.session.commit()
        people = db.session.scalars(sa.select(User).order_by(User.id).limit(len(FIRST_ATTEMPTS))).all()
        for person, right in zip(people, FIRST_ATTEMPTS, strict=True):
            add_attempt(quiz.id, section.id, person.id, 1, answers(right), QUESTIONS)
        add_attempt(quiz.id, section.id, people[4].id, 2, answers({"q1", "q2"}), QUESTIONS)
        result = app.test_cli_runner().invoke(args=["quiz", "analyse", "--module", MODULE])
        assert result.exit_code == 0, result.output
        assert "6 first attempts (7 in all)" in result.output
        url = f"/authoring/statistics/quizzes/{quiz.id}"
        db.session.remove()
        db.engine.dispose()
    return url


def test_author_reads_question_statistics_by_mouse(page, auditor, analysed_quiz):
    log_in(page, auditor, "larmteam")
    page.get_by_role("button", name="In English").click()
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Statistics").click()
    page.wait_for_url("**/authoring/statistics")
    page.get_by_role("link", name="Question statistics: how each quiz question works").click()
    page.wait_for_url("**/authoring/statistics/quizzes")
    auditor.check()
    table = page.get_by_role("table", name="Quiz versions and their statistics (first attempts)")
    row = table.get_by_role("row").filter(has_text="Statistics test")
    assert "6" in row.inner_text()
    row.locator(f'a[href="{analysed_quiz}"]').click()
    page.wait_for_url("**/authoring/statistics/quizzes/*")
    auditor.check()
    assert "Statistics per question" in page.inner_text("main")
    assert page.get_by_role("table", name="How often each answer was chosen for question q1").is_visible()

    page.get_by_role("link", name="All attempts").click()
    page.wait_for_url("**?all=1")
    assert page.get_by_role("link", name="All attempts").get_attribute("aria-current") == "page"
    assert "<dd>7</dd>" in page.content()
    auditor.check()

    href = page.get_by_role("link", name="Download as CSV (Excel)").get_attribute("href")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    request = urllib.request.Request(page.url.split("/authoring")[0] + href, headers={"Cookie": cookies})
    with urllib.request.urlopen(request) as response:
        body = response.read()
    assert body.startswith(b"\xef\xbb\xbf")
    assert "q1;" in body.decode("utf-8-sig")


def test_admin_reaches_the_statistics_by_keyboard(page, auditor, analysed_quiz):
    log_in(page, auditor, "admin")
    page.get_by_role("button", name="In English").click()
    page.wait_for_load_state("load")
    link = page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Question statistics")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "/authoring/statistics/quizzes":
            break
    else:
        pytest.fail("the menu link cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/authoring/statistics/quizzes")
    assert link.get_attribute("aria-current") == "page"
    auditor.check()
    page.locator(f'a[href="{analysed_quiz}"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{analysed_quiz}")
    auditor.check()
    page.get_by_role("link", name="q3").focus()
    page.keyboard.press("Enter")
    assert page.url.endswith("#question-q3")


def test_author_reads_progress_and_exercise_statistics(page, auditor, live_server):
    log_in(page, auditor, "larmteam")
    page.wait_for_load_state("load")
    if page.get_by_role("button", name="In English").count():  # not chosen by an earlier test yet
        page.get_by_role("button", name="In English").click()
        page.wait_for_load_state("load")
    auditor.visit("/authoring/statistics")
    modules = page.get_by_role(
        "table", name="People of your organisation who started and completed each module's current version"
    )
    assert modules.get_by_role("row").count() > 1
    exercises = page.get_by_role(
        "table", name="Finished exercises of the people of your organisation, per scenario and role"
    )
    # the demo's two night-patrol passes, and more when other browser tests have passed it first
    row = exercises.get_by_role("row").filter(has_text="No voice contact").inner_text()
    passed = re.search(r"100% \((\d+) of (\d+)\)", row)
    assert passed, row
    assert passed.group(1) == passed.group(2)
    assert int(passed.group(1)) >= 2

    modules.get_by_role("link").first.click()
    page.wait_for_url("**/authoring/statistics/modules/*")
    auditor.check()
    assert page.get_by_role(
        "table",
        name="Sections in the module's order: how many reached each one, and how many stopped before it",
    ).is_visible()

    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name="Statistics").click()
    page.get_by_role("link", name="No voice contact").click()
    page.wait_for_url("**/authoring/statistics/exercises/03-ingen-talkontakt")
    auditor.check()
    assert page.get_by_role(
        "table", name="Each step as Home care: how often it was missed, late or out of order"
    ).is_visible()
