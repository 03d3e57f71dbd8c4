"""XSS through every input that is shown again.

Every form the crawler finds on the pages each role can reach is filled with payloads (a handful of
classics and a sample of the brs-kb corpus) and sent; so are the inputs no crawler fills (an employee
file, an image's alt text, a SCAIP message, query strings, path segments). Then every page every role
can reach is read with an HTML parser: no payload may have become a script, a frame, an SVG, an event
handler or a javascript: URL; and a text that was stored must come back as text.
"""

import csv
import io
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit
from xml.sax.saxutils import escape

import brs_kb
import pytest
from flask_wtf import FlaskForm
from wtforms import StringField

import tests.test_authorisation_matrix as matrix
from portal.config import ROOT
from portal.extensions import db
from portal.models import Role
from portal.templating import input_tag
from tests.conftest import sign_in
from tests.content.builders import PNG
from tests.test_authorisation_matrix import MATRIX

app, world = matrix.app, matrix.world  # the matrix's world: its fixtures, used here too

# What a browser would run or load from a page, wherever it came from.
ACTIVE_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "base"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "data",
                  "srcdoc"}  # fmt: skip
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg")
OWN_FILES = "/static/"
NOT_PAGES = re.compile(r"\.(pdf|csv|xlsx|zip|vtt|mp4|webm|png|jpe?g|gif|webp|svg)$|/media/|^/static/")


@dataclass
class Input:
    name: str
    kind: str  # text, textarea, hidden, select, radio, checkbox, file, submit, password, email, date, …
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    invalid: bool = False


@dataclass
class Form:
    action: str
    method: str
    inputs: list[Input] = field(default_factory=list)

    def data(self, pressed: str | None = None) -> dict[str, list[str]]:
        """What a browser sends when nothing was changed and the button named ``pressed`` (or else the
        first one) is pressed."""
        sent: dict[str, list[str]] = {}
        buttons = self.buttons()
        pressed = pressed or (buttons[0] if buttons else None)
        for item in self.inputs:
            if item.kind in ("radio", "checkbox"):
                if item.checked:
                    sent.setdefault(item.name, []).append(item.value or "on")
            elif item.kind == "select":
                sent.setdefault(item.name, []).append(item.value or (item.options[0] if item.options else ""))
            elif item.kind in ("submit", "button"):
                if item.name == pressed:
                    sent.setdefault(item.name, []).append(item.value)
            elif item.kind not in ("file", "reset", "image"):
                sent.setdefault(item.name, []).append(item.value)
        return sent

    def buttons(self) -> list[str]:
        return list(dict.fromkeys(item.name for item in self.inputs if item.kind in ("submit", "button")))


