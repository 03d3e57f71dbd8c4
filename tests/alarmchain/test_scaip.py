"""SCAIP codec: real traces parse; any byte string gives a request or a typed status number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.alarmchain.codes import DeviceType, MessageType, StatusCode
from portal.alarmchain.errors import ScaipError
from portal.alarmchain.scaip import (
    MAX_REQUEST_BYTES,
    CallerData,
    GeoPosition,
    MessageRequest,
    MessageResponse,
    parse_and_respond,
    parse_request,
    render_request,
    render_response,
    respond,
)
from tests.alarmchain.conftest import REAL_TRACES, SIM_SHAPES

STATUSES = {1, 2, 3, 7}


def _status(body: bytes) -> int:
    """Return 0 if ``body`` parses, else the SCAIP status; any other exception propagates."""
    try:
        parse_request(body)
    except ScaipError as error:
        return error.status
    return 0


@pytest.mark.parametrize("name", sorted(REAL_TRACES))
def test_real_device_traces_parse(name: str) -> None:
    request = parse_request(REAL_TRACES[name])
    assert request.cid.isdigit()
    assert len(request.dty) == 4


def test_two_digit_device_type_and_three_digit_status_are_padded() -> None:
    request = parse_request(REAL_TRACES["heartbeat_two_digit"])
    assert request.device_type is DeviceType.LOCAL_UNIT
    assert request.status is StatusCode.TEST_PRIMARY
    assert request.mty is MessageType.PI
    assert request.crd == CallerData("no-voice", "")
    assert not request.has_voice


@pytest.mark.parametrize("name", sorted(SIM_SHAPES))
def test_simulator_shapes_parse_and_round_trip(name: str) -> None:
    request = parse_request(SIM_SHAPES[name])
    assert parse_request(render_request(request)) == request


def test_public_sip_test_body_parses() -> None:
    body = (
        b"<mrq><ref>787025300001</ref><cha>1</cha><mty>ME</mty><cid>4600000001</cid>"
        b"<dty>0004</dty><stc>0010</stc><crd>gsm:+46700000000</crd></mrq>"
    )
    assert parse_request(body).cha == "1"


def test_any_element_order_and_whitespace() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
    <mrq>
      <stc> 0010 </stc>
      <dty>0003</dty>
      <!-- a comment is fine -->
      <cid>4600123456</cid>
      <ref>ABC</ref>
    </mrq>"""
    request = parse_request(body)
    assert (request.ref, request.cid, request.dty, request.stc) == (
        "ABC",
        "4600123456",
        "0003",
        "0010",
    )
    assert request.mty is MessageType.ME  # an absent mty is treated as an alarm (safe side)


def test_geo_position_is_parsed() -> None:
    body = (
        b"<mrq><ref>G1</ref><cid>1</cid><dty>0051</dty><lco>035</lco>"
        b"<lge><geo>59.3293,18.0686</geo><tim>2025-01-14T02:40:00+01</tim></lge></mrq>"
    )
    request = parse_request(body)
    assert request.lge == GeoPosition(59.3293, 18.0686, "2025-01-14T02:40:00+01", None)
    assert parse_request(render_request(request)) == request


def test_unknown_elements_are_ignored() -> None:
    assert parse_request(b"<mrq><ref>A</ref><cid>1</cid><dty>3</dty><xyz>1</xyz></mrq>").dty == "0003"


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"", 2, "not_well_formed"),
        (b"not xml", 2, "not_well_formed"),
        (b"<mrq><ref>A</ref>", 2, "not_well_formed"),
        (b"<mrs><ref>A</ref></mrs>", 2, "root_not_mrq"),
        (b"<mrq>text<ref>A</ref><cid>1</cid><dty>3</dty></mrq>", 2, "mixed_content"),
        (b"<mrq><ref>A</ref><ref>B</ref><cid>1</cid><dty>3</dty></mrq>", 2, "duplicate_tag"),
        (b"<mrq><ref><x/></ref><cid>1</cid><dty>3</dty></mrq>", 2, "nested_element"),
        (b"<mrq><cid>1</cid><dty>3</dty></mrq>", 7, "mandatory_missing"),
        (b"<mrq><ref>A</ref><dty>3</dty></mrq>", 7, "mandatory_missing"),
        (b"<mrq><ref>A</ref><cid>1</cid></mrq>", 7, "mandatory_missing"),
        (b"<mrq><ref>A-1</ref><cid>1</cid><dty>3</dty></mrq>", 3, "bad_ref"),
        (b"<mrq><ref>A</ref><cid>12ab</cid><dty>3</dty></mrq>", 3, "bad_cid"),
        (b"<mrq><ref>A</ref><cid>1</cid><dty>00003</dty></mrq>", 3, "bad_dty"),
        (b"<mrq><ref>A</ref><cid>1</cid><dty>3</dty><mty>XX</mty></mrq>", 3, "bad_mty"),
        (b"<mrq><ref>A</ref><cid>1</cid><dty>3</dty><crd>http://x</crd></mrq>", 3, "bad_crd"),
        (b"<mrq><ref>A</ref><cid>1</cid><dty>3</dty><crd>gsm:abc</crd></mrq>", 3, "bad_crd"),
        (b"<mrq><ref>A</ref><cid>1</cid><dty>3</dty><lge><geo>x</geo></lge></mrq>", 3, "bad_geo"),
        (b"<mrq><ref>A</ref><cid>1</cid><dty>3</dty><dte>" + b"x" * 33 + b"</dte></mrq>", 3,
         "bad_dte"),
        (b"<mrq><ref></ref><cid>1</cid><dty>3</dty></mrq>", 3, "bad_ref"),
    ],
)  # fmt: skip
def test_bad_requests_get_the_right_status(body: bytes, status: int, reason: str) -> None:
    with pytest.raises(ScaipError) as caught:
        parse_request(body)
    assert (caught.value.status, caught.value.reason) == (status, reason)


