"""Fuzzing a demo run's SCAIP endpoint: whatever an outside program sends, the answer is a SCAIP
``<mrs>`` (200 with status 0 for a message taken, 4xx with an error status otherwise), never a server
error; and a message that is not taken leaves the run exactly as it was.

tests/simulator/test_device.py has the endpoint's rules with real device traces; here hypothesis
writes the bodies: random bytes, XML with random tags and attributes, deep nesting, entity
declarations of every kind (billion laughs among them), bodies up to and over the size limit, and
content types of every shape.
"""

import re
from xml.sax.saxutils import escape, quoteattr

import defusedxml.ElementTree as DET
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.models import RunMode, SimulationInput, SimulationRun
from portal.simulator import services
from portal.simulator.catalogue import scenarios

SCAIP = "application/scaip+xml"
SCENARIO = "05-tekniskt-larm-forbindelse"
HEARTBEAT = b"<mrq><ref>FUZZ1</ref><mty>PI</mty><cid>4600123456</cid><dty>0002</dty><stc>0102</stc></mrq>"
SECRET = "TOPSECRET-FUZZ-4711"
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def demo(app, monkeypatch) -> str:
    monkeypatch.setattr(
        services, "DEVICE_MESSAGES_PER_MINUTE", 1_000_000
    )  # the rate limit is tested elsewhere
    return services.create_run(scenarios()[SCENARIO], mode=RunMode.DEMO, client="test:fuzz").id


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("scaip") / "secret.txt"
    path.write_text(SECRET)
    return path.as_uri()


def run_state(run_id: str) -> tuple:
    """Everything stored about the run: its row and its inputs."""
    db.session.expire_all()
    run = db.session.get(SimulationRun, run_id)
    row = tuple(getattr(run, column.key) for column in SimulationRun.__table__.columns)
    inputs = db.session.execute(
        sa.select(SimulationInput.seq, SimulationInput.kind, SimulationInput.body)
        .where(SimulationInput.run_id == run_id)
        .order_by(SimulationInput.seq)
    ).all()
    return row, tuple(inputs)


def send(client, run_id: str, body: bytes, content_type: str | None = SCAIP):
    return client.post(f"/trygghetskedjan/runs/{run_id}/scaip", data=body, content_type=content_type)


def assert_answered(client, run_id: str, body: bytes, content_type: str | None = SCAIP) -> dict[str, str]:
    """The request gets an ``<mrs>``: status 0 and 200 when taken (one input more), an error status
    and a 4xx when not (the run untouched)."""
    before = run_state(run_id)
    with send(client, run_id, body, content_type) as response:
        status, data, mimetype = response.status_code, response.data, response.mimetype
    assert status < 500, (body[:300], content_type, data[:300])
    assert mimetype == SCAIP, (status, data[:300])
    root = DET.fromstring(data, forbid_dtd=True)
    assert root.tag == "mrs", data
    answer = {child.tag: child.text or "" for child in root}
    after = run_state(run_id)
    if answer["snu"] == "0":
        assert status == 200, data
        assert len(after[1]) == len(before[1]) + 1
    else:
        assert 400 <= status < 500, (status, data)
        assert after == before, f"a refused message changed the run: {body[:200]!r}"
    assert SECRET.encode() not in data
    return answer


# Strategies ------------------------------------------------------------------------------------------
KNOWN_TAGS = ["mrq", "mrs", "ref", "ver", "mty", "cid", "dty", "dco", "dte", "crd", "stc", "stt", "lco", "lte",
              "ico", "ite", "cha", "pri", "ame", "lge", "geo", "tim", "gga", "snu", "did"]  # fmt: skip
names = st.one_of(
    st.sampled_from(KNOWN_TAGS), st.from_regex(r"[A-Za-z_][A-Za-z0-9_.:-]{0,12}", fullmatch=True)
)
texts = st.one_of(
    st.sampled_from(["", "0", "0010", "4600123456", "gsm:+46700000000", "ME", "PI"]), st.text(max_size=40)
)


def element(tag: str, attributes: dict[str, str], text: str, children: list[str]) -> str:
    attrs = "".join(f" {name}={quoteattr(value)}" for name, value in attributes.items())
    return f"<{tag}{attrs}>{escape(text)}{''.join(children)}</{tag}>"


def elements(children) -> st.SearchStrategy[str]:
    return st.builds(
        element, names, st.dictionaries(names, texts, max_size=2), texts, st.lists(children, max_size=5)
    )


trees = st.recursive(st.builds(element, names, st.just({}), texts, st.just([])), elements, max_leaves=25)
mandatory = "<ref>FUZZ2</ref><cid>4600123456</cid><dty>0004</dty>"
xml_bodies = st.one_of(
    trees,
    st.lists(trees, max_size=6).map(lambda parts: f"<mrq>{mandatory}{''.join(parts)}</mrq>"),
    st.lists(st.tuples(st.sampled_from(KNOWN_TAGS), texts), max_size=10).map(
        lambda fields: "<mrq>" + "".join(f"<{tag}>{escape(text)}</{tag}>" for tag, text in fields) + "</mrq>"
    ),
).map(lambda text: text.encode("utf-8", "surrogatepass"))


