"""SCAIP codec: parse a device's message request ``<mrq>`` and render the receiver's ``<mrs>``.

Any byte string given to :func:`parse_request` yields a :class:`MessageRequest` or raises
:class:`~portal.alarmchain.errors.ScaipError` carrying the SCAIP status number; nothing else.
Element patterns follow the public XSD-derived model in caruhome/scaip-gateway (brief §2.3).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # nosec B405 – types and ParseError only: every parse goes through defusedxml
from dataclasses import dataclass
from xml.sax.saxutils import escape  # nosec B406 – escapes the reply's text; nothing is parsed

import defusedxml
import defusedxml.ElementTree as DET

from portal.alarmchain.codes import DeviceType, LocationCode, MessageType, StatusCode, pad_code
from portal.alarmchain.errors import ScaipError

# A real <mrq> is a few hundred bytes; 4 KiB leaves room for geo/NMEA and texts [PROPOSAL].
MAX_REQUEST_BYTES = 4096

OK = 0
TOO_LONG = 1
INVALID_FORMAT = 2
WRONG_DATA = 3
MANDATORY_MISSING = 7

MANDATORY = ("ref", "cid", "dty")
_TEXT = r"[^\x00-\x1f]{1,%d}"
# tag -> (pattern of the trimmed text, zero-pad width or 0)
_FIELDS: dict[str, tuple[re.Pattern[str], int]] = {
    "ref": (re.compile(r"[0-9a-zA-Z]{1,16}"), 0),
    "ver": (re.compile(r"[0-9]{2}\.[0-9]{2}"), 0),
    "sco": (re.compile(r"[0-3]"), 0),
    "cha": (re.compile(r"[0-9]"), 0),
    "mty": (re.compile(r"ME|RE|IN|PI"), 0),
    "hbo": (re.compile(r"[0-3]"), 0),
    "cid": (re.compile(r"[0-9]{1,16}"), 0),
    "dty": (re.compile(r"[0-9]{1,4}"), 4),
    "did": (re.compile(_TEXT % 8), 0),
    "dco": (re.compile(r"[0-9]{1,3}"), 3),
    "dte": (re.compile(_TEXT % 32), 0),
    "crd": (re.compile(r"[^\x00-\x20]{1,256}"), 0),
    "stc": (re.compile(r"[0-9]{1,4}"), 4),
    "stt": (re.compile(_TEXT % 32), 0),
    "pri": (re.compile(r"[0-9]"), 0),
    "lco": (re.compile(r"[0-9]{1,3}"), 3),
    "lva": (re.compile(_TEXT % 2), 0),
    "lte": (re.compile(_TEXT % 32), 0),
    "ico": (re.compile(r"[0-9]{1,3}"), 3),
    "ite": (re.compile(_TEXT % 128), 0),
    "ame": (re.compile(r"[01]"), 0),
}
_GEO = re.compile(r"(-?[0-9]{1,2}(?:\.[0-9]{1,8})?),(-?[0-9]{1,3}(?:\.[0-9]{1,8})?)")
_TIM = re.compile(r"[0-9\-:+T]{22}")
_GGA = re.compile(r"[^\x00-\x1f]{0,81}")
_CRD = re.compile(r"(sip|sips|tel|gsm|no-voice):(.*)")
_PHONE = re.compile(r"\+?[0-9]{0,20}")


@dataclass(frozen=True, slots=True)
class GeoPosition:
    """A WGS84 position from ``<lge>``, with the optional time stamp and raw NMEA GGA sentence."""

    latitude: float
    longitude: float
    time: str | None = None
    gga: str | None = None


@dataclass(frozen=True, slots=True)
class CallerData:
    """The caller/return data URI (``crd``): how voice reaches the person, if at all."""

    scheme: str
    address: str

    @property
    def has_voice(self) -> bool:
        """Return True unless the device said it has no voice path."""
        return self.scheme != "no-voice"

    def __str__(self) -> str:
        return f"{self.scheme}:{self.address}"


@dataclass(frozen=True, slots=True)
class MessageRequest:
    """A parsed ``<mrq>``; numeric codes are zero-padded to their table width."""

    ref: str
    cid: str
    dty: str
    mty: MessageType = MessageType.ME
    stc: str | None = None
    ver: str | None = None
    sco: str | None = None
    cha: str | None = None
    hbo: str | None = None
    did: str | None = None
    dco: str | None = None
    dte: str | None = None
    crd: CallerData | None = None
    stt: str | None = None
    pri: str | None = None
    lco: str | None = None
    lva: str | None = None
    lte: str | None = None
    lge: GeoPosition | None = None
    ico: str | None = None
    ite: str | None = None
    ame: str | None = None

    @property
    def device_type(self) -> DeviceType | None:
        """Return the known device type, or None for a well-formed code outside the table."""
        return DeviceType(self.dty) if self.dty in DeviceType._value2member_map_ else None

    @property
    def status(self) -> StatusCode | None:
        """Return the known status code, or None when absent or outside the table."""
        if self.stc is None or self.stc not in StatusCode._value2member_map_:
            return None
        return StatusCode(self.stc)

    @property
    def location(self) -> LocationCode | None:
        """Return the known location code, or None when absent or outside the table."""
        if self.lco is None or self.lco not in LocationCode._value2member_map_:
            return None
        return LocationCode(self.lco)

    @property
    def has_voice(self) -> bool:
        """Return True when the device offers a voice path (``crd`` present and not no-voice)."""
        return self.crd is not None and self.crd.has_voice


@dataclass(frozen=True, slots=True)
class MessageResponse:
    """The receiver's ``<mrs>``: status number and what the device should do next."""

    ref: str
    snu: int = OK
    ste: str | None = None
    cve: str | None = None
    mre: int | None = None  # 0 no voice, 1 duplex, 2 microphone only, 3 speaker only
    cre: int | None = None  # 61 call the predefined receiver, 62 call the transferred number
    tnu: str | None = None
    hbi: int | None = None


