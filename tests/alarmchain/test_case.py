"""The alarm case state machine: table, actors, guards, and that refusals change nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.alarmchain.case import (
    ACTORS,
    TRANSITIONS,
    AlarmCase,
    CaseAction,
    CaseState,
    CloseReason,
    allowed_actions,
    apply_case,
    open_case,
)
from portal.alarmchain.errors import ActorNotAllowed, GuardRefused, InvalidTransition
from portal.alarmchain.events import Actor, Kind
from tests.alarmchain.conftest import act, alarm

OP, HC, MGR, TIMER = Actor.OPERATOR, Actor.HOME_CARE, Actor.MANAGER, Actor.TIMER


def new_case() -> AlarmCase:
    return open_case("C0001", alarm(), area="urban")


def play(
    case: AlarmCase, *steps: tuple[float, Actor, str] | tuple[float, Actor, str, dict[str, str]]
) -> AlarmCase:
    for item in steps:
        params = item[3] if len(item) == 4 else {}  # type: ignore[misc]
        case = apply_case(case, act(item[0], item[1], Kind.CASE, case.case_id, item[2], **params))
    return case


def test_every_state_but_closed_has_a_way_forward() -> None:
    sources = {state for state, _ in TRANSITIONS}
    assert set(CaseState) - sources == {CaseState.CLOSED}
    assert set(ACTORS) == set(CaseAction)


def test_happy_path_with_follow_up_records_milestones_and_history() -> None:
    case = play(
        new_case(), (30, OP, "answer"), (90, OP, "dispatch"), (200, HC, "acknowledge"),
        (1500, HC, "arrive"), (1800, HC, "complete_action"), (1900, HC, "report_back"),
        (2000, HC, "file_deviation"), (2100, HC, "document"), (2200, MGR, "open_follow_up"),
        (2300, MGR, "close_follow_up"),
    )  # fmt: skip
    assert case.state is CaseState.CLOSED
    assert case.closure is CloseReason.COMPLETED_AFTER_FOLLOW_UP
    assert (case.answered_at, case.arrived_at) == (alarm(30).at, alarm(1500).at)
    assert [t.target for t in case.history][-2:] == ["follow_up", "closed"]
    assert all(t.actor is not None for t in case.history)


def test_no_voice_then_unanswered_callback_then_dispatch() -> None:
    case = play(new_case(), (30, OP, "no_voice"), (60, OP, "callback_unanswered"), (70, OP, "dispatch"))
    assert case.state is CaseState.DISPATCH_PENDING
    assert "callback_attempted" in case.flags


def test_invalid_action_raises_and_leaves_the_case_unchanged() -> None:
    case = new_case()
    with pytest.raises(InvalidTransition) as caught:
        apply_case(case, act(10, HC, Kind.CASE, "C0001", "arrive"))
    assert caught.value.code == "transition.invalid"
    assert (caught.value.state, caught.value.action) == ("received", "arrive")
    assert case == new_case()


def test_wrong_actor_is_refused() -> None:
    with pytest.raises(ActorNotAllowed):
        apply_case(new_case(), act(10, HC, Kind.CASE, "C0001", "answer"))


def test_unknown_action_is_an_invalid_transition() -> None:
    with pytest.raises(InvalidTransition):
        apply_case(new_case(), act(10, OP, Kind.CASE, "C0001", "teleport"))


def test_close_is_refused_when_follow_up_is_needed() -> None:
    case = play(
        new_case(), (30, OP, "answer"), (90, OP, "dispatch"), (200, HC, "acknowledge"),
        (1500, HC, "arrive"), (1800, HC, "complete_action"), (1900, HC, "report_back"),
        (2000, HC, "file_deviation"), (2100, HC, "document"),
    )  # fmt: skip
    with pytest.raises(GuardRefused) as caught:
        apply_case(case, act(2200, OP, Kind.CASE, "C0001", "close"))
    assert caught.value.reason == "follow_up_required"


def test_access_problem_needs_a_method_and_lex_sarah_assessment() -> None:
    case = play(
        new_case(), (30, OP, "answer"), (90, OP, "dispatch"), (200, HC, "acknowledge"),
        (1500, HC, "report_access_problem"),
    )  # fmt: skip
    with pytest.raises(GuardRefused):
        apply_case(case, act(1600, HC, Kind.CASE, "C0001", "gain_access"))
    case = play(
        case, (3000, HC, "gain_access", {"method": "locksmith"}), (3300, HC, "complete_action"),
        (3400, HC, "report_back"), (3500, HC, "document"), (3600, MGR, "open_follow_up"),
    )  # fmt: skip
    with pytest.raises(GuardRefused) as caught:
        apply_case(case, act(3700, MGR, Kind.CASE, "C0001", "close_follow_up"))
    assert caught.value.reason == "lex_sarah_assessment_required"
    case = play(case, (3800, MGR, "assess_lex_sarah"), (3900, MGR, "close_follow_up"))
    assert case.is_closed


def test_timer_records_a_breach_once() -> None:
    case = play(new_case(), (60, TIMER, "answer_target_elapsed"))
    assert case.has_breach("answer")
    assert case.state is CaseState.RECEIVED
    with pytest.raises(GuardRefused):
        apply_case(case, act(61, TIMER, Kind.CASE, "C0001", "answer_target_elapsed"))


def test_dispatch_escalation_and_redispatch() -> None:
    case = play(new_case(), (30, OP, "answer"), (60, OP, "dispatch"), (360, TIMER, "dispatch_ack_elapsed"))
    assert case.state is CaseState.DISPATCH_ESCALATED
    case = play(case, (380, OP, "dispatch"), (400, HC, "acknowledge"))
    assert case.state is CaseState.EN_ROUTE
    assert case.dispatched_at == alarm(60).at


def test_allowed_actions_match_the_table() -> None:
    assert set(allowed_actions(new_case(), OP)) == {
        CaseAction.ANSWER, CaseAction.NO_VOICE, CaseAction.INFO,
    }  # fmt: skip


ACTIONS = sorted(CaseAction)
ACTOR_LIST = sorted(Actor)


@given(st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ACTOR_LIST),
                          st.sampled_from(["", "locksmith"])), max_size=40))  # fmt: skip
def test_random_action_sequences_never_corrupt_the_case(
    steps: list[tuple[CaseAction, Actor, str]],
) -> None:
    case = new_case()
    for n, (action, actor, method) in enumerate(steps, start=1):
        before = case
        event = act(n * 10, actor, Kind.CASE, "C0001", action, **({"method": method} if method else {}))
        try:
            case = apply_case(case, event)
        except InvalidTransition:
            assert case is before
            continue
        assert (before.state, action) in TRANSITIONS
        assert case.state is TRANSITIONS[(before.state, action)]
        assert actor in ACTORS[action]
        assert len(case.history) == len(before.history) + 1
        assert case.is_closed == (case.closure is not None) == (case.closed_at is not None)
        assert before.answered_at is None or case.answered_at == before.answered_at
