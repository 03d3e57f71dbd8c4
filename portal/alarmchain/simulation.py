"""Discrete-event simulation over a virtual clock: inputs, heartbeats, timers and actor steps.

No wall clock and no global random: the caller passes ``start`` and a seeded ``random.Random``.
Ties at the same instant run device messages first, then timers, then actors, in push order.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.alarmchain import actors as ac
from portal.alarmchain import supervision as sv
from portal.alarmchain.case import AlarmCase, CloseReason
from portal.alarmchain.codes import DeviceType
from portal.alarmchain.errors import AlarmChainError
from portal.alarmchain.events import Actor, Event, Kind, Params, device_event, params_of
from portal.alarmchain.incidents import Ticket
from portal.alarmchain.lifecycle import Service, ServiceState
from portal.alarmchain.outcome import Injection, Intervention, Outcome, Rejected, Setup, is_complete
from portal.alarmchain.scenarios import Behaviour, DeviceSpec, Fault, ScriptedInput
from portal.alarmchain.scheduler import Agenda
from portal.alarmchain.timers import case_timers, ticket_timers
from portal.alarmchain.world import _Ledger

# People act last at an instant: they answer the state they saw, after everything due by then.
_DEVICE, _TIMER, _ACTOR, _PERSON = 0, 1, 2, 3
_WORK = frozenset({"input", "device", "timer", "wake", "intervene"})
_OUTAGE_NEIGHBOURS = 9  # units sharing the supplier's network with the scenario's own unit
_OUTAGE_LENGTH = timedelta(minutes=90)
_REPAIR: dict[sv.TechKind, tuple[str, str, str | None]] = {
    sv.TechKind.LINK_LOST: ("PI", DeviceType.LOCAL_UNIT, None),
    sv.TechKind.BUTTON_LOST: ("ME", DeviceType.PERSONAL_TRIGGER, "0124"),
    sv.TechKind.BATTERY_LOW: ("ME", DeviceType.PERSONAL_TRIGGER, "0015"),
    sv.TechKind.TEST_MISSED: ("PI", DeviceType.LOCAL_UNIT, "0102"),
    sv.TechKind.MALFUNCTION: ("ME", DeviceType.LOCAL_UNIT, "0070"),
    sv.TechKind.POWER_FAILURE: ("ME", DeviceType.POWER_SUPPLY, "0086"),
}


@dataclass(frozen=True, slots=True)
class _Wake:
    key: tuple[str, str]
    token: int
    plan: ac.Plan


class _Sim:
    """The run loop; mutable only inside one :func:`simulate` call."""

    def __init__(self, setup: Setup, rng: random.Random, record: bool,
                 until: datetime | None = None, advance: bool = False) -> None:  # fmt: skip
        self.setup, self.rng, self.record = setup, rng, record
        self.until, self.advance = until, advance
        self.now = setup.start
        self.faults: frozenset[Fault] = setup.faults
        self.override: dict[str, object] = {}  # injected changes to the person's behaviour
        self.refused: list[tuple[int, Rejected]] = []  # interventions the engine refused
        self.policy = setup.policy
        self.ledger = _Ledger(setup.policy)
        self.end = setup.start + setup.horizon
        self.agenda = Agenda()
        self.refs = 0
        self.events: list[Event] = []
        self.states: list[str] = []
        self.rejected: list[Rejected] = []
        self.seen: dict[tuple[str, str], tuple[object, tuple[object, ...]]] = {}
        self.tokens: dict[tuple[str, str], int] = {}
        self.behaviour_of: dict[str, Behaviour] = {}
        self.specs = {d.cid: d for d in setup.devices}
        self.repaired: set[str] = set()
        self.armed: set[str] = set()
        self.next_test: dict[str, datetime] = {}
        self.pressed: set[str] = set()
        self.current = "default"

    # agenda ---------------------------------------------------------------------------------
    def push(self, at: datetime, prio: int, tag: str, payload: object) -> None:
        self.agenda.push(at, prio, tag, payload, work=tag in _WORK)

    def device_message(self, at: datetime, cid: str, mty: str, dty: str, stc: str | None,
                       crd: str = "no-voice:", reason: str = "") -> Event:  # fmt: skip
        self.refs += 1
        # Keys already in sorted order: this runs for every simulated heartbeat.
        params: Params = (("crd", crd), ("dty", dty), ("ref", f"SIM{self.refs}"))
        if stc is not None:
            params += (("stc", stc),)
        return Event(at, Actor.DEVICE, Kind.DEVICE, cid, mty, params, reason)

    def setup_agenda(self) -> None:
        s = self.setup
        cids = [d.cid for d in s.devices] + [i.request.cid for i in s.inputs]
        for cid in dict.fromkeys(cids):
            area = (s.areas or {}).get(cid, s.area)
            self.apply(Event(s.start, Actor.LARMTEAM, Kind.FLEET, cid, "register",
                             (("area", area),)))  # fmt: skip
        for spec in s.devices:
            if spec.heartbeat:
                self.push(s.start + spec.phase, _DEVICE, "beat", spec.cid)
                self.push(s.start + self.policy.daily_test_window, _TIMER, "testcheck", spec.cid)
        for item in s.inputs:
            self.push(s.start + item.offset, _DEVICE, "input", item)
        if s.service:
            params = params_of({"cid": s.service.cid, "area": s.area})
            self.apply(Event(s.start, Actor.HANDLAGGARE, Kind.SERVICE, s.service.service_id,
                             "apply", params))  # fmt: skip

    # main loop ------------------------------------------------------------------------------
    def run(self) -> Outcome:
        self.setup_agenda()
        return self.play_on()

    def play_on(self) -> Outcome:
        """Run the agenda up to ``until`` (or the end); callable again after a pause."""
        agenda = self.agenda
        while agenda:
            if self.setup.stop_when_done and agenda.work == 0 and self.done(agenda.next_at()):
                break
            if agenda.next_at() > self.end:
                break
            if self.until is not None and not self.advance and agenda.next_at() > self.until:
                break
            at, tag, payload = agenda.pop()
            self.now = at
            self.dispatch(at, tag, payload)
        return Outcome(tuple(self.events), tuple(self.states), self.ledger.freeze(),
                       tuple(self.rejected))  # fmt: skip

    def dispatch(self, at: datetime, tag: str, payload: object) -> None:
        if tag == "beat":
            self.beat(at, str(payload))
        elif tag == "linkcheck" or tag == "testcheck":
            self.check(at, tag, str(payload))
        elif tag == "input":
            assert isinstance(payload, ScriptedInput)  # nosec B101 – narrows the type of the engine's own queued event, not a check on input
            self.current = payload.behaviour
            self.apply(self.device_event(at, payload))
            self.current = "default"
        elif tag == "intervene":
            assert isinstance(payload, tuple)  # nosec B101 – narrows the type of the engine's own queued event, not a check on input
            self.intervene(at, *payload)
        elif tag == "wake":
            assert isinstance(payload, _Wake)  # nosec B101 – narrows the type of the engine's own queued event, not a check on input
            plan = payload.plan
            if self.tokens.get(payload.key) == payload.token:
                self.apply(Event(at, plan.actor, plan.kind, plan.subject, plan.action,
                                 plan.params, plan.reason), actor_step=True)  # fmt: skip
        else:  # "timer" and "device": ready-made events
            assert isinstance(payload, Event)  # nosec B101 – narrows the type of the engine's own queued event, not a check on input
            self.apply(payload, actor_step=tag == "device")

    def intervene(self, at: datetime, index: int, intervention: Intervention) -> None:
        if intervention.injection is not None:
            self.inject(at, intervention.injection)
            return
        assert intervention.event is not None  # nosec B101 – narrows the type for mypy; the caller set the event
        event = dataclasses.replace(intervention.event, at=at)
        problem = self.apply(event, actor_step=True, reject=False)
        if problem is not None:
            self.refused.append((index, problem))

    def inject(self, at: datetime, what: Injection) -> None:
        main = self.main_cid()
        if what is Injection.NO_ANSWER:
            self.override = {"voice": False, "answers_phone": False}
            self.replan_cases()
        elif what is Injection.NO_KEY:
            self.faults = self.faults | {Fault.NO_KEY}
            self.replan_cases()
        elif what is Injection.BATTERY_LOW:
            self.apply(self.device_message(at, main, "ME", DeviceType.PERSONAL_TRIGGER, "0016"))
        elif what is Injection.LINK_LOST:
            self.silence(main, at, None)
        else:
            prefix = "46099"
            for n in range(1, _OUTAGE_NEIGHBOURS + 1):
                self.silence(f"{prefix}{n:05d}", at, at + _OUTAGE_LENGTH)
            self.silence(main, at, at + _OUTAGE_LENGTH)

    def main_cid(self) -> str:
        s = self.setup
        cids = [i.request.cid for i in s.inputs] + [d.cid for d in s.devices]
        cids += [s.service.cid] if s.service else []
        return cids[0] if cids else "4600000001"

    def silence(self, cid: str, at: datetime, until: datetime | None) -> None:
        """Make ``cid`` stop sending from ``at`` (until a visit fixes it when ``until`` is None)."""
        start = self.setup.start
        known = self.specs.get(cid)
        self.specs[cid] = DeviceSpec(cid, True, known.phase if known else timedelta(0), at - start,
                                     None if until is None else until - start)  # fmt: skip
        self.repaired.discard(cid)
        if known is None or not known.heartbeat:
            self.push(at + self.policy.heartbeat_interval, _DEVICE, "beat", cid)
        if cid not in self.ledger.devices:
            self.apply(Event(at, Actor.LARMTEAM, Kind.FLEET, cid, "register",
                             (("area", self.setup.area),)))  # fmt: skip
        self.arm_link(cid)

    def replan_cases(self) -> None:
        for kind, subject in list(self.seen):
            if kind == "case" and not self.ledger.cases[subject].is_closed:
                self.react((kind, subject), replan=True)

    def device_event(self, at: datetime, item: ScriptedInput) -> Event:
        return device_event(at, item.request)

    def silent(self, spec: DeviceSpec, at: datetime) -> bool:
        if spec.silent_from is None or at < self.setup.start + spec.silent_from:
            return False
        if spec.silent_until is not None:
            return at < self.setup.start + spec.silent_until
        return spec.cid not in self.repaired

    def beat(self, at: datetime, cid: str) -> None:
        spec = self.specs[cid]
        self.push(at + self.policy.heartbeat_interval, _DEVICE, "beat", cid)
        if self.silent(spec, at):
            return
        stc = None
        if at >= self.next_test.get(cid, at):
            stc, self.next_test[cid] = "0102", at + timedelta(hours=24)
        self.apply(self.device_message(at, cid, "PI", DeviceType.LOCAL_UNIT, stc))

    def check(self, at: datetime, tag: str, cid: str) -> None:
        device = self.ledger.devices[cid]
        action = sv.LINK_TIMEOUT if tag == "linkcheck" else sv.DAILY_TEST_TIMEOUT
        timer = Event(at, Actor.TIMER, Kind.DEVICE, cid, action)
        if sv.timer_applies(device, timer, self.policy):
            self.apply(timer)
        if tag == "linkcheck":
            self.armed.discard(cid)
            self.arm_link(cid)
        elif device.daily_test is sv.Health.OK:
            self.push(max(at, sv.test_deadline(device, self.policy)), _TIMER, tag, cid)

    def arm_link(self, cid: str) -> None:
        device = self.ledger.devices[cid]
        spec = self.specs.get(cid)
        if spec and spec.heartbeat and cid not in self.armed and device.link is sv.Link.ONLINE:
            self.armed.add(cid)
            deadline = max(sv.link_deadline(device, self.policy), self.now)
            self.push(deadline, _TIMER, "linkcheck", cid)

    # applying and reacting ------------------------------------------------------------------
    def apply(self, event: Event, actor_step: bool = False, reject: bool = True) -> Rejected | None:
        """Apply ``event`` and let the actors react; return the refusal if the engine refused it."""
        ledger = self.ledger
        counts = (len(ledger.cases), len(ledger.tickets), len(ledger.outages))
        before = ledger.devices.get(event.subject) if event.kind is Kind.DEVICE else None
        open_before = ledger.open_case_of.get(event.subject)
        try:
            ledger.apply(event)
        except AlarmChainError as exc:
            refusal = Rejected(event, exc.code, str(exc), getattr(exc, "reason", ""))
            if actor_step and reject:
                self.rejected.append(refusal)
            return refusal
        self.events.append(event)
        touched = self.touched(event, counts, before, open_before)
        if self.record:
            self.states.append(self.state_label(event, touched))
        for key in touched:
            self.react(key)
        if event.kind is Kind.DEVICE:
            self.arm_link(event.subject)
        if self.advance and event.at > self.until and self.worth_showing(event, touched, before):  # type: ignore[operator]
            self.until, self.advance = event.at, False  # the next moment worth showing
        return None

    def worth_showing(self, event: Event, touched: list[tuple[str, str]], before: sv.Device | None) -> bool:
        """Return False for a device message that moved nothing, such as a heartbeat that changes
        no device condition (also while the unit has an open case, which it then "touches")."""
        if event.kind is not Kind.DEVICE:
            return True
        after = self.ledger.devices[event.subject]
        plain = event.action == "PI" and before is not None and before.health == after.health
        return bool(touched) and not plain

    def touched(self, event: Event, counts: tuple[int, int, int], before: sv.Device | None,
                open_before: str | None) -> list[tuple[str, str]]:  # fmt: skip
        ledger, kind = self.ledger, event.kind
        if kind is Kind.CASE:
            cid = ledger.cases[event.subject].cid
            return (
                [("case", event.subject)]
                + [("service", s.service_id) for s in ledger.services.values() if s.cid == cid]
                + [("ticket", t) for (c, _), t in ledger.open_ticket_of.items() if c == cid]
            )
        if kind in (Kind.TICKET, Kind.OUTAGE, Kind.SERVICE):
            if kind is Kind.TICKET and event.action == "visit":
                self.repair(ledger.tickets[event.subject], event.at)
            return [(str(kind), event.subject)]
        if kind is not Kind.DEVICE or (
            event.action == "PI" and not open_before and counts[1] == len(ledger.tickets)
            and before is not None and before.health == ledger.devices[event.subject].health
        ):  # fmt: skip
            return []
        found: list[tuple[str, str]] = []
        if open_before:
            found.append(("case", open_before))
        found += [("case", f"C{n:04d}") for n in range(counts[0] + 1, len(ledger.cases) + 1)]
        found += [("ticket", f"T{n:04d}") for n in range(counts[1] + 1, len(ledger.tickets) + 1)]
        found += [("outage", f"O{n:04d}") for n in range(counts[2] + 1, len(ledger.outages) + 1)]
        after = ledger.devices[event.subject]
        if before is not None and before.health != after.health:
            for (cid, _), ticket_id in ledger.open_ticket_of.items():
                if cid == event.subject:
                    found.append(("ticket", ticket_id))
            if ledger.active_outage:
                found.append(("outage", ledger.active_outage))
        return found

    def react(self, key: tuple[str, str], replan: bool = False) -> None:
        kind, subject = key
        seen = self.seen.get(key)
        previous = seen[0] if seen else None
        entity, plan_key = self.entity(kind, subject)
        if seen is not None and seen[1] == plan_key and not replan:
            return
        self.seen[key] = (entity, plan_key)
        self.tokens[key] = token = self.tokens.get(key, 0) + 1
        plan: ac.Plan | None = None
        s = self.setup
        if isinstance(entity, AlarmCase):
            if previous is None:
                self.behaviour_of[subject] = self.opening_behaviour(entity)
            for timer in case_timers(previous, entity, self.policy):  # type: ignore[arg-type]
                self.push(timer.at, _TIMER, "timer", timer)
            who = self.behaviour_of[subject]
            if self.override:
                who = dataclasses.replace(who, **self.override)  # type: ignore[arg-type]
            plan = ac.plan_case(entity, who, self.faults, s.access, self.rng)
        elif isinstance(entity, Ticket):
            if previous is None:
                for timer in ticket_timers(entity):
                    self.push(timer.at, _TIMER, "timer", timer)
            plan = ac.plan_ticket(entity, self.tested(entity), self.rng)
        elif isinstance(entity, Service):
            plan = ac.plan_service(entity, self.test_case(entity), self.faults, s.access, self.rng)
            self.maybe_press(entity)
        else:
            plan = ac.plan_outage(entity, self.rng)  # type: ignore[arg-type]
        if plan is not None and plan.actor not in s.manual:
            self.push(self.now + plan.delay, _ACTOR, "wake", _Wake(key, token, plan))

    def entity(self, kind: str, subject: str) -> tuple[object, tuple[object, ...]]:
        obj = getattr(self.ledger, f"{kind}s")[subject]
        return obj, self.plan_key(kind, obj)

    def plan_key(self, kind: str, obj: object) -> tuple[object, ...]:
        if isinstance(obj, AlarmCase):
            return ac.case_key(obj)
        if isinstance(obj, Ticket):
            return ac.ticket_key(obj, self.tested(obj))
        if isinstance(obj, Service):
            return ac.service_key(obj, self.test_case(obj))
        return ac.outage_key(obj)  # type: ignore[arg-type]

    def opening_behaviour(self, case: AlarmCase) -> Behaviour:
        if case.history[0].reason == ac.PROVLARM:
            return Behaviour(says="test")
        return self.setup.behaviours.get(self.current, Behaviour())

    def test_case(self, service: Service) -> str | None:
        for case in self.ledger.cases.values():
            if case.cid == service.cid and case.closure is CloseReason.TEST_ALARM:
                if case.dty == DeviceType.PERSONAL_TRIGGER:
                    return case.case_id
        return None

    def tested(self, ticket: Ticket) -> bool:
        """Return True if a test alarm from the ticket's unit was confirmed after the visit."""
        visits = [t.at for t in ticket.history if t.action == "visit"]
        if not visits or ticket.kind not in ac.NEEDS_TEST:
            return False
        return any(
            c.cid == ticket.cid and c.closure is CloseReason.TEST_ALARM
            and c.closed_at is not None and c.closed_at >= visits[0]
            for c in self.ledger.cases.values()
        )  # fmt: skip

    def maybe_press(self, service: Service) -> None:
        ready = service.state is ServiceState.INSTALLED and service.range_checked
        if not ready or service.service_id in self.pressed or self.test_case(service):
            return
        self.pressed.add(service.service_id)
        if service.button_paired:  # an unpaired button is never heard (Borlänge 2025)
            self.press(service.cid, self.now + ac._s(self.rng, 120, 300))

    def press(self, cid: str, at: datetime) -> None:
        message = self.device_message(at, cid, "ME", DeviceType.PERSONAL_TRIGGER, "0010",
                                      "gsm:", ac.PROVLARM)  # fmt: skip
        self.push(at, _DEVICE, "device", message)

    def repair(self, ticket: Ticket, at: datetime) -> None:
        spec = self.specs.get(ticket.cid)
        if ticket.kind is sv.TechKind.LINK_LOST and spec and spec.silent_until is not None:
            return  # a supplier outage is not fixed by a home visit
        self.repaired.add(ticket.cid)
        mty, dty, stc = _REPAIR[ticket.kind]
        fixed = at + ac._s(self.rng, 60, 180)
        self.push(fixed, _DEVICE, "device", self.device_message(fixed, ticket.cid, mty, dty, stc))
        if ticket.kind in (sv.TechKind.BATTERY_LOW, sv.TechKind.BUTTON_LOST):
            self.press(ticket.cid, fixed + ac._s(self.rng, 120, 300))

    # completion and labels ------------------------------------------------------------------
    def done(self, now: datetime) -> bool:
        ledger = self.ledger
        entities = len(ledger.cases) + len(ledger.tickets) + len(ledger.outages)
        if entities + len(ledger.services) == 0:
            return False
        for spec in self.specs.values():
            if spec.silent_from is not None and (
                now < self.setup.start + spec.silent_from or self.silent(spec, now)
            ):
                return False
        return is_complete(self.ledger)

    def state_label(self, event: Event, touched: list[tuple[str, str]]) -> str:
        ledger = self.ledger
        if event.kind is Kind.DEVICE or event.kind is Kind.FLEET:
            cases = [k for k in touched if k[0] == "case"]
            if cases:
                return f"{cases[-1][1]}:{ledger.cases[cases[-1][1]].state}"
            conditions = ledger.devices[event.subject].conditions
            return ",".join(sorted(conditions)) or "ok"
        obj = getattr(ledger, f"{event.kind}s")[event.subject]
        return str(obj.state)


