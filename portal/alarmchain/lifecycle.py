"""The service lifecycle (insats trygghetslarm) per the brief §6.4, with its two hard guards.

No installation without 24/7 access (Växjö); no activation before the receiver has confirmed a
test alarm from the person's own button (Borlänge 2025; Stockholm activates only after install).
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.alarmchain.case import AlarmCase, CloseReason, Transition
from portal.alarmchain.codes import DeviceType
from portal.alarmchain.errors import ActorNotAllowed, GuardRefused, InvalidTransition
from portal.alarmchain.events import Actor, Event

MACHINE = "service"
COLLECT_WITHIN = timedelta(days=7)  # Växjö: collect the alarm within a week
RECEIPTS_KEPT = timedelta(days=730)  # Växjö: key receipts kept two years
ACCESS_KINDS = frozenset({"keys", "digital_lock", "key_box"})


class ServiceState(enum.StrEnum):
    APPLIED = "applied"  # ansökan
    ASSESSING = "assessing"  # utredning
    GRANTED = "granted"  # beslut: beviljat
    REJECTED = "rejected"  # beslut: avslag (appealable)
    ORDERED = "ordered"  # beställning till larmteam, utförare, nattgrupp
    ACCESS_READY = "access_ready"  # nycklar kvitterade x2 eller digitalt lås
    INSTALLED = "installed"
    TEST_CONFIRMED = "test_confirmed"  # provlarm OK från brukarens egen knapp
    ACTIVE = "active"  # verkställd
    PAUSED = "paused"  # vilande: sjukhus, korttid, resa
    ENDED = "ended"  # avslut
    COLLECTED = "collected"  # hämtat
    KEYS_RETURNED = "keys_returned"
    DEREGISTERED = "deregistered"  # larmmottagning och låsregister
    ARCHIVED = "archived"


V = ServiceState
_HL = frozenset({Actor.HANDLAGGARE})
_TEAM = frozenset({Actor.LARMTEAM})
_PROVIDER = frozenset({Actor.LARMTEAM, Actor.HOME_CARE})
# action -> (sources, target or None for "stay", actors)
RULES: dict[str, tuple[tuple[ServiceState, ...], ServiceState | None, frozenset[Actor]]] = {
    "assess": ((V.APPLIED,), V.ASSESSING, _HL),
    "grant": ((V.ASSESSING,), V.GRANTED, _HL),
    "reject": ((V.ASSESSING,), V.REJECTED, _HL),
    "appeal": ((V.REJECTED,), V.ASSESSING, _HL),
    "order": ((V.GRANTED,), V.ORDERED, _HL),
    "secure_access": ((V.ORDERED,), V.ACCESS_READY, _PROVIDER),
    "install": ((V.ACCESS_READY,), V.INSTALLED, _TEAM),
    "pair_button": ((V.INSTALLED,), None, _TEAM),
    "check_range": ((V.INSTALLED, V.TEST_CONFIRMED), None, _TEAM),
    "confirm_test": ((V.INSTALLED,), V.TEST_CONFIRMED, _TEAM),
    "activate": ((V.TEST_CONFIRMED,), V.ACTIVE, _PROVIDER),
    "pause": ((V.ACTIVE,), V.PAUSED, _PROVIDER | _HL),
    "resume": ((V.PAUSED,), V.ACTIVE, _PROVIDER | _HL),
    "review": ((V.ACTIVE, V.PAUSED), None, _HL),
    "end": ((V.ACTIVE, V.PAUSED), V.ENDED, _HL),
    "collect": ((V.ENDED,), V.COLLECTED, _PROVIDER),
    "return_keys": ((V.COLLECTED,), V.KEYS_RETURNED, _PROVIDER),
    "deregister": ((V.KEYS_RETURNED,), V.DEREGISTERED, _TEAM),
    "archive": ((V.DEREGISTERED,), V.ARCHIVED, _TEAM),
}
TRANSITIONS: dict[tuple[ServiceState, str], ServiceState] = {
    (s, action): target or s for action, (sources, target, _) in RULES.items() for s in sources
}
# Known mistakes get a specific refusal code instead of a bare "not allowed".
_MISTAKES: dict[tuple[ServiceState, str], str] = {
    (V.ORDERED, "install"): "no_24_7_access",
    (V.GRANTED, "install"): "no_24_7_access",
    (V.ACCESS_READY, "activate"): "test_alarm_not_confirmed",
    (V.INSTALLED, "activate"): "test_alarm_not_confirmed",
}


@dataclass(frozen=True, slots=True)
class Service:
    """One person's trygghetslarm service from application to archive."""

    service_id: str
    cid: str
    area: str
    applied_at: datetime
    state: ServiceState = ServiceState.APPLIED
    access: str | None = None
    button_paired: bool = False
    range_checked: bool = False
    test_case_id: str | None = None
    activated_at: datetime | None = None
    ended_at: datetime | None = None
    collected_late: bool = False
    receipts_kept_until: datetime | None = None
    history: tuple[Transition, ...] = ()


