"""Security headers on every response: every GET route of the matrix as every role, the error pages
and the static files, over HTTP and HTTPS."""

import pytest
from sqlalchemy.exc import OperationalError

from portal.app import create_app
from portal.config import ROOT
from tests import test_authorisation_matrix as matrix
from tests.conftest import base_config, sign_in
from tests.security.probes import header_problems
from tests.test_authorisation_matrix import MATRIX, ROLES

# The matrix's fixtures: its app (on SQLite: headers do not depend on the database) and its world.
app, world = matrix.app, matrix.world

SCHEMES = {"http": "http://localhost", "https": "https://localhost"}
GETS = [
    (endpoint, expect) for endpoint, expects in MATRIX.items() for expect in expects if expect.method == "GET"
]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_carries_the_headers(client, world, role, scheme):
    users, ids = world
    if role != "anonymous":
        sign_in(client, users[role])
    problems = []
    for endpoint, expect in GETS:
        with client.get(expect.url.format(**ids), base_url=SCHEMES[scheme]) as response:
            found = header_problems(response, https=scheme == "https", signed_in=role != "anonymous")
        problems += [f"{endpoint} ({response.status_code}): {problem}" for problem in found]
    assert not problems, "\n".join(problems)


def test_the_matrix_reaches_every_kind_of_answer(client, world):
    """The loop above sees pages, redirects, refusals and files, not only one kind."""
    users, ids = world
    sign_in(client, users["learner"])
    seen = set()
    for _endpoint, expect in GETS:
        with client.get(expect.url.format(**ids)) as response:
            seen.add((response.status_code, response.mimetype))
    assert {(200, "text/html"), (302, "text/html"), (403, "text/html")} <= seen
    assert {(200, "application/pdf"), (200, "text/vtt")} <= seen


def boom():
    raise RuntimeError("secret internals")


def database_down():
    raise OperationalError("SELECT 1", {}, ConnectionRefusedError("the database is restarting"))


@pytest.fixture
def failing(app):
    """Routes that fail as a bug and as a database outage do (added before the app's first request)."""
    app.add_url_rule("/test-only/boom", view_func=boom)
    app.add_url_rule("/test-only/database-down", view_func=database_down)
    return app


ERRORS = {  # what to ask, and the answer it gets
    "not found": ("GET", "/no-such-page", 404),
    "not allowed": ("GET", "/logout", 405),
    "refused": ("GET", "/admin/", 403),
    "bad request": ("POST", "/learning/modules/grunder/film/watched", 400),
    "bug": ("GET", "/test-only/boom", 500),
    "database down": ("GET", "/test-only/database-down", 503),
    "too large": ("POST", "/language", 413),
}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("error", ERRORS)
def test_error_pages_carry_the_headers(failing, client, world, error, scheme):
    users, _ids = world
    sign_in(client, users["learner"])
    failing.config["MAX_CONTENT_LENGTH"] = 1000
    method, url, status = ERRORS[error]
    body = {"data": {"padding": "x" * 2000}} if status == 413 else {}
    with client.open(url, method=method, base_url=SCHEMES[scheme], **body) as response:
        assert response.status_code == status
        assert not header_problems(response, https=scheme == "https", signed_in=True)
        assert "secret internals" not in response.text
        assert "Traceback" not in response.text


@pytest.mark.parametrize("scheme", SCHEMES)
def test_an_unreachable_database_answers_503_with_the_headers(scheme):
    unreachable = create_app(base_config("sqlite:////nonexistent-directory/portal.sqlite"))
    response = unreachable.test_client().post(
        "/login", data={"username": "anna", "password": "whatever-123"}, base_url=SCHEMES[scheme]
    )
    assert response.status_code == 503
    assert not header_problems(response, https=scheme == "https", signed_in=False)


STATIC_FILES = sorted(path.relative_to(ROOT / "static").as_posix() for path in (ROOT / "static").rglob("*.*"))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_static_files_carry_the_headers(client, world, scheme):
    assert STATIC_FILES, "no static files found"
    problems = []
    for name in STATIC_FILES:
        with client.get(f"/static/{name}", base_url=SCHEMES[scheme]) as response:
            assert response.status_code == 200, name
            problems += [
                f"{name}: {p}" for p in header_problems(response, https=scheme == "https", signed_in=False)
            ]
    assert not problems, "\n".join(problems)


def test_hsts_behind_a_trusted_proxy_that_speaks_https():
    behind_proxy = create_app(base_config(PROXY_HOPS=1))
    response = behind_proxy.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert not header_problems(response, https=True, signed_in=False)


def test_no_hsts_over_plain_http():
    """A browser ignores HSTS over HTTP, and sending it there would say the wrong thing."""
    response = create_app(base_config()).test_client().get("/login")
    assert "Strict-Transport-Security" not in response.headers
