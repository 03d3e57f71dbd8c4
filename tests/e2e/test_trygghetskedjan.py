"""Trygghetskedjan in the browser: a visitor steps a demo to closure, makes something go wrong and runs
the clock; anna passes and fails the home-care exercise by mouse and passes it by keyboard only. Every
state visited (start, mid-run, a refused action, the result, the exercises page) is audited with
axe-core and vnu.jar.

Controls are found by their forms, `name`/`value` and `data-` attributes, so that the checks hold in
either language. Where the words themselves are the point (the timeline, the feedback), the page is
read in English: the messages' own text, whatever the Swedish translation says.
"""

import re

from playwright.sync_api import expect

from portal.i18n import LANGUAGE_COOKIE
from tests.e2e.test_accounts import log_in
from tests.e2e.test_verification import in_english

FALL = "01-natt-fall-med-talkontakt"
NO_VOICE = "03-ingen-talkontakt"  # home care acknowledges, arrives, calls 112, hands over, documents
RUN_URL = re.compile(r"/trygghetskedjan/runs/[\w-]+$")
RESULT_URL = re.compile(r"/trygghetskedjan/runs/[\w-]+#result$")
STEP = "[data-focus-key=step]"
MAX_STEPS = 25


# Driving a run -------------------------------------------------------------------------------------
def live_change(page, do) -> None:
    """Do something that sends a live form, then wait until the script has swapped in the answer."""
    page.eval_on_selector("[data-live-region] [data-run-state]", "e => e.setAttribute('data-stale', '')")
    do()
    page.wait_for_selector("[data-live-region] [data-run-state]:not([data-stale])", state="attached")


def is_over(page) -> bool:
    return page.get_attribute("[data-live-region] [data-run-state]", "data-over") == "1"


def timeline(page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("[data-timeline] li").all_inner_texts()]


def step(page) -> None:
    live_change(page, lambda: page.click(STEP))


def step_to_closure(page, auditor) -> int:
    """Step until the run is over, auditing the page once on the way; the number of steps taken."""
    for taken in range(1, MAX_STEPS + 1):
        step(page)
        if taken == 4:
            auditor.check()  # mid-run: a case dispatched and on its way
        if is_over(page):
            return taken
    raise AssertionError(f"the run was not over after {MAX_STEPS} steps")


def action_button(page, action: str):
    """The trainee's button for ``action`` (its key is kind:subject:action:params)."""
    return page.locator(f"[data-live-region] button[data-focus-key^='act-'][data-focus-key*=':{action}:']")


def step_until_possible(page, action: str) -> None:
    for _ in range(MAX_STEPS):
        if action_button(page, action).count():
            return
        step(page)
    raise AssertionError(f"{action} never became possible")


def act(page, action: str) -> None:
    step_until_possible(page, action)
    live_change(page, lambda: action_button(page, action).click())
    assert not page.locator("[data-live-region] [role=alert]").count(), f"{action} was refused"


def start_demo(page, scenario: str) -> None:
    page.check(f"#scenario-{scenario}")
    with page.expect_navigation():
        page.click("form.demo-form button[type=submit]")
    assert RUN_URL.search(page.url), page.url


def start_exercise(page, scenario: str, role: str = "home_care") -> None:
    with page.expect_navigation():
        page.click(exercise_form(scenario, role) + " button")
    assert RUN_URL.search(page.url), page.url


def exercise_form(scenario: str, role: str) -> str:
    return f"form[action$='/ovningar/{scenario}']:has(input[name=role][value={role}])"


def finish(page) -> None:
    with page.expect_navigation():
        page.click("form.finish-form button")
    assert RESULT_URL.search(page.url), page.url


def percent(page) -> int:
    found = re.search(r"\((\d+)\s*%\)", page.inner_text(".result-score"))
    assert found, page.inner_text(".result-score")
    return int(found.group(1))


def in_english_signed_in(page) -> None:
    """English for this browser only: the switch would also store the choice on the demo account."""
    page.context.add_cookies([{"name": LANGUAGE_COOKIE, "value": "en", "url": page.url}])
    page.reload()


# A visitor's demo ----------------------------------------------------------------------------------
def test_a_visitor_steps_the_night_fall_demo_to_closure(page, auditor):
    auditor.visit("/trygghetskedjan")
    in_english(page)
    auditor.check()
    start_demo(page, FALL)
    auditor.check()  # the start: the alarm has come in and nothing else has happened
    assert len(timeline(page)) == 1
    assert page.locator(".run-clock .status-done").count() == 0

    steps = step_to_closure(page, auditor)
    assert 8 <= steps <= 15, steps
    auditor.check()  # the end
    assert "the chain is complete" in page.inner_text(".run-clock .status-done")
    assert "Closed" in page.locator(".case-track .track-current").inner_text()

    messages = page.locator(".run-scaip pre code").all_inner_texts()
    assert any(m.startswith("<mrq>") and "<mty>ME</mty>" in m for m in messages), messages
    assert any(m.startswith("<mrs>") and "<snu>0</snu>" in m for m in messages), messages
    sla = page.locator(".run-sla table")
    assert sla.is_visible()
    measures = sla.locator("tbody th[scope=row]").all_inner_texts()
    assert {"Answer", "Dispatch", "Acknowledgement", "Arrival", "Until closed"} <= set(measures)


