"""CSRF on every state-changing route, enumerated from the app's URL map so that no route escapes: a
signed-in user who may use the route posts without a token, gets the CSRF error page, and nothing
in the database, the media folder or the cookies changes."""

import pytest

from portal.app import create_app
from portal.config import Config
from portal.extensions import db
from portal.models import RunMode, SimulationRun
from tests import test_authorisation_matrix as matrix
from tests.conftest import base_config, sign_in
from tests.security.probes import (
    csrf_token_in,
    database_rows,
    header_problems,
    is_csrf_refusal,
    stored_files,
)
from tests.test_authorisation_matrix import LOGIN, MATRIX, PUBLIC_REDIRECTS, ROLES, Expect

# The matrix's fixtures: its app (on SQLite: who may post what does not depend on the database) and
# its world of people, material and runs.
app, world = matrix.app, matrix.world

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Routes that take no token on purpose, each with the reason; test_the_device_endpoint_* hold it to it.
EXEMPT = {
    # The SCAIP receiver of a demo run: programs that play an alarm device post raw <mrq> XML and
    # have no session to take a token from. It accepts only application/scaip+xml, which no HTML
    # form can send and no script on another site can send without a CORS preflight that the portal
    # never grants, and a visitor's session gives no power there: it serves demo runs only, which
    # are anyone's who has the link.
    "simulator.device",
}
# Signing in is what an anonymous visitor does: the signed-in roles are only sent on from there.
ROLE_FOR = {"auth.login": "anonymous"}
REFUSED = {403, 404}


def state_changing_routes() -> list[tuple[str, str]]:
    rules = create_app(base_config()).url_map.iter_rules()
    return sorted({(rule.endpoint, method) for rule in rules for method in rule.methods & STATE_CHANGING})


def cases() -> list[tuple[str, str, Expect | None]]:
    """Each state-changing route with every URL the matrix fills it with; None where it has none."""
    found = []
    for endpoint, method in state_changing_routes():
        if endpoint in EXEMPT:
            continue
        expects = [expect for expect in MATRIX.get(endpoint, []) if expect.method == method]
        found.extend((endpoint, method, expect) for expect in expects or [None])
    return found


CASES = cases()


def user_for(endpoint: str, expect: Expect) -> str:
    """A role that may use the route: the first signed-in role it does not refuse."""
    if endpoint in ROLE_FOR:
        return ROLE_FOR[endpoint]
    allowed = [role for role in ROLES[1:] if expect.statuses[role] not in REFUSED]
    anonymous_allowed = expect.statuses["anonymous"] != LOGIN or endpoint in PUBLIC_REDIRECTS
    assert allowed or anonymous_allowed, f"{endpoint}: no role may use it"
    return allowed[0] if allowed else "anonymous"


def routed_to(app, url: str, method: str) -> str:
    endpoint, _args = app.url_map.bind("localhost").match(url.split("?")[0], method=method)
    return endpoint


# A form as a page on another site would send it, and the same as a script would (the live demo's).
SENDERS = {
    "form": {"data": {"scenario": "01-natt-fall-med-talkontakt", "language": "en", "name": "Ny"}},
    "script": {"json": {"from": 0, "to": 5}, "headers": {"X-Live": "1", "X-Requested-With": "fetch"}},
}


@pytest.mark.parametrize("sender", SENDERS)
@pytest.mark.parametrize(
    ("endpoint", "method", "expect"),
    CASES,
    ids=[f"{endpoint}-{method}-{expect.url if expect else 'unfilled'}" for endpoint, method, expect in CASES],
)
def test_a_post_without_token_is_refused_and_changes_nothing(
    app, client, world, endpoint, method, expect, sender
):
    assert expect is not None, (
        f"{method} {endpoint} cannot be filled in: add it to MATRIX in tests/test_authorisation_matrix.py "
        "(or, if it must take no token, to EXEMPT here with the reason)"
    )
    users, ids = world
    url = expect.url.format(**ids)
    assert routed_to(app, url, method) == endpoint, f"{url} does not reach {endpoint}"
    role = user_for(endpoint, expect)
    if role != "anonymous":
        sign_in(client, users[role])
    app.config["WTF_CSRF_ENABLED"] = True
    client.get("/")  # a page with forms: the session holds its CSRF secret, as a victim's would
    rows, files = database_rows(), stored_files(app.config["MEDIA_DIR"])
    with client.open(url, method=method, **SENDERS[sender]) as response:
        assert is_csrf_refusal(app, response), f"{role}: {response.status_code} {response.text[:300]}"
        assert not header_problems(response, https=False, signed_in=role != "anonymous")
        assert "lang=" not in " ".join(response.headers.getlist("Set-Cookie"))
    assert database_rows() == rows
    assert stored_files(app.config["MEDIA_DIR"]) == files


