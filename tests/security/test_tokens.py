"""Every token the portal issues, tested for what its design promises.

| token                       | made by                              | promise                                          |
|-----------------------------|--------------------------------------|--------------------------------------------------|
| session cookie              | Flask, signed with SECRET_KEY        | unforgeable; ends with the browser, or            |
|                             |                                      | PERMANENT_SESSION_LIFETIME after its last change  |
| User.session_token          | secrets.token_urlsafe(16)            | 128 bits; changing it ends every session          |
| CSRF token                  | Flask-WTF, signed, in the session    | bound to its session and to SECRET_KEY            |
| certificate's verification  | secrets.choice, 26 of 32 characters  | 130 bits; permanent (it is printed), shows the    |
| code                        |                                      | live status; guessing is throttled (rate limits)  |
| simulation run id (the      | secrets.token_urlsafe(16)            | 128 bits; a demo run is anyone's with the link    |
| SCAIP endpoint's address)   |                                      | and gone a day after its last use; an exercise's  |
|                             |                                      | id opens nothing to anybody but its trainee       |

There are no password-reset, invitation or e-mail confirmation tokens (an administrator sets a new
password), so no token is single-use; test_url_parameters_are_classified fails when a new kind of
value turns up in a URL, so that a new token gets its tests here.
"""

import base64
import random
from datetime import timedelta

import itsdangerous
import pytest

from portal.certification import services as certification_services
from portal.certification.verification import CODE_ALPHABET
from portal.extensions import db
from portal.models import Role, RunMode, User, utcnow
from portal.simulator import services as simulator_services
from portal.simulator.catalogue import scenarios
from tests.certification.test_certificate import certify, make_certification
from tests.certification.test_verify import page_text
from tests.conftest import TEST_PASSWORD, sign_in
from tests.security.probes import csrf_token_in, is_csrf_refusal

SAMPLES = 500


@pytest.fixture
def anna(org, make_user):
    return make_user(org, username="anna")


def is_signed_in(client) -> bool:
    return client.get("/password").status_code == 200


def decoded_bytes(token: str) -> int:
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


def from_a_reseeded_global_random(make) -> tuple[str, str]:
    """Two tokens made after seeding `random` alike: equal if the maker used the global generator."""
    random.seed(1)
    first = make()
    random.seed(1)
    return first, make()


def assert_unguessable(make, bits_of) -> None:
    first, second = from_a_reseeded_global_random(make)
    assert first != second, "made with the global `random`: predictable"
    tokens = {make() for _ in range(SAMPLES)}
    assert len(tokens) == SAMPLES
    assert min(bits_of(token) for token in tokens) >= 128


# Session -------------------------------------------------------------------------------------------
def new_session_token() -> str:
    user = User()
    user.rotate_session_token()
    return user.session_token


def test_session_tokens_are_unguessable():
    assert_unguessable(new_session_token, lambda token: 8 * decoded_bytes(token))


@pytest.mark.parametrize(
    "forged", ["{id}", "{id}:", "{id}:{token}x", "{id}:AAAAAAAAAAAAAAAAAAAAAA", "x:{token}"]
)
def test_a_guessed_or_missing_session_token_signs_nobody_in(client, anna, forged):
    """Even an attacker who could sign cookies would need the token, and it ends with a new password."""
    with client.session_transaction() as session:
        session["_user_id"] = forged.format(id=anna.id, token=anna.session_token)
    assert not is_signed_in(client)
    sign_in(client, anna)
    assert is_signed_in(client), "the right token does sign in: the refusals above are real"


def test_a_cookie_signed_with_another_key_signs_nobody_in(app, client, anna):
    forger = app.test_client()
    app.secret_key = "guessed-secret"
    sign_in(forger, anna)
    cookie = forger.get_cookie("session").value
    app.secret_key = app.config["SECRET_KEY"] = "test-secret"
    client.set_cookie("session", cookie)
    assert not is_signed_in(client)


class Clock:
    """itsdangerous's clock, which signs and checks the session cookie's age."""

    def __init__(self, monkeypatch):
        self.now = int(utcnow().timestamp())
        monkeypatch.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda signer: self.now)


def test_a_session_ends_with_the_browser_or_a_lifetime_after_its_last_change(app, client, anna, monkeypatch):
    clock = Clock(monkeypatch)
    response = client.post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" not in cookie, "a browser-session cookie"
    assert "Max-Age=" not in cookie
    assert is_signed_in(client)  # the first page stores the CSRF secret: the cookie's last change
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    clock.now += lifetime - 60
    assert is_signed_in(client)
    clock.now += 61
    assert not is_signed_in(client)


