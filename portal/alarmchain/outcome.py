"""Simulation set-up and outcome values, and the completeness rule for a run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.alarmchain.events import Event
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
