import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import LoginAttempt, Role, Unit
from tests.conftest import TEST_PASSWORD

REQUIRED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def assert_security_headers(response) -> None:
    for name, value in REQUIRED_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/login", 200),
        ("GET", "/healthz", 200),
        ("GET", "/static/css/portal.css", 200),
        ("GET", "/no-such-page", 404),
        ("GET", "/admin/", 302),
        ("POST", "/healthz", 405),
    ],
)
def test_every_response_carries_the_headers(client, method, path, status):
    with client.open(path, method=method) as response:
        assert response.status_code == status
        assert_security_headers(response)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://portal.example.com")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signed_in_pages_are_not_cached(client, login, org, make_user):
    login(make_user(org))
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_error_pages_carry_the_headers_too(app, org, make_user):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert "Något gick fel" in response.text
    assert_security_headers(response)


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection switched on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def test_login_without_token_is_refused_and_records_nothing(csrf_app, org, make_user):
    make_user(org, username="anna")
    response = csrf_app.test_client().post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "Formuläret" in response.text or "formuläret" in response.text
    assert_security_headers(response)
    assert db.session.scalar(sa.select(sa.func.count(LoginAttempt.id))) == 0


def test_admin_post_without_token_changes_nothing(csrf_app, org, make_user):
    make_user(org, username="boss", roles={Role.ADMIN})
    client = csrf_app.test_client()
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert (
        client.post(
            "/login", data={"username": "boss", "password": TEST_PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    response = client.post("/admin/units/new", data={"name": "Ny enhet", "kind": "home_care"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == 0
    assert client.post("/logout").status_code == 400, "logout is state-changing too"


def test_language_switch_needs_token(csrf_app):
    response = csrf_app.test_client().post("/language", data={"language": "en"})
    assert response.status_code == 400
    assert "lang=" not in response.headers.get("Set-Cookie", "")
