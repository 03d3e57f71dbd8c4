"""Scenario model: the person, devices, scripted inputs, behaviour and the expected actions."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from portal.alarmchain.events import Kind
from portal.alarmchain.labels import Label
from portal.alarmchain.policy import Policy
from portal.alarmchain.scaip import MessageRequest


class Fault(enum.StrEnum):
    """Configurable mistakes of the automated actors, so a demo can show breaches."""

    LATE_ANSWER = "late_answer"
    LATE_ACKNOWLEDGEMENT = "late_acknowledgement"
    LATE_ARRIVAL = "late_arrival"
    NO_KEY = "no_key"
    FORGOTTEN_DOCUMENTATION = "forgotten_documentation"
    SKIP_PAIRING = "skip_pairing"


SAYS = frozenset({"needs_help", "mistake", "test", "advice", "acute"})
ON_SITE = frozenset({"help", "acute", "not_home", "fine"})
ACCESS = frozenset({"digital_lock", "keys", "key_box", "none"})


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How the simulated person responds: heard or not, what they say, what staff find."""

    voice: bool = True  # heard through the loudspeaker unit
    answers_phone: bool = True  # picks up when the centre calls back
    says: str = "needs_help"
    on_site: str = "help"
    fall: bool = False  # every fall is reported as a deviation (Växjö)


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    """A simulated unit: its heartbeat and any silence (local fault or supplier outage)."""

    cid: str
    heartbeat: bool = False
    phase: timedelta = timedelta(0)
    silent_from: timedelta | None = None
    silent_until: timedelta | None = None  # None with silent_from: silent until a visit fixes it


@dataclass(frozen=True, slots=True)
class ScriptedInput:
    """A device message the scenario sends at ``offset`` after the start."""

    offset: timedelta
    request: MessageRequest
    behaviour: str = "default"


@dataclass(frozen=True, slots=True)
class ExpectedStep:
    """An action the trainee (or the automated chain) must take, optionally within a time."""

    name: str
    kind: Kind
    action: str
    within: timedelta | None = None
    since: str | None = None  # measure ``within`` from this step instead of the start
    after: str | None = None  # must not happen before this step
    source: str | None = None
    why: Label | None = None  # why the step matters, shown when it was missed, late or out of order


@dataclass(frozen=True, slots=True)
class Forbidden:
    """An action that is wrong in this scenario."""

    kind: Kind
    action: str
    why: Label | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a figure or rule in the scenario comes from."""

    fact: str
    url: str
    brief: str = ""


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """A service lifecycle the scenario runs from application to activation."""

    service_id: str
    cid: str


@dataclass(frozen=True)
class Scenario:
    """One training scenario, loaded from ``content/scenarios/<slug>.yaml``."""

    slug: str
    version: int
    title: Label
    summary: Label
    audience: tuple[str, ...]
    start: datetime
    horizon: timedelta
    policy: Policy
    area: str
    access: str
    devices: tuple[DeviceSpec, ...]
    inputs: tuple[ScriptedInput, ...]
    behaviours: Mapping[str, Behaviour]
    faults: frozenset[Fault] = frozenset()
    service: ServiceSpec | None = None
    expected: tuple[ExpectedStep, ...] = ()
    forbidden: tuple[Forbidden, ...] = ()
    sources: tuple[Source, ...] = ()
    learning_points: tuple[Label, ...] = field(default=())
    person: str = ""  # the fictional person's name
    story: Label | None = None  # who the person is, told before the exercise starts

    def why(self, step_name: str) -> Label | None:
        """Why the expected step ``step_name`` matters, if the scenario says."""
        return next((step.why for step in self.expected if step.name == step_name), None)