class Page(HTMLParser):
    """A rendered page: its forms, its links, its text and every script vector in it."""

    def __init__(self, url: str, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.texts: list[str] = []
        self.vectors: list[str] = []
        self._form: Form | None = None
        self._select: Input | None = None
        self._textarea: Input | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self._note_vectors(tag, attrs)
        self.texts.extend(value for _, value in attrs if value)
        if tag == "a" and attributes.get("href"):
            self.links.append(urljoin(self.url, attributes["href"]))
        elif tag == "form":
            action = urljoin(self.url, attributes.get("action") or self.url)
            self._form = Form(action, attributes.get("method", "get").upper())
            self.forms.append(self._form)
        elif self._form is not None and "name" in attributes:
            self._form_input(tag, attributes)
        elif tag == "option" and self._select is not None:
            self._option(attributes)

    def _form_input(self, tag: str, attributes: dict[str, str]) -> None:
        invalid = attributes.get("aria-invalid") == "true"
        name = attributes["name"]
        if tag == "input":
            kind = attributes.get("type", "text").lower()
            item = Input(name, kind, attributes.get("value", ""), "checked" in attributes, invalid=invalid)
        elif tag == "textarea":
            item = self._textarea = Input(name, "textarea", invalid=invalid)
        elif tag == "select":
            item = self._select = Input(name, "select", invalid=invalid)
        elif tag == "button":
            item = Input(name, attributes.get("type", "submit"), attributes.get("value", ""))
        else:
            return
        assert self._form is not None
        self._form.inputs.append(item)

    def _option(self, attributes: dict[str, str]) -> None:
        assert self._select is not None
        self._select.options.append(attributes.get("value", ""))
        if "selected" in attributes:
            self._select.value = attributes.get("value", "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self._textarea is not None:
            self._textarea.value += data.removeprefix("\n") if not self._textarea.value else data
        if self.lasttag == "script" and data.strip():
            self.vectors.append(f"<script>{data[:60]}")

    def _note_vectors(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ACTIVE_TAGS and not (
            tag == "script" and (attributes.get("src") or "").startswith(OWN_FILES)
        ):
            self.vectors.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in attributes:
            self.vectors.append("<meta http-equiv>")
        if tag == "link" and not (attributes.get("href") or "").startswith(OWN_FILES):
            self.vectors.append(f"<link href={attributes.get('href')}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.vectors.append(f"{tag}[{name}]")
            elif name in URL_ATTRIBUTES and value and _scheme(value).startswith(SCRIPT_SCHEMES):
                self.vectors.append(f"{tag}[{name}={value[:60]}]")

    def shows(self, text: str) -> bool:
        """Whether ``text`` is on the page as text or as an attribute value (that is: escaped), blanks
        aside."""
        wanted = " ".join(text.split())
        return any(wanted in " ".join(chunk.split()) for chunk in self.texts)


def _scheme(url: str) -> str:
    """As a browser reads a URL (WHATWG): C0 controls and spaces trimmed, tabs and newlines dropped."""
    return re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(0x21))))).lower()


