"""A municipality's simulated day: heartbeats, daily tests, random alarms and faults."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.alarmchain.codes import DeviceType, MessageType
from portal.alarmchain.outcome import Setup
from portal.alarmchain.policy import Policy
from portal.alarmchain.run import format_sla
from portal.alarmchain.scaip import CallerData, MessageRequest
from portal.alarmchain.scenarios import Behaviour, DeviceSpec, Fault, ScriptedInput
from portal.alarmchain.simulation import simulate
from portal.alarmchain.sla import SlaSummary, summarise

DEFAULT_START = datetime.fromisoformat("2025-01-14T00:00:00+01:00")  # a Tuesday
ALARMS_PER_BRUKARE = 0.3  # alarms per person and day [PROPOSAL: no public figure found]
LOCAL_LINK_FAULT = 0.002  # share of units unplugged or broken during the day [PROPOSAL]
BATTERY_LOW = 0.005  # share of buttons reporting low battery during the day [PROPOSAL]
RURAL_SHARE = 0.2
# What the person says or shows when an alarm arrives, with weights [PROPOSAL].
MIX: tuple[tuple[str, Behaviour, int], ...] = (
    ("mistake", Behaviour(says="mistake", on_site="fine"), 40),
    ("needs_help", Behaviour(says="needs_help", on_site="help"), 35),
    ("advice", Behaviour(says="advice", on_site="fine"), 10),
    ("fall", Behaviour(says="needs_help", on_site="acute", fall=True), 7),
    ("silent", Behaviour(voice=False, answers_phone=False, on_site="help"), 8),
)


@dataclass(frozen=True, slots=True)
class DaySummary:
    """What happened in the day: volumes, technical alarms, outages and SLA aggregates."""

    brukare: int
    seed: int
    start: datetime
    events: int
    heartbeats: int
    alarms: int
    tickets: tuple[tuple[str, int], ...]
    tickets_closed: int
    outages: int
    rejected: int
    sla: SlaSummary


def _alarm(cid: str, ref: str, dty: str, stc: str, voice: bool) -> MessageRequest:
    crd = CallerData("gsm", "") if voice else CallerData("no-voice", "")
    return MessageRequest(ref=ref, cid=cid, dty=dty, mty=MessageType.ME, stc=stc, crd=crd)


def day_setup(brukare: int, rng: random.Random, start: datetime, policy: Policy,
              faults: frozenset[Fault] = frozenset()) -> Setup:  # fmt: skip
    """Return the set-up of one day for ``brukare`` people, drawn from ``rng``."""
    day = 86400
    interval = int(policy.heartbeat_interval.total_seconds())
    names = [name for name, _, _ in MIX]
    weights = [weight for _, _, weight in MIX]
    devices, inputs, areas = [], [], {}
    for i in range(brukare):
        cid = f"47{i:08d}"
        areas[cid] = "rural" if rng.random() < RURAL_SHARE else "urban"
        silent_from = timedelta(seconds=rng.randrange(day)) if rng.random() < LOCAL_LINK_FAULT else None
        devices.append(DeviceSpec(cid, True, timedelta(seconds=rng.randrange(interval)), silent_from))
        if rng.random() < BATTERY_LOW:
            at = timedelta(seconds=rng.randrange(day))
            inputs.append(ScriptedInput(at, _alarm(cid, f"B{i}", DeviceType.PERSONAL_TRIGGER, "0016", False)))
    for n in range(round(brukare * ALARMS_PER_BRUKARE)):
        cid = f"47{rng.randrange(brukare):08d}"
        behaviour = rng.choices(names, weights)[0]
        at = timedelta(seconds=rng.randrange(day))
        request = _alarm(cid, f"A{n}", DeviceType.PERSONAL_TRIGGER, "0010", True)
        inputs.append(ScriptedInput(at, request, behaviour))
    return Setup(
        start=start, horizon=timedelta(seconds=day), policy=policy, area="urban",
        access="digital_lock", devices=devices, inputs=inputs,
        behaviours={name: b for name, b, _ in MIX}, faults=faults, areas=areas,
        stop_when_done=False,
    )  # fmt: skip


def simulate_day(brukare: int, seed: int, *, start: datetime = DEFAULT_START,
                 policy: Policy | None = None,
                 faults: frozenset[Fault] = frozenset()) -> DaySummary:  # fmt: skip
    """Return the summary of one simulated day; same arguments, same summary."""
    policy = policy or Policy()
    rng = random.Random(seed)  # nosec B311 – a replayable simulation: the same seed gives the same day; no secret is drawn
    outcome = simulate(day_setup(brukare, rng, start, policy, faults), rng.randrange(2**32),
                       record=False)  # fmt: skip
    world = outcome.world
    kinds = Counter(str(t.kind) for t in world.tickets.values())
    return DaySummary(
        brukare=brukare, seed=seed, start=start, events=len(outcome.events),
        heartbeats=sum(1 for e in outcome.events if e.action == "PI"),
        alarms=len(world.cases), tickets=tuple(sorted(kinds.items())),
        tickets_closed=sum(1 for t in world.tickets.values() if t.is_closed),
        outages=len(world.outages), rejected=len(outcome.rejected),
        sla=summarise(world.cases.values(), policy),
    )  # fmt: skip


def format_day_summary(summary: DaySummary) -> str:
    """Return the day's summary and SLA aggregates as plain text."""
    tickets = ", ".join(f"{k}={n}" for k, n in summary.tickets) or "none"
    return (
        f"# Day of {summary.brukare} brukare (seed {summary.seed}, "
        f"start {summary.start.isoformat()})\n"
        f"events {summary.events}, heartbeats {summary.heartbeats}, alarms {summary.alarms}, "
        f"outages {summary.outages}, refused actor steps {summary.rejected}\n"
        f"technical alarms: {tickets} (closed {summary.tickets_closed})\n\n"
        f"{format_sla(summary.sla)}\n"
    )
