"""The SCAIP receiver of a demo run: real device traces are accepted and reach the run; anything else
gets a parseable ``<mrs>`` with the right status number, never a server error, and is not stored."""

import io
import re
from datetime import timedelta

import defusedxml.ElementTree as DET
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from portal.extensions import db
from portal.models import InputKind, RunMode, SimulationInput, SimulationRun, utcnow
from portal.simulator import services
from portal.simulator.catalogue import scenarios

SCAIP = "application/scaip+xml"
SCENARIO = "05-tekniskt-larm-forbindelse"  # no alarm case at the start: a new case is the device's
REF = re.compile(r"[0-9a-zA-Z]{1,16}")

# The brief's "Real device traces" (section 2.3), as the devices sent them.
TRACES = {
    "heartbeat, 2-digit dty": b"<mrq><ref>00001A85</ref><cha>0</cha><mty>PI</mty><cid>26317</cid><dty>02</dty>"
    b"<did>00</did><crd>no-voice:</crd><stc>102</stc></mrq>",
    "heartbeat with gsm": b"<mrq><ref>v6l7eiuzBTfybE7j</ref><cid>999998</cid><dty>0002</dty><mty>PI</mty>"
    b"<stc>0009</stc><lco>002</lco><crd>gsm:</crd><cha>0</cha></mrq>",
    "manual alarm, fixed trigger": b"<mrq><ref>yhexGeV5E49zglfi</ref><cid>999998</cid><dty>0004</dty>"
    b"<mty>ME</mty><stc>0010</stc><lco>002</lco><crd>gsm:</crd><cha>0</cha></mrq>",
    "malfunction of the unit": b"<mrq><ref>lmepivnFqmI8Jvv1</ref><cid>999998</cid><dty>0002</dty><mty>ME</mty>"
    b"<stc>0067</stc><crd>gsm:</crd><cha>0</cha></mrq>",
    # The public SIP test, with its __CID__ and __GSMNUMBER__ placeholders filled in.
    "SIP test": b"<mrq><ref>787025300001</ref><cha>1</cha><mty>ME</mty><cid>4600987654</cid><dty>0004</dty>"
    b"<stc>0010</stc><crd>gsm:+46701234567</crd></mrq>",
}
# The simulator's message shapes (section 6.6).
SHAPES = {
    "SIM0001 personal alarm": b"<mrq><ref>SIM0001</ref><ver>01.00</ver><mty>ME</mty><cid>4600123456</cid>"
    b"<dty>0003</dty><dco>002</dco><stc>0010</stc><lco>002</lco><crd>gsm:+46700000000</crd><cha>0</cha></mrq>",
    "SIM0002 heartbeat": b"<mrq><ref>SIM0002</ref><mty>PI</mty><cid>4600123456</cid><dty>0002</dty>"
    b"<stc>0102</stc><crd>no-voice:</crd></mrq>",
    "SIM0003 low battery": b"<mrq><ref>SIM0003</ref><mty>ME</mty><cid>4600123456</cid><dty>0003</dty>"
    b"<stc>0016</stc><crd>no-voice:</crd></mrq>",
    "SIM0004 power failure": b"<mrq><ref>SIM0004</ref><mty>ME</mty><cid>4600123456</cid><dty>0041</dty>"
    b"<stc>0085</stc><crd>no-voice:</crd></mrq>",
    "SIM0005 door open too long": b"<mrq><ref>SIM0005</ref><mty>ME</mty><cid>4600123456</cid><dty>0014</dty>"
    b"<stc>0077</stc><lco>039</lco><crd>gsm:+46700000000</crd></mrq>",
    "SIM0006 cancel": b"<mrq><ref>SIM0006</ref><mty>ME</mty><cid>4600123456</cid><dty>0003</dty>"
    b"<stc>0019</stc><crd>no-voice:</crd></mrq>",
}
MANUAL_ALARM = TRACES["manual alarm, fixed trigger"]
HEARTBEAT = SHAPES["SIM0002 heartbeat"]


@pytest.fixture
def demo(app) -> str:
    run = services.create_run(scenarios()[SCENARIO], mode=RunMode.DEMO, client="test:device")
    return run.id


def send(client, run_id: str, body: bytes, content_type: str | None = SCAIP):
    return client.post(f"/trygghetskedjan/runs/{run_id}/scaip", data=body, content_type=content_type)


def mrs(response) -> dict[str, str]:
    """The answer's elements; fails unless it is an ``<mrs>`` sent as SCAIP."""
    assert response.mimetype == SCAIP, response.headers
    root = DET.fromstring(response.data, forbid_dtd=True)
    assert root.tag == "mrs", response.data
    answer = {child.tag: child.text or "" for child in root}
    assert REF.fullmatch(answer["ref"]), response.data
    return answer