# CSRF ----------------------------------------------------------------------------------------------
def test_a_csrf_token_is_bound_to_its_session(app, client, anna, org, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    sign_in(client, anna)
    attacker = app.test_client()
    sign_in(attacker, make_user(org, username="mallory"))
    attackers_token = csrf_token_in(attacker.get("/").text)
    client.get("/")
    assert is_csrf_refusal(
        app, client.post("/language", data={"language": "en", "csrf_token": attackers_token})
    )
    forged = itsdangerous.URLSafeTimedSerializer("guessed-secret", salt="wtf-csrf-token").dumps("0" * 40)
    assert is_csrf_refusal(app, client.post("/language", data={"language": "en", "csrf_token": forged}))
    own = csrf_token_in(client.get("/").text)
    assert client.post("/language", data={"language": "en", "csrf_token": own}).status_code == 302


# Verification codes --------------------------------------------------------------------------------
def test_verification_codes_are_unguessable():
    code = certification_services.new_verification_code
    assert len(set(CODE_ALPHABET)) == 32
    assert all(set(code()) <= set(CODE_ALPHABET) for _ in range(50))
    assert_unguessable(code, lambda token: 5 * len(token))


def test_a_verification_code_lasts_and_tells_the_live_status(client, org, make_user, make_unit):
    """Printed on paper and read by any employer, the code is not single-use and never expires;
    what it shows is the certificate's status today, revoked included."""
    holder = make_user(org, username="goran", unit=make_unit(org))
    boss = make_user(org, username="chef", roles={Role.ADMIN})
    cycle = certify(holder, make_certification(), certification_services.local_today())
    client.set_cookie("lang", "en")
    for _ in range(3):
        assert "Status: ✓ Valid" in page_text(client.get(f"/verify/{cycle.verification_code}"))
    certification_services.revoke(cycle, boss, "Fel person.")
    db.session.commit()
    assert "Status: ⊘ Revoked" in page_text(client.get(f"/verify/{cycle.verification_code}"))


# Simulation runs -----------------------------------------------------------------------------------
SCENARIO = "01-natt-fall-med-talkontakt"


def new_run(app, **kwargs):
    app.config["SIMULATOR_RUNS_PER_HOUR"] = 10 * SAMPLES
    return simulator_services.create_run(
        scenarios()[SCENARIO], client="tokens", **{"mode": RunMode.DEMO, **kwargs}
    )


def test_run_ids_are_unguessable(app):
    assert_unguessable(lambda: new_run(app).id, lambda token: 8 * decoded_bytes(token))


def device(client, run_id: str):
    return client.post(f"/trygghetskedjan/runs/{run_id}/scaip", data=b"<mrq/>", content_type="text/plain")


def test_a_demo_run_and_its_device_endpoint_end_a_day_after_last_use(app, client):
    started = utcnow() - timedelta(days=2)
    run = new_run(app, now=started)
    assert simulator_services.prune(now=started + timedelta(hours=23)) == 0
    assert device(client, run.id).status_code == 415, "alive: it answers (and refuses a form's body)"
    assert simulator_services.prune(now=started + timedelta(hours=24, seconds=1)) == 1
    assert device(client, run.id).status_code == 404
    assert client.get(f"/trygghetskedjan/runs/{run.id}").status_code == 404


def test_an_exercise_id_opens_nothing_to_anybody_but_its_trainee(app, client, org, make_user):
    trainee, other = make_user(org, username="trainee"), make_user(org, username="other")
    run = new_run(app, mode=RunMode.EXERCISE, user=trainee, role="home_care")
    url = f"/trygghetskedjan/runs/{run.id}"
    assert client.get(url).status_code == 404
    sign_in(client, other)
    assert client.get(url).status_code == 404
    assert device(client, run.id).status_code == 404
    sign_in(client, trainee)
    assert client.get(url).status_code == 200


# Whatever else comes in a URL ----------------------------------------------------------------------
# Values that are secrets in themselves (whoever has one may use it): tested above.
BEARER_TOKENS = {"run_id", "code"}
# Everything else names a row, a file or a choice, and the role and organisation checks decide
# (tests/test_authorisation_matrix.py, and the IDOR tests).
NAMES = {
    "attempt_id", "certification_id", "content_id", "cycle_id", "filename", "import_id", "kind",
    "membership_id", "number", "question_id", "quiz_version_id", "scenario", "section_slug", "sha256",
    "slug", "unit_id", "user_id",
}  # fmt: skip


def test_url_parameters_are_classified(app):
    """A new parameter (a reset or invitation token, say) fails here until it is placed: if it is a
    token, add it to BEARER_TOKENS with tests of its entropy, expiry and single use."""
    parameters = {name for rule in app.url_map.iter_rules() for name in rule.arguments}
    assert parameters - BEARER_TOKENS - NAMES == set()
    assert BEARER_TOKENS <= parameters


def test_no_reset_or_invitation_route_exists(app):
    words = ("reset", "invite", "invitation", "confirm-email", "magic", "token")
    found = [rule.rule for rule in app.url_map.iter_rules() if any(word in rule.rule for word in words)]
    assert found == [], "a new token route: test that its tokens are single-use and expire"