def simulate(setup: Setup, seed: int, *, record: bool = True) -> Outcome:
    """Return the outcome of playing ``setup``; same setup and seed give the same event log."""
    return _Sim(setup, random.Random(seed), record).run()  # nosec B311 – seeded so that a run plays again the same; no secret is drawn


@dataclass(frozen=True, slots=True)
class Paused:
    """A simulation played up to a moment: the outcome so far, that moment, and what was refused."""

    outcome: Outcome
    now: datetime
    refused: tuple[tuple[int, Rejected], ...]


class CannotResume(Exception):
    """The inputs do not extend those already played, or the moment lies before the one reached."""


class Resumable:
    """A simulation kept between moments: going on to a later moment plays only what is new.

    Playing to a moment with a list of interventions gives what a fresh simulation of ``setup``
    with those interventions gives up to that moment, however the moments were reached before.
    """

    def __init__(self, setup: Setup, seed: int) -> None:
        self._sim = _Sim(setup, random.Random(seed), True, setup.start, False)  # nosec B311 – seeded so that a run plays again the same; no secret is drawn
        self._sim.setup_agenda()
        self._given: tuple[Intervention, ...] = ()
        self._reached = setup.start  # everything at or before this moment has been played

    def play_to(
        self, interventions: Sequence[Intervention], until: datetime, *, advance: bool = False
    ) -> Paused:
        """Play on to ``until`` (with ``advance``, to the next moment worth showing after it)."""
        sim, given = self._sim, len(self._given)
        if until < self._reached or tuple(interventions[:given]) != self._given:
            raise CannotResume
        if any(i.at < self._reached for i in interventions[given:]):
            raise CannotResume
        for index in range(given, len(interventions)):
            sim.push(interventions[index].at, _PERSON, "intervene", (index, interventions[index]))
        self._given = tuple(interventions)
        sim.until, sim.advance = until, advance
        outcome = sim.play_on()
        # Still advancing: nothing worth showing came before the run ended, so its clock ran out
        # (its events may include heartbeats after ``until``).
        now = sim.end if sim.advance else min(sim.until or until, sim.end)
        self._reached = max(now, outcome.events[-1].at) if outcome.events else now
        return Paused(outcome, now, tuple(sim.refused))