def device_inputs(run_id: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SimulationInput)
        .where(SimulationInput.run_id == run_id, SimulationInput.kind == InputKind.DEVICE)
    )


def live(run_id: str):
    db.session.expire_all()
    return services.live(db.session.get(SimulationRun, run_id))


def assert_refused(response, http: int, snu: int, run_id: str, ref: str = "0") -> dict[str, str]:
    answer = mrs(response)
    assert (response.status_code, answer["snu"], answer["ref"]) == (http, str(snu), ref), response.data
    assert device_inputs(run_id) == 0
    return answer


# Accepted ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body", [*TRACES.values(), *SHAPES.values()], ids=[*TRACES, *SHAPES])
def test_real_traces_and_simulator_shapes_are_accepted(client, demo, body):
    ref = re.search(rb"<ref>(\w+)</ref>", body).group(1).decode()

    response = send(client, demo, body)

    answer = mrs(response)
    assert (response.status_code, answer["snu"], answer["ref"]) == (200, "0", ref)
    assert device_inputs(demo) == 1


def test_an_alarm_with_voice_gets_the_duplex_call_answer_of_the_brief(client, demo):
    response = send(client, demo, SHAPES["SIM0001 personal alarm"])
    assert response.data == b"<mrs><ref>SIM0001</ref><snu>0</snu><mre>1</mre><cre>61</cre></mrs>"
    assert mrs(send(client, demo, HEARTBEAT)) == {"ref": "SIM0002", "snu": "0", "mre": "0"}


def test_a_manual_alarm_opens_a_case_in_the_run(client, demo):
    before = set(live(demo).world.cases)

    assert send(client, demo, MANUAL_ALARM).status_code == 200

    state = live(demo)
    (new,) = set(state.world.cases) - before
    case = state.world.cases[new]
    assert (case.cid, case.dty) == ("999998", "0004")
    page = client.get(f"/trygghetskedjan/runs/{demo}")
    assert page.status_code == 200
    assert f'id="case-{new}"' in page.text
    assert "yhexGeV5E49zglfi" in page.text  # the message and the receiver's answer, as exchanged


def test_a_media_type_parameter_is_accepted(client, demo):
    response = send(client, demo, HEARTBEAT, content_type=f"{SCAIP}; charset=utf-8")
    assert (response.status_code, mrs(response)["snu"]) == (200, "0")


def test_the_endpoint_needs_no_csrf_token_while_the_forms_do(app, client, demo):
    app.config["WTF_CSRF_ENABLED"] = True
    assert (
        client.post(f"/trygghetskedjan/runs/{demo}/inject", data={"injection": "no_answer"}).status_code
        == 400
    )
    assert send(client, demo, HEARTBEAT).status_code == 200


# Refused: the message ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml at all",
        b"<mrq><ref>A1</ref><cid>1</cid><dty>0002</dty>",  # never closed
        b"<mrq><ref>A1</ref></mrx>",
        b"<mrs><ref>A1</ref><snu>0</snu></mrs>",  # an answer is not a request
        b"<mrq>text<ref>A1</ref><cid>1</cid><dty>0002</dty></mrq>",
        b"<mrq><ref>A1</ref><ref>A2</ref><cid>1</cid><dty>0002</dty></mrq>",
        b"<mrq><ref>A1</ref><cid><b>1</b></cid><dty>0002</dty></mrq>",
        b"\xff\xfe<\x00m\x00r\x00q\x00>",
        b"<mrq><ref>A1\xff</ref><cid>1</cid><dty>0002</dty></mrq>",  # not UTF-8
        b'<?xml version="1.0" encoding="no-such-encoding"?><mrq/>',
    ],
)
def test_malformed_xml_is_refused_as_invalid_format(client, demo, body):
    assert_refused(send(client, demo, body), 400, 2, demo)


