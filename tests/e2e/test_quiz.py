"""Quizzes in the browser: by keyboard only, with the answers saved as they are given, and every state
(rules, question, validation error, overview, result and review) audited with axe-core and vnu."""

import re

from playwright.sync_api import expect

from portal.assessment.core import (
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    Question,
    SingleChoice,
    TrueFalse,
    load_quiz,
)
from tests.e2e.quiz_steps import CONTENT
from tests.e2e.test_accounts import log_in

RESPONSE = "att-atgarda-ett-larm"
RESPONSE_QUIZ = load_quiz(CONTENT / RESPONSE / "quiz.yaml")
BASICS_QUIZ_SECTION = "/learning/modules/trygghetslarm-grunder/kunskapsprov"


class Keyboard:
    """Moves focus with Tab (and arrow keys inside radio groups and selects), like a keyboard user."""

    def __init__(self, page) -> None:
        self.page = page

    def focused(self, script: str) -> bool:
        return bool(self.page.evaluate(f"(() => {{ const e = document.activeElement; return {script}; }})()"))

    def tab_to(self, script: str, limit: int = 80) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if self.focused(script):
                return
        raise AssertionError(f"keyboard focus never reached: {script}")

    def tab_to_id(self, element_id: str) -> None:
        self.tab_to(f"e.id === {element_id!r}")

    def press_button(self, name: str) -> None:
        self.tab_to(f"e.tagName === 'BUTTON' && e.textContent.trim() === {name!r}")
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def choose_radio(self, element_id: str) -> None:
        self.tab_to("e.name === 'answer'")
        for _ in range(12):
            if self.focused(f"e.id === {element_id!r}"):
                self.page.keyboard.press("Space")
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"arrow keys never reached {element_id}")

    def select(self, element_id: str, value: str) -> None:
        self.tab_to_id(element_id)
        values = self.page.eval_on_selector(f"#{element_id}", "s => [...s.options].map(o => o.value)")
        current = values.index(self.page.eval_on_selector(f"#{element_id}", "s => s.value"))
        key = "ArrowDown" if values.index(value) > current else "ArrowUp"
        for _ in range(abs(values.index(value) - current)):
            self.page.keyboard.press(key)
        assert self.page.eval_on_selector(f"#{element_id}", "s => s.value") == value


def answer_by_keyboard(page, keys: Keyboard, question: Question) -> None:
    """Give the right answer to the question on the page using only the keyboard."""
    match question:
        case SingleChoice():
            keys.choose_radio(f"answer-{question.correct}")
        case TrueFalse():
            keys.choose_radio("answer-true" if question.correct else "answer-false")
        case MultipleChoice():
            shown = page.eval_on_selector_all("input[name=answer]", "inputs => inputs.map(i => i.value)")
            for option_id in shown:
                if option_id in question.correct:
                    keys.tab_to_id(f"answer-{option_id}")
                    page.keyboard.press("Space")
        case Ordering():
            shown = page.eval_on_selector_all(".order-items select", "selects => selects.map(s => s.id)")
            places = {item.id: str(place) for place, item in enumerate(question.items, start=1)}
            for select_id in shown:
                keys.select(select_id, places[select_id.removeprefix("position-")])
        case Matching():
            for premise in question.premises:
                keys.select(f"match-{premise.id}", premise.match)
        case Numeric():
            keys.tab_to_id("answer")
            page.keyboard.type(f"{question.answer:g}".replace(".", ","))


def current_question(page, quiz) -> Question:
    return quiz.question(page.eval_on_selector("input[name=question]", "i => i.value"))


