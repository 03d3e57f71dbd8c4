"""Event sourcing: ``fold(events)`` gives the whole state; replay gives the same state.

The fold keeps its maps in a private, local ledger and freezes them at the end: copying a map of
3,000 devices for every heartbeat would make a day's fold quadratic. Every entity change still
goes through the pure per-machine functions, so the result equals stepping one event at a time.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TypeVar

from portal.alarmchain import case as cs
from portal.alarmchain import incidents as inc
from portal.alarmchain import lifecycle as lc
from portal.alarmchain import supervision as sv
from portal.alarmchain.codes import ALARM_STATUSES, MessageType, StatusCode
from portal.alarmchain.errors import InvalidTransition, UnknownSubject
from portal.alarmchain.events import Actor, Event, Kind
from portal.alarmchain.policy import Policy


@dataclass(frozen=True)
class World:
    """The folded state of a run: cases, devices, tickets, outages, services (read-only maps)."""

    policy: Policy
    cases: Mapping[str, cs.AlarmCase]
    devices: Mapping[str, sv.Device]
    tickets: Mapping[str, inc.Ticket]
    outages: Mapping[str, inc.Outage]
    services: Mapping[str, lc.Service]
    open_case_of: Mapping[str, str]
    open_ticket_of: Mapping[tuple[str, sv.TechKind], str]
    recent_lost: tuple[tuple[datetime, str], ...] = ()
    active_outage: str | None = None
    events_applied: int = 0


@dataclass
class _Ledger:
    policy: Policy
    cases: dict[str, cs.AlarmCase] = field(default_factory=dict)
    devices: dict[str, sv.Device] = field(default_factory=dict)
    tickets: dict[str, inc.Ticket] = field(default_factory=dict)
    outages: dict[str, inc.Outage] = field(default_factory=dict)
    services: dict[str, lc.Service] = field(default_factory=dict)
    open_case_of: dict[str, str] = field(default_factory=dict)
    open_ticket_of: dict[tuple[str, sv.TechKind], str] = field(default_factory=dict)
    recent_lost: deque[tuple[datetime, str]] = field(default_factory=deque)
    active_outage: str | None = None
    events_applied: int = 0

    def apply(self, event: Event) -> None:
        handler = _HANDLERS[event.kind]
        handler(self, event)
        self.events_applied += 1

    # devices and supervision --------------------------------------------------------------
    def on_device(self, event: Event) -> None:
        device = self.devices.get(event.subject)
        if event.actor is Actor.TIMER:
            if device is None:
                raise UnknownSubject(f"no device {event.subject}", params={"cid": event.subject})
            self._set_device(device, sv.expire(device, event, self.policy), event)
            return
        if event.actor is not Actor.DEVICE:
            raise InvalidTransition("device", "message", event.action, reason=f"actor_{event.actor}")
        if device is None:
            device = sv.register_device(event.subject, event.at)
        self._set_device(device, sv.observe(device, event), event)
        self._case_effect(event)

    def on_fleet(self, event: Event) -> None:
        if event.action != "register" or event.subject in self.devices:
            raise InvalidTransition("fleet", "registered", event.action)
        area = event.param("area") or "urban"
        self.devices[event.subject] = sv.register_device(event.subject, event.at, area)

    def _set_device(self, before: sv.Device, after: sv.Device, event: Event) -> None:
        self.devices[after.cid] = after
        if before.health == after.health:
            return
        raised = after.conditions - before.conditions
        cleared = before.conditions - after.conditions
        for kind in sorted(raised):
            self._raise_ticket(after.cid, kind, event)
        for kind in sorted(cleared):
            ticket_id = self.open_ticket_of.get((after.cid, kind))
            if ticket_id:
                self.tickets[ticket_id] = inc.resolve_ticket(self.tickets[ticket_id], event.at)
        if sv.TechKind.LINK_LOST in raised:
            self._note_lost(after.cid, event)
        if sv.TechKind.LINK_LOST in cleared and self.active_outage:
            self._note_back(event)

    def _raise_ticket(self, cid: str, kind: sv.TechKind, event: Event) -> None:
        existing = self.open_ticket_of.get((cid, kind))
        if existing:  # the condition came back before the ticket was closed
            ticket = self.tickets[existing]
            self.tickets[existing] = dataclasses.replace(ticket, resolved_at=None)
            return
        ticket_id = f"T{len(self.tickets) + 1:04d}"
        self.tickets[ticket_id] = inc.open_ticket(ticket_id, cid, kind, event.at, self.policy)
        self.open_ticket_of[(cid, kind)] = ticket_id

    def _note_lost(self, cid: str, event: Event) -> None:
        window = self.policy.mass_outage_window
        self.recent_lost.append((event.at, cid))
        while self.recent_lost and event.at - self.recent_lost[0][0] > window:
            self.recent_lost.popleft()
        lost = {c for _, c in self.recent_lost if self.devices[c].link is sv.Link.LOST}
        if self.active_outage:
            outage = self.outages[self.active_outage]
            self.outages[outage.outage_id] = dataclasses.replace(
                outage, affected=outage.affected | {cid}, restored_at=None
            )
            return
        threshold = max(self.policy.mass_outage_min, math.ceil(
            self.policy.mass_outage_share * len(self.devices)))  # fmt: skip
        if len(lost) >= threshold:
            outage_id = f"O{len(self.outages) + 1:04d}"
            self.outages[outage_id] = inc.open_outage(outage_id, event.at, frozenset(lost))
            self.active_outage = outage_id

    def _note_back(self, event: Event) -> None:
        outage = self.outages[self.active_outage or ""]
        if all(self.devices[c].link is sv.Link.ONLINE for c in outage.affected):
            self.outages[outage.outage_id] = inc.note_restored(outage, event.at)

    def _case_effect(self, event: Event) -> None:
        mty = event.action
        if mty == MessageType.PI:
            return  # heartbeats only feed supervision
        stc, open_id = event.param("stc"), self.open_case_of.get(event.subject)
        if mty == MessageType.ME and (stc is None or stc in ALARM_STATUSES):
            if open_id:  # a repeated press joins the open case (Luleå: pressed 8 times)
                self._try_case(open_id, cs.CaseAction.INFO, event)
            else:
                self._open_case(event)
        elif open_id and (mty == MessageType.RE or stc == StatusCode.CANCEL):
            self._try_case(open_id, cs.CaseAction.CANCEL, event)
        elif open_id and stc == StatusCode.INTERVENTION_COMPLETE:
            self._try_case(open_id, cs.CaseAction.INTERVENTION_COMPLETE, event)
        elif open_id and mty == MessageType.IN:
            self._try_case(open_id, cs.CaseAction.INFO, event)

    def _open_case(self, event: Event) -> None:
        case_id = f"C{len(self.cases) + 1:04d}"
        area = self.devices[event.subject].area
        self.cases[case_id] = cs.open_case(case_id, event, area=area)
        self.open_case_of[event.subject] = case_id

    def _try_case(self, case_id: str, action: cs.CaseAction, event: Event) -> None:
        # A device cannot be refused: a late cancel is still a fact, it just moves no case.
        derived = Event(event.at, Actor.DEVICE, Kind.CASE, case_id, action, event.params)
        try:
            self._store_case(cs.apply_case(self.cases[case_id], derived))
        except InvalidTransition:
            pass

    def _store_case(self, case: cs.AlarmCase) -> None:
        self.cases[case.case_id] = case
        if case.is_closed and self.open_case_of.get(case.cid) == case.case_id:
            del self.open_case_of[case.cid]

    # actor actions -------------------------------------------------------------------------
    def on_case(self, event: Event) -> None:
        self._store_case(cs.apply_case(_get(self.cases, event.subject, "case"), event))

    def on_ticket(self, event: Event) -> None:
        ticket = inc.apply_ticket(_get(self.tickets, event.subject, "ticket"), event)
        self.tickets[ticket.ticket_id] = ticket
        if ticket.is_closed:
            self.open_ticket_of.pop((ticket.cid, ticket.kind), None)

    def on_outage(self, event: Event) -> None:
        outage = inc.apply_outage(_get(self.outages, event.subject, "outage"), event)
        self.outages[outage.outage_id] = outage
        if outage.is_closed and self.active_outage == outage.outage_id:
            self.active_outage = None

    def on_service(self, event: Event) -> None:
        if event.action == "apply":
            if event.subject in self.services or event.actor is not Actor.HANDLAGGARE:
                raise InvalidTransition(lc.MACHINE, "exists", "apply")
            self.services[event.subject] = lc.open_service(event)
            return
        service = _get(self.services, event.subject, "service")
        test_case = self.cases.get(event.param("case") or "")
        self.services[event.subject] = lc.apply_service(service, event, test_case=test_case)

    def freeze(self) -> World:
        return World(
            policy=self.policy,
            cases=MappingProxyType(dict(self.cases)),
            devices=MappingProxyType(dict(self.devices)),
            tickets=MappingProxyType(dict(self.tickets)),
            outages=MappingProxyType(dict(self.outages)),
            services=MappingProxyType(dict(self.services)),
            open_case_of=MappingProxyType(dict(self.open_case_of)),
            open_ticket_of=MappingProxyType(dict(self.open_ticket_of)),
            recent_lost=tuple(self.recent_lost),
            active_outage=self.active_outage,
            events_applied=self.events_applied,
        )

    @classmethod
    def thaw(cls, world: World) -> _Ledger:
        return cls(
            policy=world.policy,
            cases=dict(world.cases),
            devices=dict(world.devices),
            tickets=dict(world.tickets),
            outages=dict(world.outages),
            services=dict(world.services),
            open_case_of=dict(world.open_case_of),
            open_ticket_of=dict(world.open_ticket_of),
            recent_lost=deque(world.recent_lost),
            active_outage=world.active_outage,
            events_applied=world.events_applied,
        )


_T = TypeVar("_T")


def _get(mapping: Mapping[str, _T], key: str, what: str) -> _T:
    try:
        return mapping[key]
    except KeyError:
        raise UnknownSubject(f"no {what} {key!r}", params={what: key}) from None


_HANDLERS = {
    Kind.DEVICE: _Ledger.on_device,
    Kind.FLEET: _Ledger.on_fleet,
    Kind.CASE: _Ledger.on_case,
    Kind.TICKET: _Ledger.on_ticket,
    Kind.OUTAGE: _Ledger.on_outage,
    Kind.SERVICE: _Ledger.on_service,
}


def fold(events: Iterable[Event], policy: Policy | None = None) -> World:
    """Return the state after all ``events``, in order; pure: same events, same world."""
    ledger = _Ledger(policy or Policy())
    for event in events:
        ledger.apply(event)
    return ledger.freeze()


def empty_world(policy: Policy | None = None) -> World:
    """Return the state before any event."""
    return _Ledger(policy or Policy()).freeze()


def step(world: World, event: Event) -> World:
    """Return the state after one more event; on error ``world`` is untouched (it is immutable)."""
    ledger = _Ledger.thaw(world)
    ledger.apply(event)
    return ledger.freeze()
