"""Technical-alarm tickets and mass-outage incidents as explicit state machines (brief §6.3)."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.alarmchain.case import Breach, Transition
from portal.alarmchain.errors import ActorNotAllowed, GuardRefused, InvalidTransition
from portal.alarmchain.events import Actor, Event
from portal.alarmchain.policy import Policy, next_working_day_at
from portal.alarmchain.supervision import TechKind


class TicketState(enum.StrEnum):
    OPEN = "open"
    USER_CONTACTED = "user_contacted"  # larmteam/operator called the person
    VISITED = "visited"  # restarted, replaced, battery changed
    CLOSED = "closed"


class OutageState(enum.StrEnum):
    DETECTED = "detected"
    RESERVE_ACTIVE = "reserve_active"  # reservrutin: extra visits, relatives asked to call
    CLOSED = "closed"


T, OS = TicketState, OutageState
_OPEN_TICKET = (T.OPEN, T.USER_CONTACTED, T.VISITED)
_TECH = frozenset({Actor.LARMTEAM, Actor.OPERATOR, Actor.HOME_CARE})
TICKET_TRANSITIONS: dict[tuple[TicketState, str], TicketState] = {
    (T.OPEN, "contact_user"): T.USER_CONTACTED,
    (T.OPEN, "visit"): T.VISITED,
    (T.USER_CONTACTED, "visit"): T.VISITED,
    **{(s, "close"): T.CLOSED for s in _OPEN_TICKET},
    **{(s, "due_elapsed"): s for s in _OPEN_TICKET},
}
TICKET_ACTORS: dict[str, frozenset[Actor]] = {
    "contact_user": _TECH,
    "visit": frozenset({Actor.LARMTEAM, Actor.HOME_CARE}),
    "close": frozenset({Actor.LARMTEAM, Actor.OPERATOR}),
    "due_elapsed": frozenset({Actor.TIMER}),
}
OUTAGE_FLAGS = ("inform_providers", "call_relatives", "assess_lex_sarah", "supplier_follow_up")
OUTAGE_TRANSITIONS: dict[tuple[OutageState, str], OutageState] = {
    (OS.DETECTED, "activate_reserve"): OS.RESERVE_ACTIVE,
    **{(OS.RESERVE_ACTIVE, flag): OS.RESERVE_ACTIVE for flag in OUTAGE_FLAGS},
    (OS.RESERVE_ACTIVE, "close"): OS.CLOSED,
}
URGENT = frozenset({TechKind.LINK_LOST, TechKind.BUTTON_LOST, TechKind.TEST_MISSED, TechKind.MALFUNCTION})


@dataclass(frozen=True, slots=True)
class Ticket:
    """A technical alarm to fix; it closes only once the device reports the condition cleared."""

    ticket_id: str
    cid: str
    kind: TechKind
    opened_at: datetime
    due_at: datetime
    state: TicketState = TicketState.OPEN
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    breaches: tuple[Breach, ...] = ()
    history: tuple[Transition, ...] = ()

    @property
    def is_closed(self) -> bool:
        """Return True once the ticket is closed."""
        return self.state is TicketState.CLOSED


@dataclass(frozen=True, slots=True)
class Outage:
    """A mass outage: many units lost within the window; a manager runs the reserve routine."""

    outage_id: str
    detected_at: datetime
    affected: frozenset[str]
    state: OutageState = OutageState.DETECTED
    restored_at: datetime | None = None
    closed_at: datetime | None = None
    flags: frozenset[str] = frozenset()
    history: tuple[Transition, ...] = ()

    @property
    def is_closed(self) -> bool:
        """Return True once the incident is closed."""
        return self.state is OutageState.CLOSED


def ticket_due(kind: TechKind, at: datetime, policy: Policy) -> datetime:
    """Return the fix deadline: same shift if urgent, next working day for batteries."""
    if kind in URGENT:
        return at + policy.urgent_fix
    if kind is TechKind.BATTERY_LOW:
        return next_working_day_at(at, policy.battery_fix_hour)
    return at + timedelta(hours=24)  # power failure: well inside the ~70 h battery autonomy


def open_ticket(ticket_id: str, cid: str, kind: TechKind, at: datetime, policy: Policy) -> Ticket:
    """Return a new open ticket with its deadline."""
    step = Transition(at, Actor.DEVICE, "open", "", TicketState.OPEN)
    return Ticket(ticket_id, cid, kind, at, ticket_due(kind, at, policy), history=(step,))


def resolve_ticket(ticket: Ticket, at: datetime) -> Ticket:
    """Return the ticket marked as cleared by the device (first clearance wins)."""
    return ticket if ticket.resolved_at else dataclasses.replace(ticket, resolved_at=at)


def apply_ticket(ticket: Ticket, event: Event) -> Ticket:
    """Return the ticket after ``event``; raise (leaving it unchanged) if not allowed."""
    key = (ticket.state, event.action)
    if key not in TICKET_TRANSITIONS:
        raise InvalidTransition("ticket", ticket.state, event.action)
    if event.actor not in TICKET_ACTORS[event.action]:
        raise ActorNotAllowed("ticket", ticket.state, event.action, reason=f"actor_{event.actor}")
    if event.action == "close" and ticket.resolved_at is None:
        raise GuardRefused("ticket", ticket.state, event.action, reason="condition_not_resolved")
    if event.action == "due_elapsed" and (ticket.breaches or event.at < ticket.due_at):
        raise GuardRefused("ticket", ticket.state, event.action, reason="timer_not_due")
    target = TICKET_TRANSITIONS[key]
    step = Transition(event.at, event.actor, event.action, ticket.state, target, event.reason)
    changes: dict[str, object] = {"state": target, "history": ticket.history + (step,)}
    if event.action == "close":
        changes["closed_at"] = event.at
    if event.action == "due_elapsed":
        changes["breaches"] = (Breach("ticket_due", event.at),)
    return dataclasses.replace(ticket, **changes)  # type: ignore[arg-type]


def open_outage(outage_id: str, at: datetime, affected: frozenset[str]) -> Outage:
    """Return a newly detected mass outage."""
    step = Transition(at, Actor.TIMER, "detect", "", OutageState.DETECTED)
    return Outage(outage_id, at, affected, history=(step,))


def apply_outage(outage: Outage, event: Event) -> Outage:
    """Return the incident after a manager's action; raise (leaving it unchanged) if not allowed."""
    key = (outage.state, event.action)
    if key not in OUTAGE_TRANSITIONS:
        raise InvalidTransition("outage", outage.state, event.action)
    if event.actor is not Actor.MANAGER:
        raise ActorNotAllowed("outage", outage.state, event.action, reason=f"actor_{event.actor}")
    if event.action == "close":
        if outage.restored_at is None:
            raise GuardRefused("outage", outage.state, "close", reason="devices_still_lost")
        missing = [f for f in ("assess_lex_sarah", "supplier_follow_up") if f not in outage.flags]
        if missing:
            raise GuardRefused("outage", outage.state, "close", reason=f"{missing[0]}_required")
    target = OUTAGE_TRANSITIONS[key]
    step = Transition(event.at, event.actor, event.action, outage.state, target, event.reason)
    changes: dict[str, object] = {"state": target, "history": outage.history + (step,)}
    if event.action in OUTAGE_FLAGS:
        changes["flags"] = outage.flags | {event.action}
    if event.action == "close":
        changes["closed_at"] = event.at
    return dataclasses.replace(outage, **changes)  # type: ignore[arg-type]


def note_restored(outage: Outage, at: datetime) -> Outage:
    """Return the incident marked restored (all affected units heard again)."""
    return outage if outage.restored_at else dataclasses.replace(outage, restored_at=at)
