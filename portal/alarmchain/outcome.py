"""Simulation set-up and outcome values, and the completeness rule for a run."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.alarmchain.events import Actor, Event
from portal.alarmchain.lifecycle import ServiceState
from portal.alarmchain.policy import Policy
from portal.alarmchain.scenarios import Behaviour, DeviceSpec, Fault, ScriptedInput, ServiceSpec
from portal.alarmchain.world import World, _Ledger


@dataclass(frozen=True, slots=True)
class Rejected:
    """An actor step the engine refused (a bug in the automated actors if it ever appears)."""

    event: Event
    code: str
    message: str
    reason: str = ""  # a guard's reason, e.g. ``follow_up_required``


@dataclass(frozen=True, slots=True)
class Setup:
    """Everything a simulation needs besides the seed."""

    start: datetime
    horizon: timedelta
    policy: Policy
    area: str
    access: str
    devices: Sequence[DeviceSpec]
    inputs: Sequence[ScriptedInput]
    behaviours: Mapping[str, Behaviour]
    faults: frozenset[Fault] = frozenset()
    service: ServiceSpec | None = None
    areas: Mapping[str, str] | None = None  # per-cid area; default ``area``
    stop_when_done: bool = True
    manual: frozenset[Actor] = frozenset()  # actors played by people: never planned automatically


class Injection(enum.StrEnum):
    """Something that goes wrong during a live run, so a demo can show the chain react."""

    NO_ANSWER = "no_answer"  # the person neither speaks through the unit nor answers the phone
    NO_KEY = "no_key"  # home care finds no working key or lock on arrival
    BATTERY_LOW = "battery_low"  # the alarm button reports a low battery
    LINK_LOST = "link_lost"  # the unit stops sending heartbeats until a visit fixes it
    MASS_OUTAGE = "mass_outage"  # the supplier's network drops a whole area for a while


@dataclass(frozen=True, slots=True)
class Intervention:
    """An input from outside the automated chain at virtual time ``at``.

    Either ``event`` (a person's action, or a message from an outside device) or ``injection``.
    """

    at: datetime
    event: Event | None = None
    injection: Injection | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a simulation: the event log, the folded world and per-event states."""

    events: tuple[Event, ...]
    states: tuple[str, ...]
    world: World
    rejected: tuple[Rejected, ...]


def is_complete(world: World | _Ledger) -> bool:
    """Return True when every case, ticket and outage is closed and every service is active."""
    return (
        all(c.is_closed for c in world.cases.values())
        and all(t.is_closed for t in world.tickets.values())
        and all(o.is_closed for o in world.outages.values())
        and all(s.state is not ServiceState.INSTALLED and s.activated_at is not None
                for s in world.services.values())
    )  # fmt: skip
