"""Live runs: a scenario played step by step in virtual time, with people taking some roles.

A live run is the scenario, a seed and the interventions so far (people's actions, messages from
outside devices, injected faults), each at a virtual time. Playing them again gives the same run,
so the web shell stores only those inputs and the moment the clock has reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from portal.alarmchain import incidents as inc
from portal.alarmchain import lifecycle as lc
from portal.alarmchain.case import AlarmCase, CaseAction, CloseReason, allowed_actions
from portal.alarmchain.events import Actor, Event, Kind, Params
from portal.alarmchain.outcome import Intervention, Rejected, is_complete
from portal.alarmchain.run import scenario_setup
from portal.alarmchain.scenarios import Scenario
from portal.alarmchain.simulation import Resumable
from portal.alarmchain.world import World

PEOPLE = (Actor.OPERATOR, Actor.HOME_CARE, Actor.LARMTEAM, Actor.MANAGER, Actor.HANDLAGGARE)
_ACCESS_METHODS = ("key_found", "relative", "locksmith", "rescue_service")


@dataclass(frozen=True)
class LiveRun:
    """A live run at its current moment."""

    scenario: Scenario
    events: tuple[Event, ...]
    states: tuple[str, ...]  # the state label after each event ("ok" for a plain heartbeat)
    world: World
    now: datetime
    refused: tuple[tuple[int, Rejected], ...]  # (index of the intervention, why)

    @property
    def complete(self) -> bool:
        """Return True when every case, ticket and outage closed and every service went live."""
        return (
            bool(self.events)
            and is_complete(self.world)
            and bool(self.world.cases or self.world.tickets or self.world.outages or self.world.services)
        )

    @property
    def over(self) -> bool:
        """Return True when the run is complete or its virtual time has run out."""
        return self.complete or self.now >= self.scenario.start + self.scenario.horizon


class Player:
    """A live run kept in memory between requests: the next moment plays only what is new.

    ``play`` gives the same run as :func:`play` with the same arguments, or raises CannotResume when
    the interventions do not extend those played before or the moment lies before the one reached.
    """

    def __init__(self, scenario: Scenario, seed: int, manual: frozenset[Actor] = frozenset()) -> None:
        self.scenario, self.seed, self.manual = scenario, seed, manual
        self._sim = Resumable(replace(scenario_setup(scenario), manual=manual), seed)

    def play(
        self, interventions: Sequence[Intervention], *, until: datetime, advance: bool = False
    ) -> LiveRun:
        """Return the run up to ``until`` (with ``advance``, to the next moment something happens)."""
        paused = self._sim.play_to(interventions, max(until, self.scenario.start), advance=advance)
        outcome = paused.outcome
        return LiveRun(
            self.scenario, outcome.events, outcome.states, outcome.world, paused.now, paused.refused
        )


def play(scenario: Scenario, seed: int, interventions: Sequence[Intervention], *, until: datetime,
         manual: frozenset[Actor] = frozenset(), advance: bool = False) -> LiveRun:  # fmt: skip
    """Return the run of ``scenario`` up to ``until`` (with ``advance``, up to the next moment
    after it when something happens); actors in ``manual`` are left to people."""
    return Player(scenario, seed, manual).play(interventions, until=until, advance=advance)


@dataclass(frozen=True, slots=True)
class Option:
    """An action a person in some role can try now (the engine may still refuse it)."""

    kind: Kind
    subject: str
    action: str
    params: Params = ()

    def event(self, at: datetime, actor: Actor) -> Event:
        """Return the event of taking this option at ``at``."""
        return Event(at, actor, self.kind, self.subject, self.action, self.params)


def options(world: World, actor: Actor, *, access: str = "digital_lock") -> tuple[Option, ...]:
    """Return what ``actor`` can try now on every open case, ticket, outage and service.

    These are the actions the state machines allow from the current states; guards are left to
    the engine, so that a trainee who tries something unsafe learns why it is refused.
    """
    found: list[Option] = []
    for case in world.cases.values():
        if not case.is_closed:
            found += _case_options(case, actor)
    for ticket in world.tickets.values():
        if not ticket.is_closed:
            found += [Option(Kind.TICKET, ticket.ticket_id, a) for (s, a) in inc.TICKET_TRANSITIONS
                      if s is ticket.state and actor in inc.TICKET_ACTORS[a]]  # fmt: skip
    for outage in world.outages.values():
        if not outage.is_closed and actor is Actor.MANAGER:
            found += [Option(Kind.OUTAGE, outage.outage_id, a) for (s, a) in inc.OUTAGE_TRANSITIONS
                      if s is outage.state and a not in outage.flags]  # fmt: skip
    for service in world.services.values():
        found += _service_options(world, service, actor, access)
    return tuple(found)


def _case_options(case: AlarmCase, actor: Actor) -> list[Option]:
    found = []
    for action in allowed_actions(case, actor):
        if action is CaseAction.GAIN_ACCESS:
            found += [Option(Kind.CASE, case.case_id, action, (("method", m),)) for m in _ACCESS_METHODS]
        elif action is not CaseAction.INFO and (action != CaseAction.FILE_DEVIATION
                                                 or "deviation_filed" not in case.flags):  # fmt: skip
            found.append(Option(Kind.CASE, case.case_id, action))
    return found


def _service_options(world: World, service: lc.Service, actor: Actor, access: str) -> list[Option]:
    found = []
    for action, (sources, _, actors) in lc.RULES.items():
        if service.state not in sources or actor not in actors:
            continue
        params: Params = ()
        if action == "secure_access":
            params = (("access", access),) + ((("keys", "2"),) if access == "keys" else ())
        elif action == "confirm_test":
            tests = [c.case_id for c in world.cases.values()
                     if c.cid == service.cid and c.closure is CloseReason.TEST_ALARM]  # fmt: skip
            params = (("case", tests[-1]),) if tests else ()
        elif action == "return_keys":
            params = (("receipts", "signed"),)
        found.append(Option(Kind.SERVICE, service.service_id, action, params))
    return found