def hostile(secret_path) -> dict[str, bytes]:
    url = secret_path.as_uri().encode()
    laughs = b'<!ENTITY a "ha">' + b"".join(
        b'<!ENTITY %c "%s">' % (ord("a") + n, (b"&%c;" % (ord("a") + n - 1)) * 10) for n in range(1, 10)
    )
    return {
        "external entity (XXE)": b'<?xml version="1.0"?><!DOCTYPE mrq [<!ENTITY x SYSTEM "' + url + b'">]>'
        b"<mrq><ref>A1</ref><cid>1</cid><dty>0002</dty><dte>&x;</dte></mrq>",
        "parameter entity": b'<!DOCTYPE mrq [<!ENTITY % p SYSTEM "' + url + b'"> %p;]>'
        b"<mrq><ref>A1</ref><cid>1</cid><dty>0002</dty></mrq>",
        "billion laughs": b"<!DOCTYPE mrq [" + laughs + b"]><mrq><ref>A1</ref><cid>1</cid><dty>0002</dty>"
        b"<dte>&j;</dte></mrq>",
        "external DTD": b'<!DOCTYPE mrq SYSTEM "'
        + url
        + b'"><mrq><ref>A1</ref><cid>1</cid><dty>0002</dty></mrq>',
        "plain internal DTD": b"<!DOCTYPE mrq [<!ELEMENT mrq ANY>]><mrq><ref>A1</ref><cid>1</cid>"
        b"<dty>0002</dty></mrq>",
    }


@pytest.mark.parametrize(
    "name",
    ["external entity (XXE)", "parameter entity", "billion laughs", "external DTD", "plain internal DTD"],
)
def test_dtds_and_entities_are_refused_without_reading_anything(client, demo, tmp_path, name):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-4711")

    response = send(client, demo, hostile(secret)[name])

    assert 400 <= response.status_code < 500
    assert_refused(response, response.status_code, 2, demo)
    assert b"TOPSECRET" not in response.data
    assert b"hahaha" not in response.data


@pytest.mark.parametrize(
    ("body", "ref"),
    [
        (b"<mrq><cid>1</cid><dty>0002</dty></mrq>", "0"),
        (b"<mrq><ref>A1</ref><dty>0002</dty></mrq>", "A1"),
        (b"<mrq><ref>A1</ref><cid>1</cid><mty>ME</mty></mrq>", "A1"),
        (b"<mrq/>", "0"),
    ],
    ids=["no ref", "no cid", "no dty", "empty"],
)
def test_a_missing_mandatory_tag_is_refused_as_such(client, demo, body, ref):
    assert_refused(send(client, demo, body), 422, 7, demo, ref)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cid", "46OO12"),  # letters in the controller id
        ("cid", "12345678901234567"),  # longer than 16 digits
        ("dty", "fall"),
        ("stc", "00100"),
        ("mty", "XX"),
        ("crd", "fax:123"),
        ("crd", "gsm:abc"),
        ("crd", "no-voice:0701234567"),
        ("crd", "sip:"),
        ("lco", "kitchen"),
        ("ref", "X" * 17),
    ],
)
def test_wrong_data_is_refused_as_such(client, demo, field, value):
    fields = {"ref": "A1", "mty": "ME", "cid": "4600123456", "dty": "0003", "stc": "0010", field: value}
    body = ("<mrq>" + "".join(f"<{k}>{v}</{k}>" for k, v in fields.items()) + "</mrq>").encode()

    assert_refused(send(client, demo, body), 422, 3, demo, "0" if field == "ref" else "A1")


def test_a_bad_position_is_wrong_data(client, demo):
    body = b"<mrq><ref>A1</ref><cid>1</cid><dty>0051</dty><lge><geo>95.0,18.0</geo></lge></mrq>"
    assert_refused(send(client, demo, body), 422, 3, demo, "A1")


def padded(size: int) -> bytes:
    """A valid heartbeat of exactly ``size`` bytes (blanks before the end tag)."""
    return HEARTBEAT[:-6] + b" " * (size - len(HEARTBEAT)) + b"</mrq>"


def test_a_message_of_the_largest_size_is_accepted(client, demo):
    response = send(client, demo, padded(services.MAX_BODY))
    assert (response.status_code, mrs(response)["snu"]) == (200, "0")


def test_a_longer_message_is_refused_as_too_long(client, demo):
    assert_refused(send(client, demo, padded(services.MAX_BODY + 1)), 413, 1, demo)


def test_a_long_chunked_message_without_content_length_is_refused_as_too_long(client, demo):
    builder = EnvironBuilder(
        path=f"/trygghetskedjan/runs/{demo}/scaip",
        method="POST",
        input_stream=io.BytesIO(padded(100_000)),
        content_type=SCAIP,
        headers={"Transfer-Encoding": "chunked"},
    )
    environ = builder.get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True  # what a server that decodes chunked bodies sets

    assert_refused(client.open(Request(environ)), 413, 1, demo)


@pytest.mark.parametrize(
    "content_type", ["text/xml", "application/xml", "application/x-www-form-urlencoded", None]
)
def test_another_content_type_is_refused_with_an_answer(client, demo, content_type):
    assert_refused(send(client, demo, MANUAL_ALARM, content_type), 415, 2, demo)


