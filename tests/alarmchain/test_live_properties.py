"""Properties of live runs over random seeds, moments, interventions and injections."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.alarmchain.errors import GuardRefused
from portal.alarmchain.events import Actor, Event, Kind
from portal.alarmchain.live import PEOPLE, Player, options, play
from portal.alarmchain.outcome import Injection, Intervention
from portal.alarmchain.roles import actors_for
from portal.alarmchain.run import run_scenario
from portal.alarmchain.scoring import score
from portal.alarmchain.simulation import CannotResume
from portal.alarmchain.world import step
from tests.alarmchain.test_live import (
    FALL,
    SCENARIOS,
    SLUGS,
    assert_stops_are_moments,
    end_of,
    plain_heartbeats,
    quiet_messages,
    step_through,
)

# Each example replays whole scenarios: keep the counts modest (the suite stays fast on CI too).
SOME = settings(max_examples=40, deadline=None)
FEW = settings(max_examples=25, deadline=None)
HC = Actor.HOME_CARE
REFUSAL_CODES = {"transition.invalid", "transition.refused", "transition.actor", "subject.unknown"}

slugs = st.sampled_from(SLUGS)
seeds = st.integers(min_value=0, max_value=2**16)
fractions = st.floats(min_value=0, max_value=1.2, allow_nan=False)


@cache
def batch(slug: str, seed: int) -> tuple[Event, ...]:
    return run_scenario(SCENARIOS[slug], seed).events


def moment(slug: str, seed: int, fraction: float) -> datetime:
    """Return a moment ``fraction`` of the way through the batch run, on a whole second."""
    scenario, events = SCENARIOS[slug], batch(slug, seed)
    seconds = (events[-1].at - scenario.start).total_seconds() * fraction
    return scenario.start + timedelta(seconds=round(seconds))


@SOME
@given(slugs, seeds, fractions)
def test_play_up_to_any_moment_is_a_prefix_of_the_batch_run(slug: str, seed: int, fraction: float) -> None:
    until = moment(slug, seed, fraction)
    live = play(SCENARIOS[slug], seed, [], until=until)
    assert live.now == min(until, end_of(SCENARIOS[slug]))
    assert live.events == tuple(e for e in batch(slug, seed) if e.at <= until)


@SOME
@given(slugs, seeds, fractions)
def test_one_advance_from_any_moment_stops_at_the_next_moment_worth_showing(
    slug: str, seed: int, fraction: float
) -> None:
    scenario, events = SCENARIOS[slug], batch(slug, seed)
    until = moment(slug, seed, fraction)
    live = play(scenario, seed, [], until=until, advance=True)
    assert live.now >= until
    assert all(e.at <= live.now for e in live.events)
    assert events[: len(live.events)] == live.events
    quiet = quiet_messages(events, scenario)
    later = [i for i, e in enumerate(events) if e.at > until]
    shown = [i for i in later if not quiet[i]]
    if shown:
        assert live.now == events[shown[0]].at
        assert live.events == tuple(e for e in events if e.at <= live.now)
    else:  # nothing more worth showing: the clock runs out
        assert live.now == end_of(scenario)
        assert live.events == events
        assert live.over


@FEW
@given(slugs, seeds)
def test_stepping_moves_forward_and_ends_as_the_batch_run(slug: str, seed: int) -> None:
    scenario, events = SCENARIOS[slug], batch(slug, seed)
    stops = step_through(scenario, seed)
    nows = [s.now for s in stops]
    assert nows == sorted(set(nows))  # strictly increasing
    for stop in stops:
        assert events[: len(stop.events)] == stop.events
        assert all(e.at <= stop.now for e in stop.events)
    last = stops[-1]
    assert last.complete or last.now == end_of(scenario)
    # After the last stop only heartbeats may remain in the batch run; one more step plays them.
    plain = plain_heartbeats(events, scenario)
    assert all(plain[len(last.events) :])
    rest = play(scenario, seed, [], until=last.now, advance=True)
    assert rest.events == events
    assert all(e.at <= rest.now for e in rest.events)
    assert rest.over


@FEW
@given(st.sampled_from(list(Injection)), slugs, seeds, fractions)
def test_stepping_with_an_injection_stops_only_where_something_happens(
    what: Injection, slug: str, seed: int, fraction: float
) -> None:
    scenario = SCENARIOS[slug]
    injected = [Intervention(moment(slug, seed, min(fraction, 1.0)), injection=what)]
    stops = step_through(scenario, seed, injected)
    assert_stops_are_moments(scenario, stops)
    assert stops[-1].events == play(scenario, seed, injected, until=stops[-1].now).events


@SOME
@given(st.sampled_from(list(Injection)), slugs, seeds, fractions)
def test_the_run_before_an_injection_is_the_run_without_it(
    what: Injection, slug: str, seed: int, fraction: float
) -> None:
    scenario = SCENARIOS[slug]
    at = moment(slug, seed, min(fraction, 1.0))
    live = play(scenario, seed, [Intervention(at, injection=what)], until=end_of(scenario))
    before = tuple(e for e in batch(slug, seed) if e.at <= at)
    assert live.events[: len(before)] == before
    assert live.refused == ()
    assert all(a.at <= b.at for a, b in zip(live.events, live.events[1:], strict=False))


HC_ACTIONS = ("acknowledge", "arrive", "report_access_problem", "call_112", "hand_over",
              "complete_action", "report_back", "file_deviation", "document", "close", "gain_access")  # fmt: skip


@st.composite
def home_care_inputs(draw: st.DrawFn) -> list[Intervention]:
    """A trainee pressing home care's buttons at random moments of the fall (some refused)."""
    found = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        at = FALL.start + timedelta(seconds=draw(st.integers(min_value=0, max_value=4 * 3600)))
        action = draw(st.sampled_from(HC_ACTIONS))
        params = (("method", "key_found"),) if action == "gain_access" else ()
        found.append(Intervention(at, event=Event(at, HC, Kind.CASE, "C0001", action, params)))
    if draw(st.booleans()):
        at = FALL.start + timedelta(seconds=draw(st.integers(min_value=0, max_value=3600)))
        found.append(Intervention(at, injection=draw(st.sampled_from(list(Injection)))))
    return found


