"""SLA metrics per alarm case and aggregates (share within target, p50/p90) over many cases."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.alarmchain.case import AlarmCase
from portal.alarmchain.policy import Policy

METRICS = ("answer", "dispatch", "acknowledge", "arrival", "closure")


@dataclass(frozen=True, slots=True)
class CaseMetrics:
    """Whole seconds from alarm (or from dispatch, for acknowledge and arrival) per milestone."""

    case_id: str
    answer: int | None
    dispatch: int | None
    acknowledge: int | None
    arrival: int | None
    closure: int | None
    breaches: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """One metric over many cases; percentiles are nearest-rank, shares are of measured cases."""

    name: str
    count: int
    target: int | None
    within_target: int | None
    share_within: float | None
    p50: int | None
    p90: int | None


@dataclass(frozen=True, slots=True)
class SlaSummary:
    """Aggregates over a set of cases."""

    cases: int
    closed: int
    breaches: tuple[tuple[str, int], ...]
    metrics: tuple[MetricSummary, ...]


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds())


def case_metrics(case: AlarmCase) -> CaseMetrics:
    """Return the case's durations; None where a milestone was never reached."""
    return CaseMetrics(
        case_id=case.case_id,
        answer=_seconds(case.opened_at, case.answered_at),
        dispatch=_seconds(case.opened_at, case.dispatched_at),
        acknowledge=_seconds(case.dispatched_at, case.acknowledged_at),
        arrival=_seconds(case.dispatched_at, case.arrived_at),
        closure=_seconds(case.opened_at, case.closed_at),
        breaches=tuple(b.kind for b in case.breaches),
    )


def percentile(values: list[int], p: float) -> int | None:
    """Return the nearest-rank ``p``-th percentile of ``values`` (None if empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _targets(policy: Policy, case: AlarmCase) -> dict[str, timedelta | None]:
    return {
        "answer": policy.answer_target,
        "dispatch": None,
        "acknowledge": policy.dispatch_ack,
        "arrival": policy.arrival_target(case.area),
        "closure": None,
    }


def summarise(cases: Iterable[AlarmCase], policy: Policy) -> SlaSummary:
    """Return SLA aggregates; a case is within target when its duration is <= the target."""
    cases = list(cases)
    values: dict[str, list[int]] = {m: [] for m in METRICS}
    within: dict[str, int] = dict.fromkeys(METRICS, 0)
    has_target: dict[str, bool] = dict.fromkeys(METRICS, False)
    breach_counts: dict[str, int] = {}
    for case in cases:
        metrics = case_metrics(case)
        targets = _targets(policy, case)
        for name in METRICS:
            value = getattr(metrics, name)
            if value is None:
                continue
            values[name].append(value)
            target = targets[name]
            if target is not None:
                has_target[name] = True
                within[name] += value <= target.total_seconds()
        for kind in metrics.breaches:
            breach_counts[kind] = breach_counts.get(kind, 0) + 1
    summaries = []
    for name in METRICS:
        n = len(values[name])
        measured = has_target[name]
        target = _targets(policy, cases[0])[name] if cases else None
        summaries.append(MetricSummary(
            name=name, count=n,
            target=None if target is None or name == "arrival" else int(target.total_seconds()),
            within_target=within[name] if measured else None,
            share_within=within[name] / n if measured and n else None,
            p50=percentile(values[name], 50), p90=percentile(values[name], 90),
        ))  # fmt: skip
    return SlaSummary(
        cases=len(cases),
        closed=sum(1 for c in cases if c.is_closed),
        breaches=tuple(sorted(breach_counts.items())),
        metrics=tuple(summaries),
    )