# Refused: the run ----------------------------------------------------------------------------------
def test_an_exercise_run_has_no_device_endpoint(client, org, make_user):
    trainee = make_user(org)
    exercise = services.create_run(scenarios()[SCENARIO], mode=RunMode.EXERCISE, client="test:exercise",
                                   user=trainee, role="home_care")  # fmt: skip
    assert send(client, exercise.id, MANUAL_ALARM).status_code == 404
    assert device_inputs(exercise.id) == 0


@pytest.mark.parametrize("run_id", ["no-such-run", "x" * 33])
def test_an_unknown_run_has_no_device_endpoint(client, run_id):
    assert send(client, run_id, MANUAL_ALARM).status_code == 404


def test_only_post_is_allowed(client, demo):
    assert client.get(f"/trygghetskedjan/runs/{demo}/scaip").status_code == 405


def test_more_messages_a_minute_than_allowed_are_refused_as_busy_and_not_stored(client, demo, monkeypatch):
    limit = services.DEVICE_MESSAGES_PER_MINUTE
    for _ in range(limit):
        assert send(client, demo, HEARTBEAT).status_code == 200

    response = send(client, demo, MANUAL_ALARM)

    answer = mrs(response)
    assert (response.status_code, answer["snu"], answer["ref"]) == (429, "6", "yhexGeV5E49zglfi")
    assert device_inputs(demo) == limit
    assert len(live(demo).world.cases) == 0
    later = utcnow() + timedelta(seconds=61)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    assert send(client, demo, MANUAL_ALARM).status_code == 200  # a minute on, the device is heard again


def test_a_full_run_refuses_messages(app, client, demo):
    app.config["SIMULATOR_INPUTS_PER_RUN"] = 2
    assert [send(client, demo, HEARTBEAT).status_code for _ in range(2)] == [200, 200]

    response = send(client, demo, MANUAL_ALARM)

    answer = mrs(response)
    assert (response.status_code, answer["snu"], answer["ste"]) == (429, "6", "run_full")
    assert device_inputs(demo) == 2


def test_the_clock_running_does_not_fill_a_run(app, client, demo):
    app.config["SIMULATOR_INPUTS_PER_RUN"] = 1
    for _ in range(3):
        services.advance(db.session.get(SimulationRun, demo), 60)
    assert send(client, demo, MANUAL_ALARM).status_code == 200


def test_a_run_whose_time_is_up_refuses_messages(client, demo):
    scenario = scenarios()[SCENARIO]
    db.session.execute(
        sa.update(SimulationRun)
        .where(SimulationRun.id == demo)
        .values(virtual_now=scenario.start + scenario.horizon)
    )
    db.session.commit()

    response = send(client, demo, MANUAL_ALARM)

    answer = mrs(response)
    assert (response.status_code, answer["snu"], answer["ref"]) == (409, "5", "yhexGeV5E49zglfi")
    assert device_inputs(demo) == 0


# Anything at all -----------------------------------------------------------------------------------
_VALUES = {
    "ref": ["A1", "SIM0001", "X" * 17, ""],
    "mty": ["ME", "PI", "RE", "IN", "XX"],
    "cid": ["4600123456", "999998", "12a", ""],
    "dty": ["0002", "0003", "0004", "02", "99999"],
    "stc": ["0010", "0019", "0067", "0102", "x"],
    "lco": ["002", "039", "0000"],
    "crd": ["gsm:", "gsm:+46700000000", "no-voice:", "sip:a@b", "tel:x"],
}
_fields = st.fixed_dictionaries(
    {},
    optional={
        tag: st.one_of(st.sampled_from(values), st.text(max_size=20)) for tag, values in _VALUES.items()
    },
)
_mrq = _fields.map(lambda f: ("<mrq>" + "".join(f"<{k}>{v}</{k}>" for k, v in f.items()) + "</mrq>").encode())
_bodies = st.one_of(
    st.binary(max_size=5000),
    st.text(max_size=300).map(lambda t: f"<mrq>{t}</mrq>".encode()),
    _mrq,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_bodies)
def test_any_body_gets_an_answer_and_only_an_accepted_one_is_stored(client, demo, monkeypatch, body):
    monkeypatch.setattr(services, "DEVICE_MESSAGES_PER_MINUTE", 10_000)
    before = device_inputs(demo)

    response = send(client, demo, body)

    assert response.status_code < 500
    snu = int(mrs(response)["snu"])
    assert snu in {0, 1, 2, 3, 7}
    assert response.status_code == 200 if snu == 0 else 400 <= response.status_code < 500
    assert device_inputs(demo) == before + (1 if snu == 0 else 0)
