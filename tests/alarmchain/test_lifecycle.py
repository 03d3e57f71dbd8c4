"""The service lifecycle and its guards: 24/7 access first, a confirmed test alarm to activate."""

from __future__ import annotations

import pytest

from portal.alarmchain.errors import GuardRefused, InvalidTransition
from portal.alarmchain.events import Actor, Event, Kind
from portal.alarmchain.lifecycle import ServiceState
from portal.alarmchain.world import World, fold, step
from tests.alarmchain.conftest import act, alarm

HL, TEAM, HC, OP = Actor.HANDLAGGARE, Actor.LARMTEAM, Actor.HOME_CARE, Actor.OPERATOR
CID = "4600123456"


def svc(seconds: float, actor: Actor, action: str, **params: str) -> Event:
    return act(seconds, actor, Kind.SERVICE, "S1", action, **params)


TO_INSTALLED = [
    svc(0, HL, "apply", cid=CID), svc(10, HL, "assess"), svc(20, HL, "grant"), svc(30, HL, "order"),
    svc(40, HC, "secure_access", access="keys", keys="2"), svc(50, TEAM, "install"),
]  # fmt: skip
TEST_ALARM = [
    alarm(100, cid=CID),
    act(120, OP, Kind.CASE, "C0001", "answer"),
    act(150, OP, Kind.CASE, "C0001", "close_test_alarm"),
]


def refused(world: World, event: Event) -> str:
    with pytest.raises(GuardRefused) as caught:
        step(world, event)
    return caught.value.reason


def test_no_installation_without_24_7_access() -> None:
    world = fold(TO_INSTALLED[:4])
    assert refused(world, svc(50, TEAM, "install")) == "no_24_7_access"
    assert refused(world, svc(40, HC, "secure_access", access="keys", keys="1")) == "two_keys_required"
    assert world == fold(TO_INSTALLED[:4])


def test_activation_before_a_confirmed_test_alarm_is_refused() -> None:
    world = fold(TO_INSTALLED + [svc(60, TEAM, "pair_button"), svc(70, TEAM, "check_range")])
    assert refused(world, svc(80, HC, "activate")) == "test_alarm_not_confirmed"
    assert refused(world, svc(80, TEAM, "confirm_test", case="C0001")) == "test_alarm_missing"
    assert world.services["S1"].state is ServiceState.INSTALLED


def test_test_alarm_must_come_from_the_users_own_button_and_be_confirmed() -> None:
    base = TO_INSTALLED + [svc(60, TEAM, "pair_button"), svc(70, TEAM, "check_range")]
    other_unit = [alarm(100, cid="999"), act(120, OP, Kind.CASE, "C0001", "answer"),
                  act(150, OP, Kind.CASE, "C0001", "close_test_alarm")]  # fmt: skip
    world = fold(base + other_unit)
    assert refused(world, svc(200, TEAM, "confirm_test", case="C0001")) == "test_not_from_users_unit"
    not_confirmed = [alarm(100, cid=CID), act(120, OP, Kind.CASE, "C0001", "answer"),
                     act(150, OP, Kind.CASE, "C0001", "close_false_alarm")]  # fmt: skip
    world = fold(base + not_confirmed)
    assert refused(world, svc(200, TEAM, "confirm_test", case="C0001")) == "test_not_confirmed_by_receiver"


def test_unpaired_button_cannot_be_confirmed() -> None:
    world = fold(TO_INSTALLED + TEST_ALARM)
    assert refused(world, svc(200, TEAM, "confirm_test", case="C0001")) == "button_not_paired"


def test_full_lifecycle_to_archive() -> None:
    log = TO_INSTALLED + [svc(60, TEAM, "pair_button"), svc(70, TEAM, "check_range")] + TEST_ALARM
    log += [
        svc(200, TEAM, "confirm_test", case="C0001"), svc(300, HC, "activate"),
        svc(400, HC, "pause"), svc(500, HC, "resume"), svc(600, HL, "review"), svc(700, HL, "end"),
        svc(800, HC, "collect"), svc(900, HC, "return_keys", receipts="signed"),
        svc(1000, TEAM, "deregister"), svc(1100, TEAM, "archive"),
    ]  # fmt: skip
    service = fold(log).services["S1"]
    assert service.state is ServiceState.ARCHIVED
    assert service.test_case_id == "C0001"
    assert service.activated_at is not None
    assert not service.collected_late
    assert service.receipts_kept_until is not None


def test_wrong_actor_and_wrong_state_are_refused() -> None:
    world = fold(TO_INSTALLED[:1])
    with pytest.raises(InvalidTransition):
        step(world, svc(10, TEAM, "assess"))
    with pytest.raises(InvalidTransition):
        step(world, svc(10, HL, "grant"))
    with pytest.raises(InvalidTransition):
        step(world, svc(10, HL, "apply", cid=CID))
