"""What the simulated people do, page by page, whatever sends the requests: bench/locustfile.py over HTTP
(locust), bench/profile_pages.py in process (Flask's test client, to see what each page costs).

A browser here is anything with get/post/think/new_session (see Browser). Requests are named by page, so
that all questions of all quizzes are one row "GET quiz question". Each request is what a browser without
JavaScript sends (a form post answered by a redirect, then the page it leads to), except a demo step,
which is sent the way the run page's script sends it; CSRF tokens are read from the forms.
"""

import random
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Protocol

QUIZ_SECTION = "kunskapsprov"
MODULES = sorted(
    path.name for path in (Path(__file__).resolve().parent.parent / "content" / "modules").iterdir()
)
DEMO_STEPS = 8  # steps a visitor takes through a demo run before starting another


class Interrupted(Exception):
    """A journey stops: a request failed (its failure is recorded by its page) or the page did not offer
    what the person came for."""


class Refused(Interrupted):
    """The quiz did not let this learner start an attempt (a cooldown, or no attempts left)."""


class Browser(Protocol):
    def get(self, path: str, name: str) -> str: ...

    def post(
        self, path: str, name: str, fields: dict | list, headers: dict | None = None, expect: int = 302
    ) -> tuple[str, str]:
        """(body, Location) of a form post; fails (raises Interrupted) unless the status is `expect`."""
        ...

    def think(self) -> None: ...

    def new_session(self) -> None:
        """Forget the cookies, as another person's browser."""
        ...

    def handed_in(self, attempt: int) -> None:
        """The server acknowledged the hand-in of this attempt (it answered with the result's address)."""
        ...


class Form(HTMLParser):
    """The fields of the first form whose action ends with `action`, or that has no action when `action` is
    None (a browser's view of it: inputs with their type, selects with their options)."""

    def __init__(self, page: str, action: str | None) -> None:
        super().__init__()
        self.action_suffix = action
        self.inside = False
        self.found = False
        self.hidden: dict[str, str] = {}
        self.choices: dict[str, list[str]] = {}  # radio and checkbox groups
        self.kinds: dict[str, str] = {}
        self.texts: list[str] = []
        self.selects: dict[str, list[str]] = {}
        self._select: str | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and not self.found and self._matches(attrs):
            self.inside = self.found = True
        elif not self.inside:
            return
        elif tag == "input" and "disabled" not in attributes:
            self._input(attributes)
        elif tag == "select":
            self._select = attributes.get("name", "")
            self.selects[self._select] = []
        elif tag == "option" and self._select and attributes.get("value"):
            self.selects[self._select].append(attributes["value"])

    def _matches(self, attrs: list) -> bool:
        action = dict(attrs).get("action")
        if self.action_suffix is None:
            return action is None
        return action is not None and action.endswith(self.action_suffix)

    def _input(self, attributes: dict) -> None:
        kind, name = attributes.get("type", "text"), attributes.get("name", "")
        if kind == "hidden":
            self.hidden[name] = attributes.get("value", "")
        elif kind in ("radio", "checkbox"):
            self.choices.setdefault(name, []).append(attributes.get("value", ""))
            self.kinds[name] = kind
        elif kind == "text":
            self.texts.append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None

    def answered(self) -> list[tuple[str, str]]:
        """The hidden fields and an answer to every control, as a learner who guesses fills them in."""
        fields = list(self.hidden.items())
        for name, values in self.choices.items():
            if self.kinds[name] == "checkbox":
                fields += [(name, value) for value in random.sample(values, random.randint(1, len(values)))]
            else:
                fields.append((name, random.choice(values)))
        fields += [(name, str(random.randint(1, 20))) for name in self.texts]
        places = [name for name in self.selects if name.startswith("position-")]
        for name, place in zip(places, random.sample(range(1, len(places) + 1), len(places)), strict=True):
            fields.append((name, str(place)))
        fields += [(n, random.choice(v)) for n, v in self.selects.items() if not n.startswith("position-")]
        return fields