@SOME
@given(home_care_inputs(), seeds)
def test_a_persons_accepted_actions_are_exactly_the_home_care_log(
    interventions: list[Intervention], seed: int
) -> None:
    manual = frozenset({HC})
    live = play(FALL, seed, interventions, until=end_of(FALL), manual=manual)
    refused = {i for i, _ in live.refused}
    assert all(r.code in REFUSAL_CODES for _, r in live.refused)
    assert all(interventions[i].event is not None for i in refused)
    accepted = sorted(
        (iv.at, i) for i, iv in enumerate(interventions) if iv.event is not None and i not in refused
    )
    assert [e for e in live.events if e.actor is HC] == [interventions[i].event for _, i in accepted]
    # Same inputs, same run.
    again = play(FALL, seed, interventions, until=end_of(FALL), manual=manual)
    assert (again.events, again.refused, again.now) == (live.events, live.refused, live.now)


@SOME
@given(home_care_inputs(), seeds, fractions)
def test_interventions_never_change_the_run_before_the_first_of_them(
    interventions: list[Intervention], seed: int, fraction: float
) -> None:
    manual = frozenset({HC})
    until = FALL.start + timedelta(hours=4) * min(fraction, 1.0)
    alone = play(FALL, seed, [], until=until, manual=manual).events
    live = play(FALL, seed, interventions, until=until, manual=manual)
    first = min((iv.at for iv in interventions), default=until)
    before = tuple(e for e in alone if e.at <= min(first, until))
    assert live.events[: len(before)] == before


@SOME
@given(slugs, seeds, fractions)
def test_options_are_allowed_by_the_machines_and_only_guards_refuse_them(
    slug: str, seed: int, fraction: float
) -> None:
    scenario = SCENARIOS[slug]
    live = play(scenario, seed, [], until=moment(slug, seed, fraction))
    for actor in PEOPLE:
        for option in options(live.world, actor, access=scenario.access):
            try:
                step(live.world, option.event(live.now, actor))
            except GuardRefused:
                pass


OP_ACTIONS = ("answer", "no_voice", "dispatch", "close_false_alarm", "close_advice")