def open_service(event: Event) -> Service:
    """Return a service in APPLIED for an ``apply`` event (subject = service id, param cid)."""
    step = Transition(event.at, event.actor, "apply", "", V.APPLIED, event.reason)
    cid, area = event.param("cid") or "", event.param("area") or "urban"
    return Service(event.subject, cid, area, event.at, history=(step,))


def _test_refusal(service: Service, case: AlarmCase | None) -> str | None:
    if not service.button_paired:
        return "button_not_paired"
    if case is None:
        return "test_alarm_missing"
    if case.cid != service.cid:
        return "test_not_from_users_unit"
    if case.dty != DeviceType.PERSONAL_TRIGGER:
        return "test_not_from_users_button"
    if case.closure is not CloseReason.TEST_ALARM:
        return "test_not_confirmed_by_receiver"
    return None


def _refusal(service: Service, event: Event, case: AlarmCase | None) -> str | None:
    action = event.action
    if action == "secure_access":
        kind = event.param("access")
        if kind not in ACCESS_KINDS:
            return "access_kind_required"
        if kind == "keys" and event.param("keys") not in ("2", "3", "4"):
            return "two_keys_required"  # Uppsala: one for the day team, one for the night team
    if action == "confirm_test":
        return _test_refusal(service, case)
    if action == "activate" and not service.range_checked:
        return "range_not_checked"
    if action == "return_keys" and event.param("receipts") != "signed":
        return "signed_receipts_required"
    return None


def apply_service(service: Service, event: Event, *, test_case: AlarmCase | None = None) -> Service:
    """Return the service after ``event``; raise (leaving it unchanged) if not allowed."""
    key = (service.state, event.action)
    if key in _MISTAKES:
        raise GuardRefused(MACHINE, service.state, event.action, reason=_MISTAKES[key])
    if key not in TRANSITIONS:
        raise InvalidTransition(MACHINE, service.state, event.action)
    if event.actor not in RULES[event.action][2]:
        raise ActorNotAllowed(MACHINE, service.state, event.action, reason=f"actor_{event.actor}")
    refusal = _refusal(service, event, test_case)
    if refusal:
        raise GuardRefused(MACHINE, service.state, event.action, reason=refusal)
    target = TRANSITIONS[key]
    step = Transition(event.at, event.actor, event.action, service.state, target, event.reason)
    changes: dict[str, object] = {"state": target, "history": service.history + (step,)}
    changes.update(_effects(service, event))
    return dataclasses.replace(service, **changes)  # type: ignore[arg-type]


def _effects(service: Service, event: Event) -> dict[str, object]:
    at = event.at
    effects: dict[str, dict[str, object]] = {
        "secure_access": {"access": event.param("access")},
        "pair_button": {"button_paired": True},
        "check_range": {"range_checked": True},
        "confirm_test": {"test_case_id": event.param("case")},
        "activate": {"activated_at": at},
        "end": {"ended_at": at},
        "return_keys": {"receipts_kept_until": at + RECEIPTS_KEPT},
    }
    if event.action == "collect" and service.ended_at is not None:
        return {"collected_late": at - service.ended_at > COLLECT_WITHIN}
    return effects.get(event.action, {})