def local_path(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or parts.scheme not in ("", "http"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def fetch(client, url: str) -> Page | None:
    with client.get(url) as response:
        assert response.status_code < 500, f"GET {url}: {response.status_code}\n{response.text[:2000]}"
        if response.mimetype != "text/html":
            return None
        return Page(url, response.text)


def crawl(client, starts: list[str], limit: int = 400) -> dict[str, Page]:
    """Every HTML page reachable by links from ``starts`` (queries dropped from followed links; files,
    such as certificates, not fetched)."""
    seen: dict[str, Page] = {}
    queue = deque(dict.fromkeys(url for url in starts if not NOT_PAGES.search(url.split("?")[0])))
    queued = set(queue)
    while queue and len(seen) < limit:
        url = queue.popleft()
        page = fetch(client, url)
        if page is None:
            continue
        seen[url] = page
        for link in page.links:
            path = local_path(link)
            if path is None:
                continue
            path = path.split("?")[0]
            if path not in queued and not NOT_PAGES.search(path) and path != "/logout":
                queued.add(path)
                queue.append(path)
    return seen


# The world, its roles and the pages each can reach ----------------------------------------------------
ROLES = ("anonymous", "learner", "manager", "author", "admin")
# The order in which the roles fill their forms: what the admin and authors store is then seen by others.
FILLING_ROLES = ("admin", "author", "manager", "learner", "anonymous")


def as_role(client, users: dict, role: str) -> None:
    with client.session_transaction() as session:
        session.clear()
    if role != "anonymous":
        sign_in(client, users[role])


def start_pages(role: str, ids: dict) -> list[str]:
    """The matrix's pages that ``role`` may see, in the world's terms."""
    return [
        expect.url.format(**ids)
        for expects in MATRIX.values()
        for expect in expects
        if expect.method == "GET" and expect.statuses[role] == 200
    ]


def endpoint_of(app, url: str, method: str = "GET") -> tuple[str, dict]:
    path, _, query = url.partition("?")
    return app.url_map.bind("localhost", query_args=query).match(path, method=method)


def assert_no_vectors(page: Page) -> None:
    assert not page.vectors, f"{page.url}: {page.vectors}"


def assert_no_vectors_at(client, url: str) -> None:
    page = fetch(client, url)
    if page is not None:
        assert_no_vectors(page)


NO_PAGE = Page("/", "")


def paths_with_payloads(app, urls: list[str], payload) -> list[str]:
    """Each URL once more for each of its text (not number) path segments, holding a payload."""
    adapter = app.url_map.bind("localhost")
    paths = []
    for url in urls:
        rule, args = adapter.match(url.split("?")[0], return_rule=True)
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule):
            if converter in ("", "path", "string"):
                paths.append(adapter.build(rule.endpoint, {**args, name: payload()}))
    return paths


# Payloads ------------------------------------------------------------------------------------------
CLASSICS = [
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '" autofocus onfocus="alert(1)',
    "</textarea><script>alert(1)</script>",
    "</title><svg onload=alert(1)>",
    "javascript:alert(1)",
    "javascript://%0aalert(1)",
    "<iframe srcdoc='<script>alert(1)</script>'>",
    "[klick](javascript:alert(1))",
    '<a href="javas&#x09;cript:alert(1)">x</a>',
    "{{ 7*7 }}{% print 7*7 %}",  # template injection: must come back as typed
]
CORPUS_CONTEXTS = ("html_content", "html_attribute", "href", "url", "js_string", "template_injection",
                   "svg", "markdown", "html_comment", "css")  # fmt: skip


def corpus_sample(per_context: int = 4, max_length: int = 100) -> list[str]:
    """A few payloads of each context of the brs-kb corpus, the same ones every run: short enough
    for any field, one line, without blanks at the ends (which forms strip)."""
    entries = sorted(brs_kb.get_all_payloads().items())
    chosen: list[str] = []
    for context in CORPUS_CONTEXTS:
        fitting = [
            entry["payload"]
            for _, entry in entries
            if context in entry["contexts"]
            and len(entry["payload"]) <= max_length
            and entry["payload"] == entry["payload"].strip()
            and not re.search(r"[\x00-\x1f]", entry["payload"])
        ]
        chosen += fitting[:: max(1, len(fitting) // per_context)][:per_context]
    return chosen


PAYLOADS = list(dict.fromkeys(CLASSICS + corpus_sample()))


# Always in a text area, whose text may be Markdown: the vectors a Markdown renderer lets through.
MARKDOWN_CLASSICS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[klick](javascript:alert(1))",
]
BUNDLE_LENGTH = 450  # within every text area's limit


class Payloads:
    """Hands out the payloads in turn, each field getting the next one."""

    def __init__(self, offset: int) -> None:
        self.count = offset
        self.handed: set[str] = set()

    def __call__(self) -> str:
        payload = PAYLOADS[self.count % len(PAYLOADS)]
        self.count += 1
        self.handed.add(payload)
        return payload

    def bundle(self) -> str:
        """For a text area: the Markdown classics and further payloads, a paragraph each."""
        parts = list(MARKDOWN_CLASSICS)
        while len("\n\n".join(parts)) < BUNDLE_LENGTH - 100:
            parts.append(self())
        text = "\n\n".join(part for part in parts if len(part) < 100)
        self.handed.add(text)
        return text


# Filling every form ---------------------------------------------------------------------------------
FREE_TEXT = {"text", "textarea", "search", "email", "url", "tel", "hidden"}
NEVER_FILLED = {"lock", "csrf_token"}  # the edit lock and the CSRF token are the app's, not the user's
PUBLISHING = {"authoring.submit", "authoring.review"}  # sent last: afterwards there is no draft to edit
FILES = {"image": ("bild.png", PNG)}  # what a file field gets, by name, so that its form's texts are stored
REDIRECTS = (301, 302, 303)


@dataclass
class Stored:
    """A payload a form accepted (it answered with a redirect)."""

    endpoint: str
    field: str
    payload: str


@dataclass
class Visit:
    """The pages seen and the payloads stored on the way."""

    pages: list[Page] = field(default_factory=list)
    stored: list[Stored] = field(default_factory=list)


def valid_sample(item: Input, number: int) -> str | None:
    """A value a constrained field accepts, so that the form's other fields get stored."""
    if item.kind == "select":
        return next((option for option in item.options if option), None)
    return {
        "username": f"xss.user{number}",
        "slug": f"xss-{number}",
        "email": f"xss{number}@example.com",
    }.get(item.name.rsplit("-", 1)[-1])


def fillable(form: Form) -> dict[str, Input]:
    return {
        item.name: item for item in form.inputs if item.kind in FREE_TEXT and item.name not in NEVER_FILLED
    }


def filled(form: Form, names, payload: Payloads, pressed: str | None = None) -> dict[str, list]:
    data: dict[str, list] = {**form.data(pressed)}
    kinds = {item.name: item.kind for item in form.inputs}
    for name in names:
        value = payload.bundle if kinds[name] == "textarea" else payload
        data[name] = [value() for _ in data.get(name) or [""]]
    for item in form.inputs:
        if item.kind == "file" and item.name in FILES:
            filename, content = FILES[item.name]
            data[item.name] = [(io.BytesIO(content), filename)]
    return data


def look_at(client, response, url: str, visit: Visit) -> Page | None:
    """The answer to a POST, or the page it redirects to (where a flash message would echo input)."""
    assert response.status_code < 500, f"POST {url}: {response.status_code}\n{response.text[:3000]}"
    if response.status_code in REDIRECTS:
        page = fetch(client, local_path(response.headers["Location"]))
    elif response.mimetype == "text/html":
        page = Page(url, response.text)
    else:
        return None
    if page is not None:
        assert_no_vectors(page)
        visit.pages.append(page)
    return page


def post(client, path: str, data: dict, visit: Visit) -> tuple[bool, Page | None]:
    with client.post(path, data=data, content_type="multipart/form-data") as response:
        return response.status_code in REDIRECTS, look_at(client, response, path, visit)


def submit(client, app, form: Form, payload: Payloads, visit: Visit) -> None:
    """Payloads in every free-text field, hidden ones too; when the form refuses some, once more with
    those fields (and the hidden ones) as they were or valid, so that the others get stored."""
    path = local_path(form.action)
    endpoint = endpoint_of(app, path, "POST")[0]
    fields = fillable(form)
    for button in form.buttons()[1:]:  # such as a preview: nothing is saved
        post(client, path, filled(form, fields, payload, button), visit)
    data = filled(form, fields, payload)
    saved, page = post(client, path, data, visit)
    if not saved:
        refused = {
            item.name for again in (page.forms if page else []) for item in again.inputs if item.invalid
        }
        retry = [name for name, item in fields.items() if name not in refused and item.kind != "hidden"]
        data = filled(form, retry, payload)
        for item in form.inputs:
            if item.name in refused and valid_sample(item, payload.count) is not None:
                data[item.name] = [valid_sample(item, payload.count)]
        saved, _ = post(client, path, data, visit)
    if saved:
        visit.stored += [
            Stored(endpoint, name, value)
            for name, item in fields.items()
            if item.kind != "hidden"
            for value in data[name]
            if isinstance(value, str) and value in payload.handed
        ]


def forms_to_fill(app, pages: dict[str, Page]) -> list[tuple[str, str]]:
    """(page, form action) of every POST form with a free-text field, each action once, the
    publishing ones last."""
    found: dict[str, tuple[str, bool]] = {}
    for url, page in pages.items():
        for form in page.forms:
            if form.method == "POST" and fillable(form) and form.action not in found:
                publishing = endpoint_of(app, local_path(form.action), "POST")[0] in PUBLISHING
                found[form.action] = (url, publishing)
    ordered = sorted(found.items(), key=lambda item: item[1][1])
    return [(url, action) for action, (url, _) in ordered]


def form_on(client, url: str, action: str) -> Form | None:
    page = fetch(client, url)  # afresh: an earlier save moved the draft's lock on
    return (
        next((form for form in page.forms if local_path(form.action) == local_path(action)), None)
        if page
        else None
    )


def fill_every_form(client, app, role: str, ids: dict, payload: Payloads, visit: Visit) -> None:
    """Every form on the matrix's pages for ``role`` (a new page of an existing kind, such as a new
    module's, has the same forms as the world's own)."""
    pages = {url: fetch(client, url) for url in start_pages(role, ids) if not NOT_PAGES.search(url)}
    for url, action in forms_to_fill(app, {url: page for url, page in pages.items() if page}):
        form = form_on(client, url, action)
        if form is not None:
            submit(client, app, form, payload, visit)


# Inputs no crawler fills ------------------------------------------------------------------------------
EMPLOYEE_HEADER = ["användarnamn", "namn", "e-post", "enhet", "befattning"]


def employee_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([EMPLOYEE_HEADER, *rows])
    return out.getvalue().encode()


def import_employees(client, unit: str, payload: Payloads, visit: Visit) -> None:
    """A file whose every cell is refused (the preview names each), then one whose names are stored."""
    refused = [[payload() for _ in EMPLOYEE_HEADER] for _ in range(2)]
    named = [[f"xss.import{number}", payload(), "", unit, "undersköterska"] for number in range(3)]
    for rows, apply in ((refused, False), (named, True)):
        data = {"file": (io.BytesIO(employee_file(rows)), "personal.csv")}
        saved, preview = post(client, "/admin/import", data, visit)
        assert saved
        assert preview is not None
        if apply:
            assert post(client, urlsplit(preview.url).path, {}, visit)[0]
            visit.stored += [Stored("admin.import_apply", "namn", row[1]) for row in named]


SCAIP_TEXTS = {"dte": 32, "stt": 32, "lte": 32, "ite": 128}  # the free-text tags and their lengths


def send_device_message(client, run_id: str, payload: Payloads, visit: Visit) -> None:
    """An alarm whose free-text tags carry payloads, as an outside program may send to a demo run."""
    texts = {}
    for tag, length in SCAIP_TEXTS.items():
        while len(texts.get(tag, "x" * 999)) > length:
            texts[tag] = payload()
    body = "<mrq><ref>XSS1</ref><mty>ME</mty><cid>4600123456</cid><dty>0004</dty><stc>0010</stc>"
    body += "".join(f"<{tag}>{escape(text)}</{tag}>" for tag, text in texts.items()) + "</mrq>"
    response = client.post(
        f"/trygghetskedjan/runs/{run_id}/scaip", data=body.encode(), content_type="application/scaip+xml"
    )
    assert response.status_code == 200, response.text
    visit.stored += [Stored("simulator.device", tag, text) for tag, text in texts.items()]


def review_with_a_comment(client, app, users, ids, reviewer, payload: Payloads, visit: Visit) -> None:
    """With review required: a new draft of the routine sent for review, and a second author's comment."""
    users["author"].organisation.review_required = True
    db.session.commit()
    item = f"/authoring/items/{ids['local_routine']}"
    as_role(client, users, "author")
    assert client.post(f"{item}/drafts").status_code == 302
    submit(client, app, form_on(client, f"{item}/submit", f"{item}/submit"), payload, visit)
    sign_in(client, reviewer)
    submit(client, app, form_on(client, f"{item}/review", f"{item}/review"), payload, visit)


def start_every_quiz(client, ids, visit: Visit) -> None:
    """The learner opens each quiz, so that the questions' texts are on a page to read."""
    for page in crawl(client, start_pages("learner", ids)).values():
        for form in page.forms:
            if urlsplit(form.action).path.endswith("/attempts"):
                post(client, local_path(form.action), form.data(), visit)


# The tests ------------------------------------------------------------------------------------------
# The forms that store text someone sees again: the test below must have stored through each of them.
STORING_ENDPOINTS = {
    "admin.import_apply", "admin.new_unit", "admin.edit_unit", "admin.new_user", "admin.edit_user",
    "certification.revoke", "authoring.new", "authoring.section_new", "authoring.module_edit",
    "authoring.section_edit", "authoring.section_image", "authoring.quiz_edit",
    "authoring.question_edit_item", "authoring.certification_edit", "authoring.routine_edit",
    "authoring.submit", "authoring.review", "simulator.device",
}  # fmt: skip


def test_every_stored_payload_comes_back_as_text_on_every_page(app, client, world, make_user):
    """Every role fills every form it reaches; then every page of every role is read."""
    users, ids = world
    reviewer = make_user(users["author"].organisation, username="reviewer", roles={Role.AUTHOR})
    payload, visit = Payloads(0), Visit()
    as_role(client, users, "admin")
    import_employees(client, "Hemtjänst Centrum", payload, visit)  # while the unit has that name
    for role in FILLING_ROLES:
        as_role(client, users, role)
        fill_every_form(client, app, role, ids, payload, visit)
    send_device_message(client, ids["demo"], payload, visit)
    review_with_a_comment(client, app, users, ids, reviewer, payload, visit)
    as_role(client, users, "learner")
    start_every_quiz(client, ids, visit)

    for role in ROLES:
        as_role(client, users, role)
        pages = crawl(client, start_pages(role, ids))
        for page in pages.values():
            assert_no_vectors(page)
        visit.pages += pages.values()

    assert payload.count > len(PAYLOADS), "every payload was sent at least once"
    assert {stored.endpoint for stored in visit.stored} >= STORING_ENDPOINTS
    unseen = [
        stored for stored in visit.stored if not any(page.shows(stored.payload) for page in visit.pages)
    ]
    assert not unseen, "stored, but not shown as text anywhere (escaped twice, or dropped?)"


def query_names() -> list[str]:
    """Every query-string parameter the app reads, found in its source."""
    source = "\n".join(path.read_text() for path in (ROOT / "portal").rglob("*.py"))
    found = re.findall(r'request\.args(?:\.get\(|\[)"(\w+)"|"(\w+)" in request\.args', source)
    return sorted({name for pair in found for name in pair if name})


def test_the_app_reads_the_query_parameters_the_test_sends():
    assert {"q", "next", "unit", "code", "vy", "page"} <= set(query_names())


def pages_first_seen_by(role: str, ids: dict) -> list[str]:
    """The matrix's pages ``role`` sees that no role before it in ROLES sees: each page tested once."""
    earlier = {url for other in ROLES[: ROLES.index(role)] for url in start_pages(other, ids)}
    return [url for url in start_pages(role, ids) if url not in earlier and not NOT_PAGES.search(url)]


@pytest.mark.parametrize("role", ROLES)
def test_no_reflected_payload_becomes_markup(app, client, world, role):
    """Every query parameter the app reads, on every page; then the GET forms found there (search
    boxes), and every text segment of every path: whatever comes back is text."""
    users, ids = world
    as_role(client, users, role)
    payload = Payloads(ROLES.index(role) * 11)
    urls = pages_first_seen_by(role, ids)
    get_forms: dict[str, Form] = {}
    for url in urls:
        query = urlencode({name: payload() for name in query_names()})
        page = fetch(client, f"{url}{'&' if '?' in url else '?'}{query}")
        if page is not None:
            assert_no_vectors(page)
            get_forms.update((form.action, form) for form in page.forms if form.method == "GET")
    for form in get_forms.values():
        for _ in range(len(PAYLOADS) // 3):
            query = urlencode({name: payload() for name in form.data()})
            assert_no_vectors_at(client, f"{urlsplit(form.action).path}?{query}")
    for url in paths_with_payloads(app, urls, payload):
        assert_no_vectors_at(client, url)


def test_the_whole_corpus_is_text_in_the_hand_written_input_tag(app):
    """templating.input_tag writes the attributes of every text input itself (for speed): each payload
    of the corpus is one value attribute, whole, and nothing else."""
    corpus = sorted({entry["payload"] for entry in brs_kb.get_all_payloads().values()})
    with app.test_request_context():
        form = LoneField()
        for text in corpus:
            form.text.data = text
            page = Page("/", f"<form>{input_tag(form.text, placeholder=text)}</form>")
            assert not page.vectors, text
            (item,) = page.forms[0].inputs
            assert item.value == text, text


class LoneField(FlaskForm):
    class Meta:
        csrf = False

    text = StringField()


def test_the_checker_finds_what_a_browser_would_run():
    html = (
        '<a href=" JaVa\tScript:alert(1)">x</a><img src=x onerror=alert(1)><script>alert(1)</script>'
        '<script src="/static/js/portal.js"></script><iframe></iframe><svg></svg><p style="x">'
        '<meta http-equiv="refresh" content="0"><form action="javascript:alert(1)"></form>'
    )
    assert Page("/", html).vectors == [
        "a[href= JaVa\tScript:alert(1)]", "img[onerror]", "<script>", "<script>alert(1)", "<iframe>",
        "<svg>", "p[style]", "<meta http-equiv>", "form[action=javascript:alert(1)]",
    ]  # fmt: skip
    assert Page("/", "<p>&lt;script&gt;</p>").shows("<script>")
