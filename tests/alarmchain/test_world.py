"""Event sourcing: fold is pure and deterministic, step equals fold, events round-trip as JSON."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.alarmchain.errors import EventFormatError, InvalidTransition, UnknownSubject
from portal.alarmchain.events import (
    Actor,
    Event,
    Kind,
    event_from_json,
    event_to_json,
    log_from_json,
    log_to_json,
)
from portal.alarmchain.world import empty_world, fold, step
from tests.alarmchain.conftest import T0, act, alarm, msg

CHAIN = [
    alarm(0),
    act(30, Actor.OPERATOR, Kind.CASE, "C0001", "answer"),
    act(90, Actor.OPERATOR, Kind.CASE, "C0001", "dispatch"),
    msg(100, "4600123456", "PI", dty="0002", stc="0102"),
    act(200, Actor.HOME_CARE, Kind.CASE, "C0001", "acknowledge"),
]


def test_fold_is_deterministic_and_equals_stepping() -> None:
    world = empty_world()
    for event in CHAIN:
        world = step(world, event)
    assert fold(CHAIN) == fold(CHAIN) == world
    assert world.cases["C0001"].state == "en_route"
    assert world.events_applied == len(CHAIN)


def test_step_refusal_leaves_the_world_unchanged() -> None:
    world = fold(CHAIN)
    with pytest.raises(InvalidTransition):
        step(world, act(300, Actor.OPERATOR, Kind.CASE, "C0001", "answer"))
    assert world == fold(CHAIN)
    with pytest.raises(UnknownSubject):
        step(world, act(300, Actor.OPERATOR, Kind.CASE, "C0404", "answer"))


def test_world_maps_are_read_only() -> None:
    world = fold(CHAIN)
    with pytest.raises(TypeError):
        world.cases["X"] = world.cases["C0001"]  # type: ignore[index]


def test_repeated_press_joins_the_open_case() -> None:
    world = fold([alarm(0), alarm(20), alarm(40)])
    assert list(world.cases) == ["C0001"]
    assert [t.action for t in world.cases["C0001"].history] == ["alarm", "info", "info"]


def test_log_round_trips_through_json() -> None:
    text = log_to_json(CHAIN)
    assert log_from_json(text) == tuple(CHAIN)
    assert fold(log_from_json(text)) == fold(CHAIN)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"v": 2}',
        '{"v": 1, "at": "2025-01-14T02:40:00", "actor": "device", "kind": "device",'
        ' "subject": "1", "action": "ME", "params": {}, "reason": ""}',
        '{"v": 1, "at": "2025-01-14T02:40:00+01:00", "actor": "robot", "kind": "device",'
        ' "subject": "1", "action": "ME", "params": {}, "reason": ""}',
        '{"v": 1, "at": "2025-01-14T02:40:00+01:00", "actor": "device", "kind": "device",'
        ' "subject": "1", "action": "ME", "params": {"a": 1}, "reason": ""}',
    ],
)
def test_malformed_events_are_typed_errors(text: str) -> None:
    with pytest.raises(EventFormatError):
        event_from_json(text)


events = st.builds(
    Event,
    at=st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=1))])),
    actor=st.sampled_from(list(Actor)),
    kind=st.sampled_from(list(Kind)),
    subject=st.text(max_size=12),
    action=st.text(max_size=20),
    params=st.dictionaries(st.text(max_size=5), st.text(max_size=10), max_size=4).map(
        lambda d: tuple(sorted(d.items()))
    ),
    reason=st.text(max_size=10),
)


@given(events)
def test_any_event_round_trips_byte_identically(event: Event) -> None:
    text = event_to_json(event)
    again = event_from_json(text)
    assert again == event
    assert event_to_json(again) == text


random_inputs = st.lists(
    st.one_of(
        st.builds(lambda s, c: alarm(s, cid=c), st.integers(0, 3600), st.sampled_from(["1", "2"])),
        st.builds(
            lambda s, c, stc: msg(s, c, "ME", dty="0003", stc=stc, crd="no-voice:"),
            st.integers(0, 3600), st.sampled_from(["1", "2"]),
            st.sampled_from(["0016", "0015", "0019", "0123", "0124", "0085", "0086", "0024"]),
        ),
        st.builds(
            lambda s, a, c, act_: act(s, a, Kind.CASE, c, act_),
            st.integers(0, 3600), st.sampled_from([Actor.OPERATOR, Actor.HOME_CARE]),
            st.sampled_from(["C0001", "C0002"]),
            st.sampled_from(["answer", "no_voice", "dispatch", "acknowledge", "arrive",
                             "close_false_alarm", "confirm_cancel"]),
        ),
    ),
    max_size=30,
)  # fmt: skip


@given(random_inputs)
def test_random_logs_fold_deterministically_and_refusals_change_nothing(log: list[Event]) -> None:
    ordered = sorted(log, key=lambda e: e.at)
    world = empty_world()
    accepted = []
    for event in ordered:
        try:
            after = step(world, event)
        except (InvalidTransition, UnknownSubject):
            continue
        accepted.append(event)
        world = after
    assert fold(accepted) == world
    assert fold(log_from_json(log_to_json(accepted))) == world
    for case in world.cases.values():
        assert case.is_closed == (case.closed_at is not None)
        assert world.open_case_of.get(case.cid) != case.case_id or not case.is_closed
    assert all(t.at >= T0 for c in world.cases.values() for t in c.history)