def test_no_answer_from_the_start_still_dispatches_home_care(page, auditor):
    page.goto("/trygghetskedjan")
    in_english(page)
    start_demo(page, FALL)
    live_change(page, lambda: page.click("[data-focus-key=inject-no_answer]"))
    assert len(timeline(page)) == 1, "injected before the operator answered"

    step_to_closure(page, auditor)
    auditor.check()
    entries = timeline(page)
    first = {
        text: next((i for i, entry in enumerate(entries) if f": {text}" in entry), None)
        for text in ("No voice contact", "Called back: no answer", "Home care dispatched", "Alarm answered")
    }
    assert first["Alarm answered"] is None, entries
    assert None not in (first["No voice contact"], first["Called back: no answer"]), entries
    assert first["No voice contact"] < first["Called back: no answer"] < first["Home care dispatched"]
    assert page.locator(".run-clock .status-done").is_visible()


def test_running_the_clock_at_60x_updates_the_page_and_announces_new_events(page, auditor):
    page.goto("/trygghetskedjan")
    in_english(page)
    start_demo(page, FALL)
    page.select_option("#speed", "60")
    live_change(page, lambda: page.click("[data-focus-key=speed]"))
    assert page.get_attribute(".run-controls", "data-speed") == "60"
    page.evaluate("window.notReloaded = true")
    clock = page.inner_text(".clock-time")
    before = len(timeline(page))

    play = page.locator("[data-play]")
    play.click()
    assert play.get_attribute("aria-pressed") == "true"
    assert play.inner_text() == "Pause the clock"
    page.locator("[data-timeline] li").nth(before + 1).wait_for(state="attached")  # two new entries
    play.click()
    assert play.get_attribute("aria-pressed") == "false"
    assert play.inner_text() == "Run the clock"

    assert page.evaluate("window.notReloaded === true"), "the clock runs without reloading the page"
    assert page.inner_text(".clock-time") != clock
    heard, newest = page.evaluate(
        """() => [document.querySelector('[data-announcer]').textContent,
                  document.querySelector('[data-timeline] li:last-child').textContent.replace(/\\s+/g, ' ').trim()]"""
    )
    assert page.get_attribute("[data-announcer]", "aria-live") == "polite"
    assert newest in heard, (heard, newest)
    page.wait_for_timeout(1500)  # a tick already on its way lands
    paused_at = page.inner_text(".clock-time")
    page.wait_for_timeout(2500)
    assert page.inner_text(".clock-time") == paused_at, "pausing stops the clock"
    auditor.check()


# anna's exercises ----------------------------------------------------------------------------------
def test_anna_passes_the_home_care_exercise_and_her_pages_show_it(page, auditor):
    log_in(page, auditor, "anna")
    page.wait_for_url("**/")
    auditor.visit("/trygghetskedjan/ovningar")
    start_exercise(page, NO_VOICE)
    auditor.check()  # the start: nothing for home care to do yet
    run_url = page.url
    assert page.locator("#actions-heading").count() == 1
    assert action_button(page, "acknowledge").count() == 0

    step_until_possible(page, "acknowledge")
    other_tab = page.context.new_page()  # the same exercise open twice: acknowledged in the other tab
    other_tab.goto(run_url)
    live_change(other_tab, lambda: action_button(other_tab, "acknowledge").click())
    other_tab.close()
    live_change(page, lambda: action_button(page, "acknowledge").click())
    assert page.locator("[data-live-region] [role=alert]").is_visible(), "the stale action is refused"
    auditor.check()  # a refused action with its error

    for action in ("arrive", "call_112", "hand_over", "report_back", "document"):
        act(page, action)
    while not is_over(page):
        step(page)
    finish(page)
    auditor.check()  # the result
    assert page.locator(".result-score .status-done").is_visible(), "passed"
    assert percent(page) == 100
    verdicts = page.locator(".result-steps li").evaluate_all("items => items.map(i => i.className)")
    assert verdicts == ["verdict-correct"] * 4, "acknowledge, arrive, call 112, document"
    assert page.locator(".verdict-wrong").count() == 0

    auditor.visit("/trygghetskedjan/ovningar")
    exercise = page.locator("li.exercise-item", has=page.locator(exercise_form(NO_VOICE, "home_care")))
    assert exercise.locator(".status-done").is_visible(), "the exercise is marked as passed"
    run_path = "/trygghetskedjan/runs/" + run_url.rsplit("/", 1)[1]
    auditor.visit("/learning/")
    mine = page.locator(
        "section[aria-labelledby=exercises-heading] li", has=page.locator(f"a[href='{run_path}']")
    )
    assert mine.locator(".status-done").is_visible(), "the dashboard lists the passed exercise"
    # anna works in home care: Trygghetslarm för hemtjänst asks for this exercise, so her certification
    # page counts it as done and links to it.
    auditor.visit("/learning/certifications")
    requirement = page.locator(
        "section", has=page.get_by_role("heading", name="Trygghetslarm för hemtjänst")
    ).locator("li", has_text="Övning i trygghetskedjan: Ingen talkontakt")
    assert requirement.locator(".status-done").is_visible(), "the exercise counts towards her certification"


