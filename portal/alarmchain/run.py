"""Play a scenario with the automated actors; show it as a timeline or canonical JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.alarmchain.events import Event, event_to_dict
from portal.alarmchain.outcome import Rejected, Setup, is_complete
from portal.alarmchain.scenarios import Fault, Scenario
from portal.alarmchain.simulation import simulate
from portal.alarmchain.sla import SlaSummary, case_metrics, summarise
from portal.alarmchain.world import World

RUN_VERSION = 1


@dataclass(frozen=True)
class Run:
    """One played scenario: its event log, the state after each event and the final world."""

    scenario: str
    seed: int
    start: datetime
    faults: frozenset[Fault]
    events: tuple[Event, ...]
    states: tuple[str, ...]
    world: World
    rejected: tuple[Rejected, ...]

    @property
    def complete(self) -> bool:
        """Return True when every case, ticket and outage closed and every service went live."""
        return is_complete(self.world)

    @property
    def sla(self) -> SlaSummary:
        """Return SLA aggregates over the run's alarm cases."""
        return summarise(self.world.cases.values(), self.world.policy)


def scenario_setup(scenario: Scenario, extra_faults: frozenset[Fault] = frozenset()) -> Setup:
    """Return the simulation set-up of ``scenario``, with any extra faults switched on."""
    return Setup(
        start=scenario.start, horizon=scenario.horizon, policy=scenario.policy,
        area=scenario.area, access=scenario.access, devices=scenario.devices,
        inputs=scenario.inputs, behaviours=scenario.behaviours,
        faults=scenario.faults | extra_faults, service=scenario.service,
    )  # fmt: skip


def run_scenario(scenario: Scenario, seed: int = 0, *, faults: frozenset[Fault] = frozenset()) -> Run:
    """Return the run of ``scenario`` played by the automated actors; same seed, same run."""
    outcome = simulate(scenario_setup(scenario, faults), seed)
    return Run(
        scenario=scenario.slug, seed=seed, start=scenario.start,
        faults=scenario.faults | faults, events=outcome.events, states=outcome.states,
        world=outcome.world, rejected=outcome.rejected,
    )  # fmt: skip


def _offset(run: Run, at: datetime) -> str:
    seconds = int((at - run.start).total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("+", seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _what(event: Event) -> str:
    if event.kind == "device":
        parts = [event.action] + [f"{k}={v}" for k, v in event.params if k in ("dty", "stc")]
        return " ".join(parts)
    return event.action


def format_timeline(run: Run, *, heartbeats: bool = False) -> str:
    """Return the timeline (virtual time, actor, event, state) and the SLA summary as text."""
    lines = [f"# {run.scenario} (seed {run.seed}, start {run.start.isoformat()})", ""]
    for event, state in zip(run.events, run.states, strict=True):
        if not heartbeats and event.kind == "device" and event.action == "PI" and state == "ok":
            continue
        clock = event.at.strftime("%H:%M:%S")
        subject = f"{event.kind}:{event.subject}"
        lines.append(
            f"{_offset(run, event.at)} {clock}  {event.actor:<11} {subject:<18} {_what(event):<28} -> {state}"
        )
    lines += ["", format_sla(run.sla), ""]
    for case in run.world.cases.values():
        m = case_metrics(case)
        lines.append(
            f"{case.case_id}: {case.state} ({case.closure or '-'}) answer={m.answer}s "
            f"dispatch={m.dispatch}s ack={m.acknowledge}s arrival={m.arrival}s "
            f"closure={m.closure}s breaches={','.join(m.breaches) or '-'}"
        )
    for ticket in run.world.tickets.values():
        lines.append(f"{ticket.ticket_id}: {ticket.kind} {ticket.state} due {ticket.due_at}")
    for outage in run.world.outages.values():
        lines.append(f"{outage.outage_id}: {outage.state} affected={len(outage.affected)}")
    for service in run.world.services.values():
        lines.append(f"{service.service_id}: {service.state}")
    lines.append(f"complete: {'yes' if run.complete else 'no'}")
    return "\n".join(lines) + "\n"


def format_sla(sla: SlaSummary) -> str:
    """Return the SLA aggregates as a plain-text table."""
    breaches = ", ".join(f"{k}={n}" for k, n in sla.breaches) or "none"
    head = ("metric", "n", "target", "within", "share", "p50", "p90")
    rows = [f"cases {sla.cases}, closed {sla.closed}; breaches: {breaches}",
            f"{head[0]:<12} " + " ".join(f"{h:>7}" for h in head[1:])]  # fmt: skip
    for m in sla.metrics:
        share = "-" if m.share_within is None else f"{m.share_within:.1%}"
        rows.append(
            f"{m.name:<12} {m.count:>7} {_num(m.target):>7} {_num(m.within_target):>7} "
            f"{share:>7} {_num(m.p50):>7} {_num(m.p90):>7}"
        )
    return "\n".join(rows)


def _num(value: int | None) -> str:
    return "-" if value is None else str(value)


def sla_to_dict(sla: SlaSummary) -> dict[str, Any]:
    """Return the SLA aggregates as a JSON-ready dict."""
    return {
        "cases": sla.cases,
        "closed": sla.closed,
        "breaches": dict(sla.breaches),
        "metrics": [
            {"name": m.name, "count": m.count, "target": m.target, "within": m.within_target,
             "share": m.share_within, "p50": m.p50, "p90": m.p90}
            for m in sla.metrics
        ],
    }  # fmt: skip


def run_to_json(run: Run) -> str:
    """Return the run as canonical JSON (sorted keys): the same seed gives the same bytes."""
    document = {
        "v": RUN_VERSION,
        "scenario": run.scenario,
        "seed": run.seed,
        "start": run.start.isoformat(),
        "faults": sorted(run.faults),
        "complete": run.complete,
        "events": [dict(event_to_dict(e), state=s) for e, s in zip(run.events, run.states, strict=True)],
        "sla": sla_to_dict(run.sla),
        "rejected": [{"code": r.code, "message": r.message} for r in run.rejected],
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, indent=1) + "\n"