def form(page: str, action: str | None) -> Form:
    found = Form(page, action)
    if not found.found or "csrf_token" not in found.hidden:
        raise Interrupted(f"no form posting to …{action or 'itself'} with a CSRF token on the page")
    return found


def path_of(location: str) -> str:
    return re.sub(r"^https?://[^/]+", "", location)


def sign_in(browser: Browser, username: str, password: str) -> None:
    browser.new_session()
    page = browser.get("/login", "GET /login")
    fields = {"username": username, "password": password, "csrf_token": form(page, None).hidden["csrf_token"]}
    _, location = browser.post("/login", "POST /login", fields)
    if path_of(location).rstrip("/").endswith("/login"):
        raise Interrupted(f"{username} could not sign in")


def take_quiz(browser: Browser, slug: str) -> None:
    """Dashboard → module → its first section → the quiz section → start → every question answered →
    overview → hand in → result; raises Refused when the quiz lets this learner start no attempt."""
    browser.get("/learning/", "GET /learning/ (dashboard)")
    browser.think()
    module_page = browser.get(f"/learning/modules/{slug}", "GET module page")
    first = re.search(rf'href="(/learning/modules/{slug}/[^"#?]+)"', module_page)
    if first:
        browser.think()
        browser.get(first.group(1), "GET module section (text)")
    browser.think()
    section = f"/learning/modules/{slug}/{QUIZ_SECTION}"
    page = browser.get(section, "GET quiz section")
    try:
        start = form(page, f"/{QUIZ_SECTION}/attempts")
    except Interrupted:
        raise Refused(slug) from None
    browser.think()
    _, location = browser.post(f"{section}/attempts", "POST quiz start", start.hidden)
    attempt = re.search(r"/learning/attempts/(\d+)/", location)
    if attempt is None:
        raise Refused(slug)
    answer_and_hand_in(browser, int(attempt.group(1)), path_of(location))


def answer_and_hand_in(browser: Browser, attempt: int, location: str) -> None:
    while re.search(r"/learning/attempts/\d+/\d+$", location):
        page = browser.get(location, "GET quiz question")
        browser.think()
        _, location = browser.post(location, "POST quiz answer", form(page, location).answered())
        location = path_of(location)
    page = browser.get(f"/learning/attempts/{attempt}/summary", "GET quiz overview")
    browser.think()
    submit = f"/learning/attempts/{attempt}/submit"
    _, location = browser.post(submit, "POST quiz hand-in", form(page, submit).hidden)
    if path_of(location).rstrip("/") == f"/learning/attempts/{attempt}":
        browser.handed_in(attempt)  # before the result page, which might fail on its own
    browser.get(f"/learning/attempts/{attempt}", "GET quiz result")


def read_matrix(browser: Browser) -> None:
    """The competence matrix of the manager's units, and half the time its second page."""
    page = browser.get("/competence/", "GET competence matrix")
    later = re.search(r'href="(/competence/\?[^"]*page=2[^"]*)"', page)
    if later and random.random() < 0.5:
        browser.think()
        browser.get(later.group(1).replace("&amp;", "&"), "GET competence matrix page 2")


def export_matrix(browser: Browser, kind: str) -> None:
    browser.get(f"/competence/export.{kind}", f"GET competence export {kind.upper()}")


def demo_run(browser: Browser, steps: int = DEMO_STEPS) -> None:
    """Open trygghetskedjan, start a demo of a scenario and step through it as the run page's script does
    (X-Live: 1, the live part comes back), with think time between the steps."""
    page = browser.get("/trygghetskedjan", "GET /trygghetskedjan")
    start = form(page, "/trygghetskedjan/runs")
    fields = {**start.hidden, "scenario": random.choice(start.choices["scenario"])}
    browser.think()
    _, location = browser.post("/trygghetskedjan/runs", "POST demo start", fields)
    run = path_of(location)
    page = browser.get(run, "GET demo run page")
    step = form(page, f"{run}/step").hidden
    for _ in range(steps):
        browser.think()
        live, _ = browser.post(f"{run}/step", "POST demo step", step, {"X-Live": "1"}, expect=200)
        if 'data-over="1"' in live:
            break
