"""Score a trainee's event log against the scenario's expected steps; feedback is codes only."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from portal.alarmchain.case import BREACH_OF, CaseAction
from portal.alarmchain.events import Actor, Event, Params, params_of
from portal.alarmchain.outcome import is_complete
from portal.alarmchain.roles import actors_for
from portal.alarmchain.scenarios import ExpectedStep, Scenario
from portal.alarmchain.world import fold

POINTS = {"correct": 2, "late": 1, "missed": 0, "out_of_order": 0}
WRONG_PENALTY = 2


class Verdict(enum.StrEnum):
    CORRECT = "correct"
    LATE = "late"
    MISSED = "missed"
    OUT_OF_ORDER = "out_of_order"
    WRONG = "wrong"  # a forbidden action was taken


@dataclass(frozen=True, slots=True)
class Feedback:
    """A feedback code (see ``labels.FEEDBACK``) and its parameters, for the web layer."""

    code: str
    params: Params = ()


@dataclass(frozen=True, slots=True)
class StepResult:
    """The verdict on one expected step (or one forbidden action taken)."""

    step: str
    verdict: Verdict
    at: datetime | None
    feedback: Feedback


@dataclass(frozen=True, slots=True)
class Score:
    """Per-step verdicts, wrong actions, points and extra feedback (breaches, not closed)."""

    steps: tuple[StepResult, ...]
    wrong: tuple[StepResult, ...]
    points: int
    max_points: int
    feedback: tuple[Feedback, ...]

    @property
    def percent(self) -> int:
        """Return the score as a whole percentage of the maximum (0 when nothing is expected)."""
        return 0 if self.max_points == 0 else round(100 * self.points / self.max_points)


def _first(events: Sequence[Event], step: ExpectedStep) -> Event | None:
    for event in events:
        if event.kind == step.kind and event.action == step.action:
            if event.actor not in (Actor.TIMER, Actor.DEVICE):
                return event
    return None


def _judge(step: ExpectedStep, event: Event | None, found: dict[str, Event | None],
           start: datetime) -> StepResult:  # fmt: skip
    if event is None:
        return StepResult(step.name, Verdict.MISSED, None,
                          Feedback("step.missed", params_of({"step": step.name})))  # fmt: skip
    before = found.get(step.after) if step.after else None
    if before is not None and event.at < before.at:
        params = params_of({"step": step.name, "after": step.after})
        return StepResult(step.name, Verdict.OUT_OF_ORDER, event.at,
                          Feedback("step.out_of_order", params))  # fmt: skip
    anchor_event = found.get(step.since) if step.since else None
    anchor = anchor_event.at if anchor_event else (None if step.since else start)
    # At the limit itself the timer has already fired and the chain has moved on: that is late.
    if step.within is not None and anchor is not None and event.at - anchor >= step.within:
        seconds = int((event.at - anchor).total_seconds())
        params = params_of({"step": step.name, "seconds": str(seconds),
                            "limit": str(int(step.within.total_seconds()))})  # fmt: skip
        return StepResult(step.name, Verdict.LATE, event.at, Feedback("step.late", params))
    return StepResult(step.name, Verdict.CORRECT, event.at,
                      Feedback("step.correct", params_of({"step": step.name})))  # fmt: skip


def _breaches(events: Sequence[Event]) -> list[Feedback]:
    found = []
    for event in events:
        if event.actor is Actor.TIMER and event.action in BREACH_OF:
            kind = BREACH_OF[CaseAction(event.action)]
            if event.action not in (CaseAction.ANSWER_ESCALATE_ELAPSED,):
                found.append(Feedback("sla.breach", params_of({"kind": kind})))
        elif event.actor is Actor.TIMER and event.action == "due_elapsed":
            found.append(Feedback("sla.breach", params_of({"kind": "ticket_due"})))
    return found


def score(scenario: Scenario, events: Sequence[Event], actor: Actor | None = None) -> Score:
    """Return the score of ``events`` against ``scenario``; times count from the first event.

    With ``actor``, only the steps and forbidden actions that are that role's count: a trainee
    playing home care is not marked on the operator's answer time.
    """
    start = events[0].at if events else scenario.start
    found: dict[str, Event | None] = {}
    results = []
    for step in scenario.expected:
        event = _first(events, step)
        if actor is None or actor in actors_for(step.kind, step.action):
            results.append(_judge(step, event, found, start))
        found[step.name] = event
    wrong = tuple(
        StepResult(f.action, Verdict.WRONG, e.at,
                   Feedback("action.forbidden", params_of({"action": f.action})))
        for e in events for f in scenario.forbidden
        if e.kind == f.kind and e.action == f.action and e.actor is not Actor.TIMER
        and (actor is None or e.actor is actor)
    )  # fmt: skip
    points = sum(POINTS[r.verdict] for r in results) - WRONG_PENALTY * len(wrong)
    extra = _breaches(events)
    if not is_complete(fold(events, scenario.policy)):
        extra.append(Feedback("case.not_closed"))
    return Score(tuple(results), wrong, max(0, points), 2 * len(results), tuple(extra))
