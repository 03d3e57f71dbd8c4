"""Session fixation and the end of a session: what was planted before login does not survive it, the
cookie changes at login, logout ends it, a new password ends every other session, and eight idle hours
end a session.

The portal's sessions are signed cookies; the user's part of it is "<id>:<session token>", and the
token in the database is what the server can change to end sessions it cannot see (User.session_token)."""

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Role, User
from tests.conftest import TEST_PASSWORD
from tests.security.probes import csrf_token_in, is_csrf_refusal

NEW_PASSWORD = "Nattpatrull-kaffe-och-larm-7"


@pytest.fixture
def anna(org, make_user):
    return make_user(org, username="anna")


def log_in(client, user: User, password: str = TEST_PASSWORD, **form) -> None:
    response = client.post("/login", data={"username": user.username, "password": password, **form})
    assert response.status_code == 302, response.text[:300]


def is_signed_in(client) -> bool:
    return client.get("/password").status_code == 200  # anyone signed in may; others go to /login


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, cookie: str):
    """Another browser that holds a copy of `cookie` (as a thief or a planter would)."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def test_a_value_planted_before_login_does_not_survive_it(client, anna):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["csrf_token"] = "0" * 40  # a CSRF secret the attacker knows
    log_in(client, anna)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != "0" * 40
        assert session["_user_id"] == anna.get_id()


def test_the_cookie_changes_at_login_and_the_old_one_stays_anonymous(app, client, anna):
    client.get("/login")
    before = session_cookie(client)
    log_in(client, anna)
    assert session_cookie(client) != before
    assert is_signed_in(client)
    assert not is_signed_in(with_cookie(app, before)), "the cookie from before login must not be signed in"


def test_a_csrf_token_from_before_login_is_refused_after_it(app, client, anna):
    app.config["WTF_CSRF_ENABLED"] = True
    planted = csrf_token_in(client.get("/login").text)
    log_in(client, anna, csrf_token=planted)
    refused = client.post("/language", data={"language": "en", "csrf_token": planted})
    assert is_csrf_refusal(app, refused)
    fresh = csrf_token_in(client.get("/").text)
    assert client.post("/language", data={"language": "en", "csrf_token": fresh}).status_code == 302


def test_logout_ends_the_session_in_this_browser(client, anna):
    log_in(client, anna)
    assert client.post("/logout").status_code == 302
    assert not is_signed_in(client)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_a_copy_of_the_cookie_is_dead_after_logout(app, client, anna):
    log_in(client, anna)
    copy = session_cookie(client)
    client.post("/logout")
    assert not is_signed_in(with_cookie(app, copy))


def test_a_new_password_ends_every_other_session(app, client, anna):
    log_in(client, anna)
    elsewhere = app.test_client()
    log_in(elsewhere, anna)
    old_cookie = session_cookie(client)
    response = client.post(
        "/password",
        data={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert is_signed_in(client), "the session that changed the password goes on"
    assert not is_signed_in(elsewhere)
    assert not is_signed_in(with_cookie(app, old_cookie))
    log_in(app.test_client(), anna, NEW_PASSWORD)


def test_an_administrators_reset_and_deactivation_end_the_persons_sessions(app, client, org, anna, make_user):
    admin = make_user(org, username="chef", roles={Role.ADMIN})
    log_in(client, admin)
    persons = app.test_client()
    log_in(persons, anna)
    form = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(f"/admin/users/{anna.id}/password", data=form).status_code == 302
    assert not is_signed_in(persons)
    log_in(persons, anna, NEW_PASSWORD)
    assert client.post(f"/admin/users/{anna.id}/active").status_code == 302
    assert not db.session.scalar(sa.select(User.active).where(User.id == anna.id))
    assert not is_signed_in(persons)


def test_the_command_line_password_ends_the_persons_sessions(app, client, runner, anna):
    log_in(client, anna)
    result = runner.invoke(args=["users", "set-password", "anna", "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert not is_signed_in(client)


class Clock:
    """The time as the session's signature and its activity mark read it, moved by the test."""

    def __init__(self, start: float) -> None:
        self.now = start

    def time(self) -> float:
        return self.now


def test_a_session_ends_after_eight_idle_hours_and_not_while_in_use(client, anna, monkeypatch):
    import itsdangerous.timed

    from portal.auth import idle

    clock = Clock(1_800_000_000)
    monkeypatch.setattr(itsdangerous.timed, "time", clock)
    monkeypatch.setattr(idle, "time", clock)
    response = client.post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Expires" not in cookie, "closing the browser signs out"
    assert "Max-Age" not in cookie

    for _ in range(3):  # a long shift of use, a page every seven hours
        clock.now += 7 * 3600
        assert is_signed_in(client)
    clock.now += 8 * 3600 + 60
    assert not is_signed_in(client), "eight hours unused end the session"
