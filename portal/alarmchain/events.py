"""Events: every input to the engine (device message, actor action, timer) as a versioned value."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.alarmchain.codes import MessageType
from portal.alarmchain.errors import EventFormatError
from portal.alarmchain.scaip import MessageRequest, caller_data

EVENT_VERSION = 1

Params = tuple[tuple[str, str], ...]


class Actor(enum.StrEnum):
    DEVICE = "device"  # the larmenhet or a sensor, via SCAIP
    OPERATOR = "operator"  # larmoperatör at the receiving centre
    HOME_CARE = "home_care"  # undersköterska in hemtjänst, larmpatrull or nattgrupp
    LARMTEAM = "larmteam"  # installation and technical fixes
    MANAGER = "manager"  # verksamhetschef / chef i beredskap
    HANDLAGGARE = "handlaggare"  # biståndshandläggare
    TIMER = "timer"  # the virtual clock: a time limit was reached


class Kind(enum.StrEnum):
    DEVICE = "device"  # subject is a controller id (cid); action is the SCAIP mty
    FLEET = "fleet"  # device registry; subject is a cid
    CASE = "case"  # alarm case (larmärende)
    TICKET = "ticket"  # technical alarm ticket
    OUTAGE = "outage"  # mass outage incident
    SERVICE = "service"  # service lifecycle (insats trygghetslarm)


@dataclass(frozen=True, slots=True)
class Event:
    """One input, stamped with virtual time and actor; ``params`` are sorted key/value pairs."""

    at: datetime
    actor: Actor
    kind: Kind
    subject: str
    action: str
    params: Params = ()
    reason: str = ""

    def param(self, key: str, default: str | None = None) -> str | None:
        """Return the value of parameter ``key`` or ``default``."""
        for name, value in self.params:
            if name == key:
                return value
        return default


def params_of(values: Mapping[str, str | None]) -> Params:
    """Return sorted parameter pairs, dropping None values."""
    return tuple(sorted((k, v) for k, v in values.items() if v is not None))


def device_event(at: datetime, request: MessageRequest) -> Event:
    """Return the event for a parsed SCAIP request received at ``at``."""
    values: dict[str, str | None] = {
        "ref": request.ref,
        "dty": request.dty,
        "stc": request.stc,
        "lco": request.lco,
        "crd": None if request.crd is None else str(request.crd),
    }
    return Event(at, Actor.DEVICE, Kind.DEVICE, request.cid, str(request.mty), params_of(values))


def device_request(event: Event) -> MessageRequest:
    """Return the SCAIP request behind a device event (the fields :func:`device_event` keeps)."""
    crd = event.param("crd")
    return MessageRequest(
        ref=event.param("ref") or "0", cid=event.subject, dty=event.param("dty") or "0002",
        mty=MessageType(event.action), stc=event.param("stc"), lco=event.param("lco"),
        crd=None if crd is None else caller_data(crd),
    )  # fmt: skip


def event_to_dict(event: Event) -> dict[str, Any]:
    """Return the JSON-ready dict of ``event`` (version ``EVENT_VERSION``)."""
    return {
        "v": EVENT_VERSION,
        "at": event.at.isoformat(),
        "actor": str(event.actor),
        "kind": str(event.kind),
        "subject": event.subject,
        "action": event.action,
        "params": dict(event.params),
        "reason": event.reason,
    }


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise EventFormatError(f"event field {key!r} must be a string", params={"field": key})
    return value


def event_from_dict(data: Any) -> Event:
    """Return the event stored in ``data``; raise EventFormatError for anything malformed."""
    if not isinstance(data, dict):
        raise EventFormatError("event must be an object")
    if data.get("v") != EVENT_VERSION:
        raise EventFormatError(f"unsupported event version {data.get('v')!r}")
    try:
        at = datetime.fromisoformat(_str(data, "at"))
        actor, kind = Actor(_str(data, "actor")), Kind(_str(data, "kind"))
    except ValueError as exc:
        raise EventFormatError(f"bad event field: {exc}") from None
    if at.tzinfo is None:
        raise EventFormatError("event time must carry a UTC offset")
    params = data.get("params", {})
    if not isinstance(params, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in params.items()
    ):
        raise EventFormatError("params must map strings to strings")
    return Event(
        at, actor, kind, _str(data, "subject"), _str(data, "action"),
        tuple(sorted(params.items())), _str(data, "reason"),
    )  # fmt: skip


def event_to_json(event: Event) -> str:
    """Return one event as canonical JSON (sorted keys, no spaces): same event, same bytes."""
    return json.dumps(event_to_dict(event), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_from_json(text: str) -> Event:
    """Return the event in ``text``; raise EventFormatError when it is not valid JSON."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise EventFormatError(f"invalid JSON: {exc}") from None
    return event_from_dict(data)


def log_to_json(events: Iterable[Event]) -> str:
    """Return the event log as canonical JSON lines, one event per line."""
    return "".join(event_to_json(e) + "\n" for e in events)


def log_from_json(text: str) -> tuple[Event, ...]:
    """Return the events of a JSON-lines log written by :func:`log_to_json`."""
    return tuple(event_from_json(line) for line in text.splitlines() if line.strip())