def test_a_late_acknowledgement_and_no_documentation_fail_with_feedback(page, auditor):
    log_in(page, auditor, "anna")
    page.wait_for_url("**/")
    in_english_signed_in(page)
    page.goto("/trygghetskedjan/ovningar")
    start_exercise(page, NO_VOICE)
    step_until_possible(page, "acknowledge")
    acknowledgement = page.locator(".sla-clocks tr", has=page.locator("th", has_text="Acknowledgement"))
    for _ in range(MAX_STEPS):  # let the acknowledgement target pass
        if "clock-breached" in (acknowledgement.get_attribute("class") or ""):
            break
        step(page)
    else:
        raise AssertionError("the acknowledgement target never passed")
    for action in ("acknowledge", "arrive", "call_112", "hand_over", "report_back"):
        act(page, action)
    finish(page)
    auditor.check()

    assert page.locator(".result-score .status-overdue").is_visible(), "not passed"
    assert percent(page) < 100
    [late] = page.locator(".result-steps li.verdict-late").all_inner_texts()
    assert "Dispatch acknowledged" in late, late  # the acknowledgement, after its 5 minutes
    assert "(target 5 min)" in late, late
    [missed] = page.locator(".result-steps li.verdict-missed").all_inner_texts()
    assert "Visit documented" in missed, missed  # the documentation, never done


# By keyboard only ----------------------------------------------------------------------------------
class Keys:
    """Moves focus with Tab and Shift+Tab and presses with Enter or Space, like a keyboard user."""

    def __init__(self, page) -> None:
        self.page = page

    def focused(self, script: str) -> bool:
        return bool(
            self.page.evaluate(f"(() => {{ const e = document.activeElement; return !!({script}); }})()")
        )

    def tab_to(self, script: str, back: bool = False, limit: int = 80) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            if self.focused(script):
                return
        raise AssertionError(f"keyboard focus never reached: {script}")

    def press_live(self, key: str = "Enter") -> None:
        live_change(self.page, lambda: self.page.keyboard.press(key))


def focus_id(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def is_action(action: str) -> str:
    return f"/^act-.*:{action}:/.test(e.dataset.focusKey || '')"


def test_an_exercise_done_by_keyboard_only_keeps_the_focus(page, auditor):
    log_in(page, auditor, "anna")
    page.wait_for_url("**/")
    auditor.visit("/trygghetskedjan/ovningar")
    keys = Keys(page)
    keys.tab_to(
        f"e.tagName === 'BUTTON' && e.form && e.form.matches({exercise_form(NO_VOICE, 'home_care')!r})"
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert RUN_URL.search(page.url), page.url

    keys.tab_to("e.dataset.focusKey === 'step'")
    for _ in range(MAX_STEPS):
        keys.press_live("Enter")
        assert keys.focused("e.dataset.focusKey === 'step'"), "the step button keeps the focus"
        if action_button(page, "acknowledge").count():
            break
    auditor.check()  # mid-run, the trainee's first action offered

    keys.tab_to("e.hasAttribute('data-play')")  # the clock runs while the trainee acts
    page.keyboard.press("Enter")
    assert keys.focused("e.getAttribute('aria-pressed') === 'true'")
    for number, action in enumerate(
        ("acknowledge", "arrive", "call_112", "hand_over", "report_back", "document")
    ):
        keys.tab_to(is_action(action))
        page.keyboard.press("Space" if number % 2 else "Enter")
        action_button(page, action).wait_for(state="detached")  # taken (a tick may swap the part too)
        assert not page.locator("[data-live-region] [role=alert]").count(), f"{action} was refused"
        assert focus_id(page) == "actions-heading", f"after {action} the focus is on the actions heading"
        if action == "acknowledge":
            clock = page.inner_text(".clock-time")
            expect(page.locator(".clock-time")).not_to_have_text(clock)
            assert focus_id(page) == "actions-heading", "a tick of the clock leaves the focus where it was"
            keys.tab_to("e.hasAttribute('data-play')", back=True)
            page.keyboard.press("Space")
            assert keys.focused("e.getAttribute('aria-pressed') === 'false'"), "the clock is paused"
            page.wait_for_timeout(1000)  # a tick already on its way lands
    keys.tab_to("e.dataset.focusKey === 'step'", back=True)
    while not is_over(page):
        keys.press_live("Enter")
    keys.tab_to("e.tagName === 'BUTTON' && e.form && e.form.matches('.finish-form')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert RESULT_URL.search(page.url), page.url
    assert page.locator(".result-score .status-done").is_visible()
    assert percent(page) == 100
    auditor.check()