def _fail(status: int, reason: str, message: str, ref: str | None = None) -> ScaipError:
    return ScaipError(status, reason, message, ref=ref)


def _parse_xml(body: bytes) -> ET.Element:
    try:
        root = DET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise _fail(INVALID_FORMAT, "forbidden_xml", type(exc).__name__) from None
    except (ET.ParseError, ValueError, LookupError, UnicodeError) as exc:
        raise _fail(INVALID_FORMAT, "not_well_formed", str(exc)[:200]) from None
    if not isinstance(root, ET.Element):
        raise _fail(INVALID_FORMAT, "not_well_formed", "no root element")
    return root


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _collect(root: ET.Element) -> tuple[dict[str, str], ET.Element | None]:
    """Return the simple fields' raw texts and the ``lge`` element; raise on structural faults."""
    if root.tag != "mrq":
        raise _fail(INVALID_FORMAT, "root_not_mrq", f"root element is {str(root.tag)[:40]!r}")
    if not _blank(root.text):
        raise _fail(INVALID_FORMAT, "mixed_content", "text directly inside <mrq>")
    fields: dict[str, str] = {}
    lge: ET.Element | None = None
    for child in root:
        tag = child.tag
        if not _blank(child.tail):
            raise _fail(INVALID_FORMAT, "mixed_content", "text between elements")
        if tag == "lge":
            if lge is not None:
                raise _fail(INVALID_FORMAT, "duplicate_tag", "lge")
            lge = child
            continue
        if tag not in _FIELDS:
            continue  # unknown elements are ignored so newer devices still get through
        if tag in fields:
            raise _fail(INVALID_FORMAT, "duplicate_tag", str(tag))
        if len(child):
            raise _fail(INVALID_FORMAT, "nested_element", str(tag))
        fields[tag] = (child.text or "").strip()
    return fields, lge


def _geo(lge: ET.Element, ref: str) -> GeoPosition:
    parts: dict[str, str] = {}
    for child in lge:
        if child.tag in ("geo", "tim", "gga"):
            if child.tag in parts or len(child):
                raise _fail(INVALID_FORMAT, "bad_lge", str(child.tag), ref)
            parts[str(child.tag)] = (child.text or "").strip()
    match = _GEO.fullmatch(parts.get("geo", ""))
    if match is None:
        raise _fail(WRONG_DATA, "bad_geo", "geo must be 'lat,lon' in decimal degrees", ref)
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise _fail(WRONG_DATA, "bad_geo", "position out of range", ref)
    tim, gga = parts.get("tim"), parts.get("gga")
    if tim is not None and not _TIM.fullmatch(tim):
        raise _fail(WRONG_DATA, "bad_geo_time", "tim", ref)
    if gga is not None and not _GGA.fullmatch(gga):
        raise _fail(WRONG_DATA, "bad_gga", "gga", ref)
    return GeoPosition(lat, lon, tim, gga)