def test_a_learner_takes_and_passes_a_quiz_by_keyboard_only(page, auditor):
    log_in(page, auditor, "karin")
    keys = Keyboard(page)
    auditor.visit(f"/learning/modules/{RESPONSE}/kunskapsprov")
    assert "Godkänt: 80 % rätt." in page.inner_text("main")
    keys.press_button("Starta provet")
    page.wait_for_url(re.compile(r"/learning/attempts/\d+/1$"))
    auditor.check()

    for number in range(1, RESPONSE_QUIZ.length + 1):
        question = current_question(page, RESPONSE_QUIZ)
        if isinstance(question, Ordering):  # first the validation error state, by keyboard too
            for select_id in page.eval_on_selector_all(".order-items select", "s => s.map(x => x.id)"):
                keys.select(select_id, "1")
            keys.press_button("Nästa fråga" if number < RESPONSE_QUIZ.length else "Granska och lämna in")
            assert "Varje plats kan bara användas en gång." in page.inner_text("main")
            assert page.evaluate("document.activeElement.classList.contains('error-summary')")
            auditor.check()
        answer_by_keyboard(page, keys, question)
        keys.press_button("Nästa fråga" if number < RESPONSE_QUIZ.length else "Granska och lämna in")

    page.wait_for_url(re.compile(r"/summary$"))
    assert "Inte besvarad" not in page.inner_text("main")
    auditor.check()
    keys.press_button("Lämna in provet")
    page.wait_for_url(re.compile(r"/learning/attempts/\d+$"))
    main = page.inner_text("main")
    assert "100 % rätt" in main, main
    assert "Godkänt. Gränsen för godkänt är 80 %." in main
    assert "Förklaring:" in main, "the review shows each question's explanation"
    auditor.check()

    auditor.visit(f"/learning/modules/{RESPONSE}/kunskapsprov")
    assert "Du har klarat provet." in page.inner_text("main")
    assert "Du har gjort klart avsnittet." in page.inner_text("main")


def test_answers_are_saved_as_they_are_given_and_survive_a_reload(page, auditor):
    log_in(page, auditor, "lars")
    auditor.visit(BASICS_QUIZ_SECTION)
    assert "Tidsgräns: 20 minuter." in page.inner_text("main")
    page.get_by_role("button", name="Starta provet").click()
    page.wait_for_url(re.compile(r"/learning/attempts/\d+/1$"))
    countdown = page.locator(".countdown")
    countdown.wait_for(state="visible")
    assert re.search(r"Tid kvar: (19|20):\d\d", countdown.inner_text())
    auditor.check()

    buttons_before = page.locator(".quiz-buttons").bounding_box()
    control = page.locator(
        "form[data-autosave] fieldset input, form[data-autosave] .field input, form[data-autosave] select"
    ).first
    is_select = control.evaluate("e => e.tagName") == "SELECT"
    if is_select:
        # An ordering question is saved only with every place given (the draw decides which question
        # comes first): set all but the last list quietly, so that the one change sends a whole answer.
        page.evaluate(
            "() => [...document.querySelectorAll('form[data-autosave] select')].slice(0, -1)"
            ".forEach((e, i) => { e.selectedIndex = Math.min(i + 1, e.options.length - 1); })"
        )
        last = page.locator("form[data-autosave] select").last
        last_index = min(
            page.locator("form[data-autosave] select").count(), last.evaluate("e => e.options.length") - 1
        )
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/learning/attempts/" in r.url
    ) as saved:
        if is_select:
            last.select_option(index=last_index)
        elif control.get_attribute("type") == "text":
            control.fill("12")
            control.press("Tab")
        else:
            control.check()
    answer = saved.value.json()
    assert answer.get("saved") is True, answer
    page.locator(".save-status", has_text="Sparat").wait_for()
    # A click aimed at "Nästa fråga" as the text appeared would miss a button that moved.
    assert page.locator(".quiz-buttons").bounding_box() == buttons_before, "the buttons stay put"
    before = control.evaluate("e => e.type === 'radio' || e.type === 'checkbox' ? e.checked : e.value")
    page.reload()
    after = page.locator(
        "form[data-autosave] fieldset input, form[data-autosave] .field input, form[data-autosave] select"
    ).first.evaluate("e => e.type === 'radio' || e.type === 'checkbox' ? e.checked : e.value")
    assert after == before, "the answer saved by JavaScript is there after a reload"

    page.get_by_role("button", name="Översikt").click()
    page.wait_for_url(re.compile(r"/summary$"))
    assert "inte besvarade" in page.inner_text("main")
    auditor.check()
    page.get_by_role("button", name="Lämna in provet").click()
    expect(page.locator("main")).to_contain_text("Inte godkänt")
    auditor.check()
    auditor.visit(BASICS_QUIZ_SECTION)
    assert "Du kan starta ett nytt försök" in page.inner_text("main"), "10 minutes between attempts"
