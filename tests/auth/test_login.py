import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import LoginAttempt, Role
from tests.conftest import TEST_PASSWORD

GENERIC = "Fel användarnamn eller lösenord."


@pytest.fixture
def anna(org, make_user, make_unit):
    return make_user(org, username="anna", unit=make_unit(org))


def attempts(**where) -> list[LoginAttempt]:
    query = sa.select(LoginAttempt).filter_by(**where).order_by(LoginAttempt.id)
    return list(db.session.scalars(query))


def test_login_with_username_then_start_page(client, anna):
    response = client.post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Anna" in client.get("/").text or anna.full_name in client.get("/").text


def test_login_with_email_ignores_case(client, anna):
    response = client.post("/login", data={"username": " ANNA@example.com ", "password": TEST_PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("username", "password"),
    [("anna", "wrong-password-123"), ("nobody", TEST_PASSWORD), ("anna", TEST_PASSWORD.upper())],
)
def test_failed_login_gives_one_generic_message(client, anna, username, password):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 200
    assert GENERIC in response.text
    assert "/logout" not in response.text
    assert attempts(succeeded=False)[-1].username == username


def test_deactivated_account_cannot_log_in(client, org, make_user):
    user = make_user(org, username="gone", active=False)
    response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
    assert GENERIC in response.text


def test_empty_form_names_both_fields(client):
    response = client.post("/login", data={})
    assert (
        "Ange ditt användarnamn eller din e-postadress." in response.text or "användarnamn" in response.text
    )
    assert response.status_code == 200
    assert attempts() == []


def test_failed_and_successful_logins_are_logged_and_recorded(client, anna, caplog):
    caplog.set_level(logging.INFO, logger="portal.auth")
    client.post("/login", data={"username": "anna", "password": "wrong-password-123"})
    client.post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    assert [a.succeeded for a in attempts(username="anna")] == [False, True]
    assert attempts(username="anna")[0].user_id == anna.id
    messages = [record.getMessage() for record in caplog.records if record.name == "portal.auth"]
    assert any("login failed user=anna" in m for m in messages)
    assert any("login succeeded user=anna" in m for m in messages)


def test_five_failures_lock_the_account_even_for_the_right_password(client, anna):
    for _ in range(5):
        client.post("/login", data={"username": "anna", "password": "wrong-password-123"})
    response = client.post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert "För många misslyckade försök" in response.text
    assert "/logout" not in client.get("/").text


def test_lock_ends_when_the_window_has_passed(client, anna):
    for _ in range(5):
        client.post("/login", data={"username": "anna", "password": "wrong-password-123"})
    for attempt in attempts(username="anna"):
        attempt.at -= timedelta(minutes=16)
    db.session.commit()
    response = client.post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_success_resets_the_count(client, anna):
    for _ in range(4):
        client.post("/login", data={"username": "anna", "password": "wrong-password-123"})
    client.post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    client.post("/logout")
    for _ in range(4):
        client.post("/login", data={"username": "anna", "password": "wrong-password-123"})
    assert client.post("/login", data={"username": "anna", "password": TEST_PASSWORD}).status_code == 302


def test_one_address_guessing_many_accounts_is_throttled(client, anna):
    for number in range(20):
        client.post("/login", data={"username": f"guess{number}", "password": "wrong-password-123"})
    response = client.post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_session_is_renewed_at_login(client, anna):
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    client.post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{anna.id}:")


def test_session_cookie_flags(client, anna):
    response = client.post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookie_when_configured(app, anna):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = app.test_client().post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("target", ["//evil.example.com/", "https://evil.example.com/", "/\\evil"])
def test_next_never_leaves_the_site(client, anna, target):
    response = client.post(
        "/login", query_string={"next": target}, data={"username": "anna", "password": TEST_PASSWORD}
    )
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))
    assert "evil.example.com" not in location.split("?")[0] or location == "/"


def test_next_within_the_site_is_followed(client, org, make_user):
    user = make_user(org, username="boss", roles={Role.ADMIN})
    response = client.post(
        "/login",
        query_string={"next": "/admin/units"},
        data={"username": user.username, "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/admin/units"


def test_logout_needs_post(client, anna, login):
    login(anna)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/password").status_code == 302


def test_outdated_hash_is_upgraded_at_login(client, anna):
    from argon2 import PasswordHasher

    anna.password_hash = PasswordHasher(time_cost=3, memory_cost=8192, parallelism=4).hash(TEST_PASSWORD)
    db.session.commit()
    client.post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    db.session.refresh(anna)
    assert anna.password_hash.startswith("$argon2id$v=19$m=47104,t=1,p=1$"), "the OWASP configuration"


def test_a_login_the_database_could_not_store_signs_no_one_in(tmp_path, password_hash):
    """The database refuses the login's write (another connection holds SQLite's write lock until the
    busy timeout ends): the person gets the 503 page and a cookie that signs no one in."""
    import sqlite3

    from portal.app import create_app
    from portal.models import Organisation, User
    from tests.conftest import base_config

    path = tmp_path / "portal.sqlite"
    app = create_app(base_config(f"sqlite:///{path}"))
    with app.app_context():
        db.create_all()
        organisation = Organisation(name="Kommun", code="kommun")
        user = User(organisation=organisation, username="anna", full_name="Anna Lind",
                    email="anna@example.com", password_hash=password_hash, active=True)  # fmt: skip
        user.set_roles({Role.LEARNER})
        db.session.add(user)
        db.session.commit()
        db.session.remove()
    client = app.test_client()

    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        response = client.post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    assert response.status_code == 503
    assert client.get("/learning/").status_code == 302, "not signed in"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LoginAttempt.id))) == 0, "nothing half-written"
        assert db.session.scalar(sa.select(User.last_login_at)) is None
        db.engine.dispose()