def _caller(raw: str, ref: str) -> CallerData:
    match = _CRD.fullmatch(raw)
    if match is None:
        raise _fail(WRONG_DATA, "bad_crd", "crd must be sip:, tel:, gsm: or no-voice:", ref)
    scheme, address = match.group(1), match.group(2)
    if scheme in ("tel", "gsm") and not _PHONE.fullmatch(address):
        raise _fail(WRONG_DATA, "bad_crd", "phone number expected", ref)
    if scheme == "no-voice" and address:
        raise _fail(WRONG_DATA, "bad_crd", "no-voice takes no address", ref)
    if scheme in ("sip", "sips") and not address:
        raise _fail(WRONG_DATA, "bad_crd", "sip address expected", ref)
    return CallerData(scheme, address)


def caller_data(raw: str) -> CallerData:
    """Return the parsed ``crd`` value; raise ScaipError (status 3) when it is malformed."""
    return _caller(raw, "0")


def _validated(fields: dict[str, str]) -> dict[str, str]:
    ref_raw = fields.get("ref", "")
    ref = ref_raw if _FIELDS["ref"][0].fullmatch(ref_raw) else None
    for tag in MANDATORY:
        if tag not in fields:
            raise _fail(MANDATORY_MISSING, "mandatory_missing", tag, ref)
    clean: dict[str, str] = {}
    for tag, raw in fields.items():
        pattern, width = _FIELDS[tag]
        if pattern.fullmatch(raw) is None:
            raise _fail(WRONG_DATA, f"bad_{tag}", f"{tag} does not match its pattern", ref)
        clean[tag] = pad_code(raw, width) if width else raw
    return clean


def parse_request(body: bytes, *, max_bytes: int = MAX_REQUEST_BYTES) -> MessageRequest:
    """Return the parsed request; raise ScaipError (1, 2, 3 or 7) for anything else."""
    if len(body) > max_bytes:
        raise _fail(TOO_LONG, "too_long", f"{len(body)} bytes > {max_bytes}")
    fields, lge = _collect(_parse_xml(body))
    clean = _validated(fields)
    ref = clean["ref"]
    crd = _caller(clean.pop("crd"), ref) if "crd" in clean else None
    mty = MessageType(clean.pop("mty", MessageType.ME))
    geo = _geo(lge, ref) if lge is not None else None
    return MessageRequest(mty=mty, crd=crd, lge=geo, **clean)


def _element(tag: str, value: object) -> str:
    return "" if value is None else f"<{tag}>{escape(str(value))}</{tag}>"


def render_request(request: MessageRequest) -> bytes:
    """Return the ``<mrq>`` bytes a device would send for ``request`` (the simulator's device)."""
    parts = ["<mrq>", _element("ref", request.ref), _element("ver", request.ver)]
    for tag in ("sco", "cha"):
        parts.append(_element(tag, getattr(request, tag)))
    parts += [_element("mty", str(request.mty)), _element("hbo", request.hbo)]
    for tag in ("cid", "dty", "did", "dco", "dte", "crd", "stc", "stt", "pri", "lco", "lva"):
        parts.append(_element(tag, getattr(request, tag)))
    if request.lge is not None:
        geo = request.lge
        inner = _element("geo", f"{geo.latitude},{geo.longitude}")
        inner += _element("tim", geo.time) + _element("gga", geo.gga)
        parts.append(f"<lge>{inner}</lge>")
    for tag in ("lte", "ico", "ite", "ame"):
        parts.append(_element(tag, getattr(request, tag)))
    parts.append("</mrq>")
    return "".join(parts).encode()


def render_response(response: MessageResponse) -> bytes:
    """Return the ``<mrs>`` bytes for ``response``; element values are XML-escaped."""
    body = "".join(
        _element(tag, getattr(response, tag))
        for tag in ("ref", "snu", "ste", "cve", "mre", "cre", "tnu", "hbi")
    )
    return f"<mrs>{body}</mrs>".encode()


def respond(request: MessageRequest) -> MessageResponse:
    """Return the receiver's answer: accept, and ask for duplex voice when an alarm offers it."""
    wants_voice = request.mty is MessageType.ME and request.has_voice
    if wants_voice and request.stc not in (StatusCode.CANCEL, StatusCode.TEST_PRIMARY):
        return MessageResponse(ref=request.ref, snu=OK, mre=1, cre=61)
    return MessageResponse(ref=request.ref, snu=OK, mre=0)


def error_response(error: ScaipError) -> MessageResponse:
    """Return the ``<mrs>`` for a refused request, echoing its ref when it could be read."""
    return MessageResponse(ref=error.ref or "0", snu=error.status, ste=error.reason)


def parse_and_respond(body: bytes) -> tuple[MessageRequest | None, bytes]:
    """Return the parsed request (or None) and the ``<mrs>`` bytes to send back; never raises."""
    try:
        request = parse_request(body)
    except ScaipError as error:
        return None, render_response(error_response(error))
    return request, render_response(respond(request))