@st.composite
def two_trainees(draw: st.DrawFn) -> list[Intervention]:
    """The operator and home care both played by people pressing buttons at random moments."""
    found = []
    for _ in range(draw(st.integers(min_value=0, max_value=10))):
        at = FALL.start + timedelta(seconds=draw(st.integers(min_value=0, max_value=3 * 3600)))
        actor = draw(st.sampled_from([Actor.OPERATOR, HC]))
        action = draw(st.sampled_from(OP_ACTIONS if actor is Actor.OPERATOR else HC_ACTIONS))
        params = (("method", "key_found"),) if action == "gain_access" else ()
        found.append(Intervention(at, event=Event(at, actor, Kind.CASE, "C0001", action, params)))
    return found


@SOME
@given(two_trainees(), seeds, st.sampled_from(PEOPLE))
def test_a_role_is_scored_only_on_its_own_steps_and_wrong_actions(
    interventions: list[Intervention], seed: int, actor: Actor
) -> None:
    manual = frozenset({Actor.OPERATOR, HC})
    log = play(FALL, seed, interventions, until=end_of(FALL), manual=manual).events
    everyone, mine = score(FALL, log), score(FALL, log, actor)
    assert score(FALL, log, None) == everyone
    assert [s.step for s in everyone.steps] == [s.name for s in FALL.expected]
    theirs = {s.name for s in FALL.expected if actor in actors_for(s.kind, s.action)}
    assert list(mine.steps) == [s for s in everyone.steps if s.step in theirs]
    assert mine.max_points == 2 * len(theirs)
    forbidden = {f.action for f in FALL.forbidden}
    assert [w.step for w in everyone.wrong] == [e.action for e in log if e.action in forbidden]
    assert [w.step for w in mine.wrong] == [
        e.action for e in log if e.actor is actor and e.action in forbidden
    ]


# A player kept between requests ---------------------------------------------------------------------
operations = st.lists(
    st.one_of(
        st.tuples(st.just("step"), st.just(0)),
        st.tuples(st.just("wait"), st.integers(min_value=1, max_value=1800)),
        st.tuples(st.just("inject"), st.sampled_from(list(Injection))),
        st.tuples(st.just("act"), st.integers(min_value=0, max_value=5)),
    ),
    min_size=1,
    max_size=12,
)


@FEW
@given(slugs, seeds, operations)
def test_a_kept_player_plays_on_exactly_as_a_fresh_replay(slug: str, seed: int, ops: list) -> None:
    """Steps, waits, injections and a trainee's actions applied to one player, moment after moment,
    give at every moment what playing everything again from the start gives."""
    scenario = SCENARIOS[slug]
    manual = frozenset({HC})
    kept = Player(scenario, seed, manual)
    inputs: list[Intervention] = []
    now = scenario.start
    state = kept.play(inputs, until=now)
    for kind, value in ops:
        advance = False
        if kind == "step":
            advance = True
        elif kind == "wait":
            now = min(now + timedelta(seconds=value), end_of(scenario))
        elif kind == "inject":
            inputs.append(Intervention(now, injection=value))
        else:
            offered = options(state.world, HC, access=scenario.access)
            if offered:
                inputs.append(Intervention(now, event=offered[value % len(offered)].event(now, HC)))
        state = kept.play(inputs, until=now, advance=advance)
        fresh = play(scenario, seed, inputs, until=now, manual=manual, advance=advance)
        assert (state.events, state.now, state.refused) == (fresh.events, fresh.now, fresh.refused)
        assert state.world == fresh.world
        now = state.now


def test_a_player_refuses_to_go_back_or_to_forget_an_input() -> None:
    scenario = FALL
    kept = Player(scenario, 3)
    later = scenario.start + timedelta(minutes=20)
    kept.play([], until=later)
    with pytest.raises(CannotResume):
        kept.play([], until=scenario.start + timedelta(minutes=5))
    injected = [Intervention(later, injection=Injection.NO_KEY)]
    kept.play(injected, until=later)
    with pytest.raises(CannotResume):
        kept.play([], until=later + timedelta(minutes=1))
    with pytest.raises(CannotResume):
        kept.play([*injected, Intervention(scenario.start, injection=Injection.NO_ANSWER)], until=later)