def test_ref_is_echoed_in_the_error_response_when_readable() -> None:
    _, reply = parse_and_respond(b"<mrq><ref>ABC</ref><cid>x</cid><dty>3</dty></mrq>")
    assert reply == b"<mrs><ref>ABC</ref><snu>3</snu><ste>bad_cid</ste></mrs>"


def test_xxe_is_refused_as_invalid_format() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE mrq [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<mrq><ref>&xxe;</ref><cid>1</cid><dty>3</dty></mrq>"
    )
    with pytest.raises(ScaipError) as caught:
        parse_request(body)
    assert caught.value.status == 2
    assert caught.value.reason == "forbidden_xml"


def test_billion_laughs_is_refused_without_expansion() -> None:
    lines = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    ]
    body = f"<?xml version='1.0'?><!DOCTYPE mrq [{''.join(lines)}]><mrq><ref>&lol9;</ref></mrq>"
    with pytest.raises(ScaipError) as caught:
        parse_request(body.encode())
    assert caught.value.status == 2


def test_external_dtd_is_refused() -> None:
    body = b'<?xml version="1.0"?><!DOCTYPE mrq SYSTEM "http://example.com/x.dtd"><mrq/>'
    with pytest.raises(ScaipError) as caught:
        parse_request(body)
    assert caught.value.status == 2


def test_ten_megabyte_body_is_too_long_before_parsing() -> None:
    body = b"<mrq><ref>A</ref><cid>1</cid><dty>3</dty><ite>" + b"x" * 10_000_000 + b"</ite></mrq>"
    with pytest.raises(ScaipError) as caught:
        parse_request(body)
    assert caught.value.status == 1
    # Also an unparseable 10 MB body: the size check comes first, so it is still status 1.
    with pytest.raises(ScaipError) as caught:
        parse_request(b"\xff" * 10_000_000)
    assert caught.value.status == 1


def test_exactly_the_size_limit_is_accepted() -> None:
    head = b"<mrq><ref>A</ref><cid>1</cid><dty>3</dty>"
    body = head + b" " * (MAX_REQUEST_BYTES - len(head) - 6) + b"</mrq>"
    assert len(body) == MAX_REQUEST_BYTES
    assert parse_request(body).ref == "A"


def test_alarm_with_voice_asks_for_duplex_call() -> None:
    response = respond(parse_request(SIM_SHAPES["button"]))
    assert response == MessageResponse(ref="SIM0001", snu=0, mre=1, cre=61)
    assert render_response(response) == (
        b"<mrs><ref>SIM0001</ref><snu>0</snu><mre>1</mre><cre>61</cre></mrs>"
    )


def test_heartbeat_and_cancel_need_no_voice() -> None:
    assert respond(parse_request(SIM_SHAPES["heartbeat"])).mre == 0
    assert respond(parse_request(SIM_SHAPES["cancel"])).mre == 0


def test_response_values_are_escaped() -> None:
    assert b"&lt;b&gt;" in render_response(MessageResponse(ref="A", snu=2, ste="<b>"))


@given(st.binary(max_size=600))
def test_any_bytes_give_a_request_or_a_typed_status(body: bytes) -> None:
    assert _status(body) in STATUSES | {0}


TAGS = ["ref", "cid", "dty", "mty", "stc", "crd", "lco", "dco", "cha", "lge", "geo", "x", "mrq"]
texts = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["0010", "ME", "PI", "gsm:", "no-voice:", "sip:a@b", "4600", "1", ""]),
)


@st.composite
def xml_like(draw: st.DrawFn) -> bytes:
    elements = draw(st.lists(st.tuples(st.sampled_from(TAGS), texts), max_size=10))
    inner = "".join(f"<{tag}>{text}</{tag}>" for tag, text in elements)
    prefix = draw(st.sampled_from(["", "<?xml version='1.0'?>", "<!DOCTYPE mrq>", " "]))
    return (prefix + draw(st.sampled_from(["<mrq>", "<mrs>", "<mrq a='1'>"])) + inner + "</mrq>").encode(
        draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), errors="replace"
    )


@given(xml_like())
def test_structured_garbage_gives_a_request_or_a_typed_status(body: bytes) -> None:
    assert _status(body) in STATUSES | {0}


@given(st.sampled_from(sorted(REAL_TRACES.values())), st.data())
def test_mutated_real_traces_give_a_request_or_a_typed_status(body: bytes, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(body) - 1))
    replacement = data.draw(st.binary(max_size=4))
    mutated = body[:position] + replacement + body[position + 1 :]
    assert _status(mutated) in STATUSES | {0}


alnum = st.text("abcXYZ0123456789", min_size=1, max_size=16)
digits = st.text("0123456789", min_size=1, max_size=16)


@given(
    alnum, digits, st.text("0123456789", min_size=4, max_size=4),
    st.sampled_from(list(MessageType)), st.none() | st.text("0123456789", min_size=4, max_size=4),
    st.none() | st.sampled_from([CallerData("gsm", "+4670"), CallerData("no-voice", ""),
                                 CallerData("sip", "a@b.se")]),
    st.none() | st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF),
                        min_size=1, max_size=32).map(str.strip).filter(bool),
)  # fmt: skip
def test_render_then_parse_round_trips(
    ref: str, cid: str, dty: str, mty: MessageType, stc: str | None,
    crd: CallerData | None, dte: str | None,
) -> None:  # fmt: skip
    request = MessageRequest(ref=ref, cid=cid, dty=dty, mty=mty, stc=stc, crd=crd, dte=dte)
    assert parse_request(render_request(request)) == request