def test_every_state_changing_route_is_covered_or_exempt():
    routes = set(state_changing_routes())
    covered = {(endpoint, method) for endpoint, method, expect in CASES if expect is not None}
    exempt = {(endpoint, method) for endpoint, method in routes if endpoint in EXEMPT}
    assert not routes - covered - exempt, (
        f"state-changing routes without a CSRF case: {routes - covered - exempt}"
    )
    assert {endpoint for endpoint, _method in exempt} == EXEMPT, "EXEMPT names a route that is gone"


def test_the_protection_is_on_unless_a_test_turns_it_off():
    config = {key: value for key, value in base_config().items() if key != "WTF_CSRF_ENABLED"}
    production_like = create_app(config)
    assert production_like.config["WTF_CSRF_ENABLED"] is True
    assert production_like.config["WTF_CSRF_CHECK_DEFAULT"] is True  # every view, not only chosen ones
    assert getattr(Config, "WTF_CSRF_ENABLED", True) is True
    assert set(production_like.config["WTF_CSRF_METHODS"]) >= STATE_CHANGING


def test_a_valid_token_from_another_site_over_https_is_refused(app, client, world):
    """Over HTTPS the token alone is not enough: the request must come from the portal's own pages
    (Flask-WTF's strict referrer check), so a token that leaked is not a key on its own."""
    users, _ids = world
    sign_in(client, users["admin"])
    app.config["WTF_CSRF_ENABLED"] = True
    base = "https://localhost"
    token = csrf_token_in(client.get("/admin/units/new", base_url=base).text)
    rows = database_rows()
    form = {"name": "Ny enhet", "kind": "home_care", "csrf_token": token}
    foreign = client.post(
        "/admin/units/new", data=form, base_url=base, headers={"Referer": "https://evil.example.org/"}
    )
    assert is_csrf_refusal(app, foreign)
    assert database_rows() == rows
    own = client.post("/admin/units/new", data=form, base_url=base, headers={"Referer": f"{base}/admin/"})
    assert own.status_code == 302, "the same form from the portal's own page is accepted"


# The one exemption, held to its reasons ---------------------------------------------------------------
HTML_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain")


@pytest.mark.parametrize("content_type", HTML_FORM_TYPES)
def test_the_device_endpoint_refuses_what_a_form_on_another_site_can_send(app, client, world, content_type):
    users, ids = world
    sign_in(client, users["learner"])
    app.config["WTF_CSRF_ENABLED"] = True
    rows = database_rows()
    heartbeat = b"<mrq><ref>A1</ref><cid>1</cid><dty>0002</dty><mty>PI</mty></mrq>"
    response = client.post(
        f"/trygghetskedjan/runs/{ids['demo']}/scaip", data=heartbeat, content_type=content_type
    )
    assert response.status_code == 415
    assert database_rows() == rows


def test_the_device_endpoint_grants_no_other_site_a_preflight(client, world):
    _users, ids = world
    url = f"/trygghetskedjan/runs/{ids['demo']}/scaip"
    cross_site = {"Origin": "https://evil.example.org"}
    preflight = client.options(
        url,
        headers={
            **cross_site,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    answer = client.post(url, data=b"<mrq/>", content_type="application/scaip+xml", headers=cross_site)
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_a_session_gives_no_power_at_the_device_endpoint(app, client, world):
    """The trainee's own exercise is not reachable there, signed in or not: only demo runs are."""
    users, ids = world
    exercise = db.session.get(SimulationRun, ids["exercise"])
    assert exercise.mode is RunMode.EXERCISE
    assert exercise.user_id == users["learner"].id
    sign_in(client, users["learner"])
    response = client.post(
        f"/trygghetskedjan/runs/{ids['exercise']}/scaip", data=b"<mrq/>", content_type="application/scaip+xml"
    )
    assert response.status_code == 404