@st.composite
def deep(draw) -> bytes:
    """Nesting as deep as the size limit allows, closed or not, inside an <mrq> or not."""
    tag = draw(st.sampled_from(["a", "mrq", "ref", "lge"]))
    depth = draw(st.integers(1, (services.MAX_BODY - 40) // (2 * len(tag) + 5)))
    closed = draw(st.booleans())
    body = f"<{tag}>" * depth + (f"</{tag}>" * depth if closed else "")
    return (f"<mrq>{mandatory}{body}</mrq>" if draw(st.booleans()) else body).encode()


@st.composite
def entities(draw, secret: str) -> bytes:
    """A DOCTYPE with entities: nested expansions (billion laughs), one big one many times, external
    and parameter entities naming a file with a secret, an external DTD."""
    kind = draw(st.sampled_from(["laughs", "quadratic", "external", "parameter", "dtd", "internal"]))
    if kind == "laughs":
        width, levels = draw(st.integers(2, 12)), draw(st.integers(1, 9))
        declarations = '<!ENTITY e0 "lol">' + "".join(
            f'<!ENTITY e{n} "{f"&e{n - 1};" * width}">' for n in range(1, levels + 1)
        )
        use = f"&e{levels};"
    elif kind == "quadratic":
        size, uses = draw(st.integers(1, 2000)), draw(st.integers(1, 150))
        declarations, use = f'<!ENTITY big "{"x" * size}">', "&big;" * uses
    elif kind == "external":
        declarations, use = f'<!ENTITY x SYSTEM "{secret}">', "&x;"
    elif kind == "parameter":
        declarations, use = f'<!ENTITY % p SYSTEM "{secret}"> %p;', ""
    elif kind == "dtd":
        return f'<!DOCTYPE mrq SYSTEM "{secret}"><mrq>{mandatory}</mrq>'.encode()
    else:
        declarations, use = '<!ENTITY ref "FUZZ3">', ""
    where = draw(st.sampled_from(["ref", "dte", "ite"]))
    inner = (
        "<ref>&ref;</ref><cid>1</cid><dty>0002</dty>"
        if kind == "internal"
        else f"{mandatory}<{where}>{use}</{where}>"
    )
    body = f"<!DOCTYPE mrq [{declarations}]><mrq>{inner}</mrq>".encode()
    return body[: services.MAX_BODY + 100]


@st.composite
def padded(draw) -> bytes:
    """A heartbeat grown to near the size limit, or just over it: blanks, a comment, or a long text."""
    size = draw(st.integers(services.MAX_BODY - 300, services.MAX_BODY + 300))
    room = max(0, size - len(HEARTBEAT))
    filler = draw(st.sampled_from(["blank", "comment", "text"]))
    if filler == "blank":
        return HEARTBEAT[:-6] + b" " * room + b"</mrq>"
    if filler == "comment":
        return HEARTBEAT[:-6] + b"<!--" + b"-x" * ((room - 7) // 2) + b"-->" + b"</mrq>"
    return HEARTBEAT[:-6] + b"<ite>" + b"y" * max(0, room - 11) + b"</ite></mrq>"


header_safe = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
content_types = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "text/xml",
            "application/xml",
            "application/json",
            "multipart/form-data",
            "application/x-www-form-urlencoded",
            "application/SCAIP+XML",
            "application/scaip+xml;charset=latin-1",
            "application/scaip+xml; charset=utf-8; x=y",
            "application/scaip",
            "application/scaip+xml+x",
        ]
    ),  # fmt: skip
    st.from_regex(r"[a-z]{1,12}/[a-z0-9.+-]{1,24}(; ?[a-z]{1,8}=[a-z0-9-]{1,10})?", fullmatch=True),
    header_safe,
)


# The tests --------------------------------------------------------------------------------------------
@FUZZ
@given(
    body=st.one_of(
        st.binary(max_size=services.MAX_BODY),
        st.binary(min_size=services.MAX_BODY - 8, max_size=services.MAX_BODY + 8),
    )
)
def test_random_bytes(client, demo, body):
    assert_answered(client, demo, body)


@FUZZ
@given(body=xml_bodies)
def test_xml_with_random_tags_attributes_and_texts(client, demo, body):
    assert_answered(client, demo, body)


@FUZZ
@given(body=deep())
def test_deep_nesting(client, demo, body):
    assert_answered(client, demo, body)  # unknown elements inside an <mrq> may be ignored, as any reader does


@FUZZ
@given(data=st.data())
def test_entities_of_every_kind_are_refused_without_expanding_or_reading(client, demo, secret_file, data):
    body = data.draw(entities(secret_file))
    answer = assert_answered(client, demo, body)
    assert answer["snu"] != "0", body
    assert len(answer.get("ste", "")) < 200


@FUZZ
@given(body=padded())
def test_bodies_up_to_and_over_the_size_limit(client, demo, body):
    answer = assert_answered(client, demo, body)
    if len(body) > services.MAX_BODY:
        assert answer["snu"] == "1"


@FUZZ
@given(content_type=content_types)
def test_any_content_type(client, demo, content_type):
    answer = assert_answered(client, demo, HEARTBEAT, content_type)
    essence = re.split(r"\s*;", content_type or "")[0].strip().lower()
    if essence != SCAIP:
        assert answer["snu"] == "2"


def test_the_state_check_sees_a_taken_message(client, demo):
    before = run_state(demo)
    assert assert_answered(client, demo, HEARTBEAT)["snu"] == "0"
    assert run_state(demo) != before
