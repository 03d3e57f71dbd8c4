"""The rate limits, each hit until it refuses and released when its window has passed, on a clock the
test moves (the limits count rows in the database, so every worker agrees: no sleeping here)."""

from datetime import datetime, timedelta

import pytest

from portal.auth import throttle
from portal.certification import verification
from portal.certification.services import local_today
from portal.models import utcnow
from portal.simulator import services as simulator_services
from tests.certification.test_certificate import certify, make_certification
from tests.conftest import TEST_PASSWORD
from tests.security.probes import header_problems

WRONG = "fel-lösenord-123456"
UNKNOWN_CODE = "ABCDEFGHJKLMNPQRSTUVWXYZ23"


class Clock:
    """The throttles' 'now', moved by the test; the attempts are stored at the real time."""

    def __init__(self, monkeypatch, *modules):
        self.offset = timedelta(0)
        for module in modules:
            monkeypatch.setattr(module, "utcnow", self.now)

    def now(self) -> datetime:
        return utcnow() + self.offset


def log_in(client, username: str, password: str = TEST_PASSWORD, address: str = "192.0.2.1"):
    return client.post(
        "/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def assert_refused(response, seconds: int) -> None:
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= seconds
    assert not header_problems(response, https=False, signed_in=False)
    assert "/logout" not in response.text


# Login ---------------------------------------------------------------------------------------------
@pytest.fixture
def anna(org, make_user):
    return make_user(org, username="anna")


def test_the_login_throttle_locks_an_account_and_lets_go_after_the_window(app, client, anna, monkeypatch):
    clock = Clock(monkeypatch, throttle)
    limit, minutes = app.config["LOGIN_MAX_FAILURES"], app.config["LOGIN_LOCK_MINUTES"]
    for _ in range(limit):
        assert log_in(client, "anna", WRONG).status_code == 200
    assert_refused(log_in(client, "anna"), minutes * 60)  # the right password too
    assert_refused(log_in(client, "anna", address="198.51.100.7"), minutes * 60)  # from anywhere
    clock.offset = timedelta(minutes=minutes) - timedelta(seconds=30)
    assert_refused(log_in(client, "anna"), 60)
    clock.offset = timedelta(minutes=minutes, seconds=1)
    assert log_in(client, "anna").status_code == 302


def test_the_login_throttle_locks_an_address_that_guesses_many_accounts(app, client, anna, monkeypatch):
    clock = Clock(monkeypatch, throttle)
    app.config["LOGIN_MAX_FAILURES"] = 2  # the address's limit is a multiple of it: fewer slow hashes
    per_address = app.config["LOGIN_MAX_FAILURES"] * throttle.ADDRESS_FACTOR
    for number in range(per_address):
        assert log_in(client, f"guess{number}", WRONG).status_code == 200
    assert_refused(log_in(client, "anna"), app.config["LOGIN_LOCK_MINUTES"] * 60)
    assert log_in(app.test_client(), "anna", address="198.51.100.7").status_code == 302, "others go on"
    clock.offset = timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"], seconds=1)
    assert log_in(app.test_client(), "anna").status_code == 302


# Verification codes --------------------------------------------------------------------------------
def look_up(client, code: str, address: str = "192.0.2.1"):
    return client.get(f"/verify/{code}", environ_base={"REMOTE_ADDR": address})


def test_the_verification_throttle_stops_guessing_and_lets_go_after_the_window(
    client, org, make_user, monkeypatch
):
    clock = Clock(monkeypatch, verification)
    real = certify(make_user(org), make_certification(), local_today()).verification_code
    for _ in range(verification.MAX_MISSES):
        assert look_up(client, UNKNOWN_CODE).status_code == 404
    window = verification.WINDOW_MINUTES * 60
    assert_refused(look_up(client, UNKNOWN_CODE), window)
    assert_refused(look_up(client, real), window)  # a real code too: the guesser learns nothing
    assert look_up(client, real, address="198.51.100.7").status_code == 200, "others go on"
    clock.offset = timedelta(seconds=window - 30)
    assert_refused(look_up(client, real), 30)
    clock.offset = timedelta(seconds=window + 1)
    assert look_up(client, real).status_code == 200


def test_looking_up_real_codes_is_never_throttled(client, org, make_user):
    real = certify(make_user(org), make_certification(), local_today()).verification_code
    for _ in range(verification.MAX_MISSES + 5):
        assert look_up(client, real).status_code == 200


# Demo runs -----------------------------------------------------------------------------------------
def test_starting_demo_runs_is_limited_per_visitor_and_hour(client, monkeypatch):
    """Anonymous demo runs cost the database: a visitor may start RUNS_PER_HOUR an hour."""
    clock = Clock(monkeypatch, simulator_services)
    form = {"scenario": "01-natt-fall-med-talkontakt"}
    address = {"REMOTE_ADDR": "192.0.2.1"}
    for _ in range(simulator_services.RUNS_PER_HOUR):
        assert client.post("/trygghetskedjan/runs", data=form, environ_base=address).status_code == 302
    refused = client.post("/trygghetskedjan/runs", data=form, environ_base=address)
    assert refused.status_code == 429
    assert not header_problems(refused, https=False, signed_in=False)
    other = client.post("/trygghetskedjan/runs", data=form, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other.status_code == 302
    clock.offset = timedelta(hours=1, seconds=1)
    assert client.post("/trygghetskedjan/runs", data=form, environ_base=address).status_code == 302
