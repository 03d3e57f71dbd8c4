"""The issue's acceptance behaviours, each on the engine itself."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.alarmchain.case import CaseState, CloseReason
from portal.alarmchain.errors import GuardRefused
from portal.alarmchain.events import Actor, Kind
from portal.alarmchain.outcome import Setup
from portal.alarmchain.policy import Policy
from portal.alarmchain.scaip import parse_request
from portal.alarmchain.scenarios import Behaviour, DeviceSpec, ScriptedInput
from portal.alarmchain.simulation import simulate
from portal.alarmchain.supervision import Link, TechKind
from portal.alarmchain.world import fold, step
from tests.alarmchain.conftest import SIM_SHAPES, T0, act, alarm, at, msg


def _setup(behaviour: Behaviour, *extra: ScriptedInput, **kwargs: object) -> Setup:
    inputs = [ScriptedInput(timedelta(0), parse_request(SIM_SHAPES["button"]), "who"), *extra]
    return Setup(
        start=T0, horizon=timedelta(hours=12), policy=Policy(), area="urban",
        access="digital_lock", devices=(), inputs=inputs, behaviours={"who": behaviour},
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def test_no_voice_contact_still_dispatches() -> None:
    outcome = simulate(_setup(Behaviour(voice=False, answers_phone=False)), seed=7)
    case = outcome.world.cases["C0001"]
    actions = [t.action for t in case.history]
    assert actions[:4] == ["alarm", "no_voice", "callback_unanswered", "dispatch"]
    assert case.dispatched_at is not None
    assert case.arrived_at is not None
    assert case.is_closed


def test_cancel_before_answer_closes_with_reason() -> None:
    cancel = ScriptedInput(timedelta(seconds=5), parse_request(SIM_SHAPES["cancel"]))
    outcome = simulate(_setup(Behaviour(), cancel), seed=3)
    case = outcome.world.cases["C0001"]
    assert case.state is CaseState.CLOSED
    assert case.closure is CloseReason.CANCELLED_BY_DEVICE
    assert [t.action for t in case.history][:3] == ["alarm", "cancel", "confirm_cancel"]
    assert case.dispatched_at is None


def test_cancel_on_the_engine_directly() -> None:
    world = fold([alarm(0), msg(5, "4600123456", dty="0003", stc="0019", crd="no-voice:")])
    assert world.cases["C0001"].state is CaseState.CANCELLED_BY_DEVICE
    world = step(world, act(40, Actor.OPERATOR, Kind.CASE, "C0001", "confirm_cancel"))
    assert world.cases["C0001"].closure is CloseReason.CANCELLED_BY_DEVICE


@pytest.mark.parametrize(("interval", "missed"), [(900, 2), (300, 3), (600, 1)])
def test_missed_heartbeats_raise_a_technical_alarm_at_the_exact_time(interval: int, missed: int) -> None:
    policy = Policy(heartbeat_interval=timedelta(seconds=interval), heartbeat_missed=missed)
    last_beat = timedelta(seconds=interval * 3)
    device = DeviceSpec("4600123456", heartbeat=True, silent_from=last_beat + timedelta(seconds=1))
    setup = Setup(
        start=T0, horizon=timedelta(hours=12), policy=policy, area="urban", access="keys",
        devices=[device], inputs=[], behaviours={},
    )  # fmt: skip
    outcome = simulate(setup, seed=1)
    lost = [e for e in outcome.events if e.action == "link_timeout"]
    assert [e.at for e in lost] == [T0 + last_beat + policy.heartbeat_interval * missed]
    ticket = outcome.world.tickets["T0001"]
    assert ticket.kind is TechKind.LINK_LOST
    assert ticket.opened_at == lost[0].at
    assert outcome.world.devices["4600123456"].link is Link.ONLINE  # repaired on the visit
    assert ticket.is_closed


def _fleet(n: int) -> list:  # type: ignore[type-arg]
    return [act(0, Actor.LARMTEAM, Kind.FLEET, f"{i:04d}", "register", area="urban") for i in range(n)]


def _lose(cids: list[str], start: float) -> list:  # type: ignore[type-arg]
    policy = Policy()
    return [
        act(start + 60 * i + policy.link_timeout.total_seconds(), Actor.TIMER, Kind.DEVICE, cid,
            "link_timeout")
        for i, cid in enumerate(cids)
    ]  # fmt: skip


def test_share_of_lost_devices_gives_a_mass_outage_exactly_at_the_threshold() -> None:
    log = _fleet(20) + _lose([f"{i:04d}" for i in range(6)], 0)
    world = fold(log[:-1])  # five of twenty lost: below 30 %
    assert not world.outages
    world = fold(log)  # the sixth: 30 % of 20 within ten minutes
    outage = world.outages["O0001"]
    assert outage.detected_at == log[-1].at
    assert len(outage.affected) == 6
    assert len(world.tickets) == 6


def test_losses_spread_over_more_than_the_window_are_no_mass_outage() -> None:
    policy = Policy()
    log = _fleet(20) + [
        act(policy.link_timeout.total_seconds() + 300 * i, Actor.TIMER, Kind.DEVICE, f"{i:04d}",
            "link_timeout")
        for i in range(8)
    ]  # fmt: skip
    assert not fold(log).outages


def test_outage_closes_only_when_units_are_back_and_assessed() -> None:
    log = _fleet(10) + _lose([f"{i:04d}" for i in range(5)], 0)
    log.append(act(2000, Actor.MANAGER, Kind.OUTAGE, "O0001", "activate_reserve"))
    world = fold(log)
    with pytest.raises(GuardRefused) as caught:
        step(world, act(2100, Actor.MANAGER, Kind.OUTAGE, "O0001", "close"))
    assert caught.value.reason == "devices_still_lost"
    log += [msg(3000 + i, f"{i:04d}", "PI", dty="0002") for i in range(5)]
    log += [act(3100, Actor.MANAGER, Kind.OUTAGE, "O0001", a)
            for a in ("assess_lex_sarah", "supplier_follow_up", "close")]  # fmt: skip
    assert fold(log).outages["O0001"].is_closed


def test_battery_low_on_button_opens_a_next_working_day_ticket() -> None:
    # T0 + 3 days is Friday 2025-01-17 02:40: the fix is due Monday 16:00, and no alarm case opens.
    world = fold([msg(3 * 86400, "4600123456", dty="0003", stc="0016", crd="no-voice:")])
    ticket = world.tickets["T0001"]
    assert ticket.kind is TechKind.BATTERY_LOW
    assert ticket.due_at == T0.replace(day=20, hour=16, minute=0)
    assert not world.cases


def test_radio_test_missing_is_urgent_and_cleared_by_restore() -> None:
    world = fold([msg(0, "1", dty="0003", stc="0123", crd="no-voice:")])
    ticket = world.tickets["T0001"]
    assert ticket.kind is TechKind.BUTTON_LOST
    assert ticket.due_at == at(0) + Policy().urgent_fix
    world = step(world, msg(600, "1", dty="0003", stc="0124", crd="no-voice:"))
    assert world.tickets["T0001"].resolved_at == at(600)


def test_power_failure_and_restore() -> None:
    world = fold([msg(0, "1", dty="0041", stc="0085"), msg(60, "1", dty="0041", stc="0086")])
    assert world.tickets["T0001"].kind is TechKind.POWER_FAILURE
    assert world.tickets["T0001"].resolved_at == at(60)


def test_daily_test_missing_is_a_technical_alarm() -> None:
    policy = Policy()
    log = [
        act(0, Actor.LARMTEAM, Kind.FLEET, "1", "register"),
        msg(10, "1", "PI", dty="0002", stc="0102"),
        act(10 + policy.daily_test_window.total_seconds(), Actor.TIMER, Kind.DEVICE, "1",
            "daily_test_timeout"),
    ]  # fmt: skip
    assert fold(log).tickets["T0001"].kind is TechKind.TEST_MISSED
    with pytest.raises(Exception, match="timer_not_due"):
        fold(log[:2] + [act(20, Actor.TIMER, Kind.DEVICE, "1", "daily_test_timeout")])
