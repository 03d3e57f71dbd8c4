"""SLA metrics and aggregates against values computed by hand on a small fixture log."""

from __future__ import annotations

import pytest

from portal.alarmchain.errors import InvalidTransition
from portal.alarmchain.events import Actor, Event, Kind
from portal.alarmchain.policy import Policy
from portal.alarmchain.sla import percentile, summarise
from portal.alarmchain.world import fold
from tests.alarmchain.conftest import act, alarm

OP, HC = Actor.OPERATOR, Actor.HOME_CARE


def chain(case: str, start: int, answer: int, dispatch: int, ack: int, arrive: int) -> list[Event]:
    """One case: answer, dispatch, acknowledge and arrival after the given seconds."""
    t = start
    return [
        alarm(t, cid=f"9{case[1:]}"),
        act(t + answer, OP, Kind.CASE, case, "answer"),
        act(t + dispatch, OP, Kind.CASE, case, "dispatch"),
        act(t + dispatch + ack, HC, Kind.CASE, case, "acknowledge"),
        act(t + dispatch + arrive, HC, Kind.CASE, case, "arrive"),
    ]


# Four cases; answer 20, 50, 70, 200 s; ack 60, 120, 400 s (one never dispatched);
# arrival 600, 1500, 2400 s from dispatch (urban target 1800 s).
LOG = (
    chain("C0001", 0, 20, 100, 60, 600)
    + chain("C0002", 10_000, 50, 200, 120, 1500)
    + chain("C0003", 20_000, 70, 300, 400, 2400)
    + [alarm(30_000, cid="94"), act(30_200, OP, Kind.CASE, "C0004", "answer"),
       act(30_260, OP, Kind.CASE, "C0004", "close_false_alarm")]
)  # fmt: skip


def test_percentile_is_nearest_rank() -> None:
    assert percentile([20, 50, 70, 200], 50) == 50
    assert percentile([20, 50, 70, 200], 90) == 200
    assert percentile([5], 90) == 5
    assert percentile([], 50) is None


def test_aggregates_equal_hand_computed_values() -> None:
    world = fold(LOG)
    sla = summarise(world.cases.values(), Policy())
    by_name = {m.name: m for m in sla.metrics}
    answer = by_name["answer"]
    assert (answer.count, answer.within_target, answer.p50, answer.p90) == (4, 2, 50, 200)
    assert answer.share_within == 0.5
    ack = by_name["acknowledge"]
    assert (ack.count, ack.within_target, ack.p50, ack.p90) == (3, 2, 120, 400)
    assert ack.share_within == 2 / 3
    arrival = by_name["arrival"]
    assert (arrival.count, arrival.within_target, arrival.p50, arrival.p90) == (3, 2, 1500, 2400)
    dispatch = by_name["dispatch"]
    assert (dispatch.count, dispatch.p50, dispatch.p90, dispatch.share_within) == (
        3,
        200,
        300,
        None,
    )
    closure = by_name["closure"]
    assert (closure.count, closure.p50) == (1, 260)
    assert (sla.cases, sla.closed, sla.breaches) == (4, 1, ())


def test_rural_cases_use_the_rural_arrival_target() -> None:
    log = [act(0, Actor.LARMTEAM, Kind.FLEET, "90001", "register", area="rural")]
    log += chain("C0001", 0, 20, 100, 60, 2400)
    arrival = {m.name: m for m in summarise(fold(log).cases.values(), Policy()).metrics}["arrival"]
    assert arrival.within_target == 1  # 40 min is within the 60 min rural target


def test_breaches_are_counted_and_stale_timers_refused() -> None:
    stale = LOG + [act(60, Actor.TIMER, Kind.CASE, "C0001", "answer_target_elapsed")]
    stale.sort(key=lambda e: e.at)
    with pytest.raises(InvalidTransition):
        fold(stale)  # C0001 was answered after 20 s: its answer timer no longer applies
    late = [alarm(0, cid="95"), act(60, Actor.TIMER, Kind.CASE, "C0001", "answer_target_elapsed")]
    assert summarise(fold(late).cases.values(), Policy()).breaches == (("answer", 1),)
