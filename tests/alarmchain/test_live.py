"""Live runs: replay as a prefix of the batch run, advancing, people in roles, interventions,
injected faults, options per role and scoring per role."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from portal.alarmchain.case import ACCESS_METHODS, CaseAction, CaseState
from portal.alarmchain.events import Actor, Event, Kind
from portal.alarmchain.incidents import TicketState
from portal.alarmchain.live import PEOPLE, LiveRun, Option, options, play
from portal.alarmchain.loader import load_scenarios
from portal.alarmchain.outcome import Injection, Intervention
from portal.alarmchain.roles import actors_for
from portal.alarmchain.run import run_scenario
from portal.alarmchain.scenarios import Scenario
from portal.alarmchain.scoring import POINTS, Verdict, score
from portal.alarmchain.supervision import TechKind
from portal.alarmchain.world import empty_world, step

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = load_scenarios(ROOT / "content" / "scenarios")
SLUGS = sorted(SCENARIOS)
FALL = SCENARIOS["01-natt-fall-med-talkontakt"]
NO_KEY = SCENARIOS["04-ingen-nyckel"]
LINK = SCENARIOS["05-tekniskt-larm-forbindelse"]
OUTAGE = SCENARIOS["09-massavbrott"]
HC, OP, MGR = Actor.HOME_CARE, Actor.OPERATOR, Actor.MANAGER
MAX_STEPS = 400


# helpers -------------------------------------------------------------------------------------
def end_of(scenario: Scenario) -> datetime:
    return scenario.start + scenario.horizon


def plain_heartbeats(events: Sequence[Event], scenario: Scenario) -> list[bool]:
    """Return, per event, whether it is a heartbeat that changes nothing but ``last_seen``."""
    return [q and e.action == "PI" for e, q in zip(events, quiet_messages(events, scenario), strict=True)]


def quiet_messages(events: Sequence[Event], scenario: Scenario) -> list[bool]:
    """Return, per event, whether it is a device message not worth stopping at: it changes no
    device condition and opens nothing, and it is a heartbeat or its unit has no open case (a
    repeated or late message about an open case is shown, a heartbeat never is)."""
    world, quiet = empty_world(scenario.policy), []
    for event in events:
        device = world.devices.get(event.subject) if event.kind is Kind.DEVICE else None
        open_case = world.open_case_of.get(event.subject)
        counts = (len(world.cases), len(world.tickets), len(world.outages))
        world = step(world, event)
        quiet.append(
            event.kind is Kind.DEVICE
            and event.actor is Actor.DEVICE
            and (device is None or device.health == world.devices[event.subject].health)
            and counts == (len(world.cases), len(world.tickets), len(world.outages))
            and (event.action == "PI" or open_case is None)
        )
    return quiet


def first(events: Sequence[Event], action: str, actor: Actor | None = None) -> Event:
    return next(e for e in events if e.action == action and (actor is None or e.actor is actor))


def actions(events: Sequence[Event], actor: Actor | None = None) -> list[str]:
    return [e.action for e in events if actor is None or e.actor is actor]


def step_through(scenario: Scenario, seed: int, interventions: Sequence[Intervention] = (),
                 manual: frozenset[Actor] = frozenset()) -> list[LiveRun]:  # fmt: skip
    """Advance from the start until the run is over; return every stop."""
    stops = [play(scenario, seed, interventions, until=scenario.start, manual=manual)]
    while not stops[-1].over:
        assert len(stops) < MAX_STEPS, "stepping does not reach the end"
        stops.append(play(scenario, seed, interventions, until=stops[-1].now, manual=manual, advance=True))
    return stops


def assert_stops_are_moments(scenario: Scenario, stops: Sequence[LiveRun]) -> None:
    """Every stop is later than the one before, shows no event after its ``now``, extends the
    stop before, and (unless the clock ran out) ends on something other than quiet messages."""
    final = stops[-1].events
    quiet = quiet_messages(final, scenario)
    for before, after in zip(stops, stops[1:], strict=False):
        assert after.now > before.now
        assert after.events[: len(before.events)] == before.events
        assert all(e.at <= after.now for e in after.events)
        new = range(len(before.events), len(after.events))
        if not after.over or after.complete:
            at_stop = [i for i in new if final[i].at == after.now]
            assert at_stop, f"nothing happened at the stop {after.now}"
            assert not all(quiet[i] for i in at_stop), f"a quiet message stopped at {after.now}"
            assert all(quiet[i] for i in new if final[i].at < after.now)


# 1. prefix / replay ------------------------------------------------------------------------
@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("seed", [0, 7])
def test_play_up_to_a_moment_is_a_prefix_of_the_batch_run(slug: str, seed: int) -> None:
    scenario = SCENARIOS[slug]
    batch = run_scenario(scenario, seed).events
    last = batch[-1].at
    moments = [scenario.start, last, *(scenario.start + (last - scenario.start) * k / 7 for k in range(1, 7))]
    moments += [e.at for e in batch[1:40:5]]  # exactly at event instants too
    for moment in moments:
        live = play(scenario, seed, [], until=moment)
        assert live.now == moment
        assert live.events == tuple(e for e in batch if e.at <= moment)
        assert live.refused == ()
    whole = play(scenario, seed, [], until=end_of(scenario))
    assert whole.events == batch
    assert whole.over
    assert whole.complete == run_scenario(scenario, seed).complete


def test_until_before_the_start_is_the_start() -> None:
    live = play(FALL, 0, [], until=FALL.start - timedelta(hours=1))
    assert live.now == FALL.start
    assert live.events == play(FALL, 0, [], until=FALL.start).events
    assert not live.over


@pytest.mark.parametrize("slug", SLUGS)
def test_stepping_visits_increasing_moments_and_ends_as_the_batch_run(slug: str) -> None:
    scenario = SCENARIOS[slug]
    batch = run_scenario(scenario, 3).events
    stops = step_through(scenario, 3)
    assert_stops_are_moments(scenario, stops)
    last = stops[-1]
    assert last.complete
    # The batch run may go on with heartbeats after everything closed; nothing else.
    assert batch[: len(last.events)] == last.events
    plain = plain_heartbeats(batch, scenario)
    assert all(plain[len(last.events) :])
    # One more step from a finished run plays out the rest and ends the clock.
    rest = play(scenario, 3, [], until=last.now, advance=True)
    assert rest.events == batch
    assert all(e.at <= rest.now for e in rest.events)
    assert rest.over


# 2. advance ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "slug", ["05-tekniskt-larm-forbindelse", "09-massavbrott", "01-natt-fall-med-talkontakt"]
)
def test_one_advance_stops_at_the_first_event_worth_showing(slug: str) -> None:
    scenario = SCENARIOS[slug]
    batch = run_scenario(scenario, 0).events
    plain = plain_heartbeats(batch, scenario)
    stop = next(e.at for e, p in zip(batch, plain, strict=True) if e.at > scenario.start and not p)
    live = play(scenario, 0, [], until=scenario.start, advance=True)
    assert live.now == stop
    assert live.events == tuple(e for e in batch if e.at <= stop)  # all of that instant, no more
    if slug != "01-natt-fall-med-talkontakt":
        assert any(p and e.at > scenario.start for e, p in zip(live.events, plain, strict=False))


def test_advance_skips_heartbeats_in_the_technical_alarm_scenario() -> None:
    live = play(LINK, 0, [], until=LINK.start, advance=True)
    # Heartbeats every 15 minutes until the unit goes silent at 40 min; the link is lost 30 min
    # after the last one.
    assert live.now == LINK.start + timedelta(minutes=60)
    assert actions(live.events)[-1] == "link_timeout"
    assert actions(live.events).count("PI") >= 3


def test_a_heartbeat_during_an_open_case_is_not_a_stopping_point() -> None:
    # The outage silences the unit for 90 minutes; afterwards it beats again while the fall case
    # is still open. Those heartbeats change nothing, so stepping must not stop at them.
    outage = [Intervention(FALL.start + timedelta(seconds=5), injection=Injection.MASS_OUTAGE)]
    stops = step_through(FALL, 0, outage)
    assert_stops_are_moments(FALL, stops)
    assert stops[-1].complete


def test_a_message_that_changes_nothing_is_not_a_stopping_point() -> None:
    scenario = SCENARIOS["06-lagt-batteri-larmknapp"]
    batch = run_scenario(scenario, 0).events
    contacted, visit = first(batch, "contact_user"), first(batch, "visit")
    again = contacted.at + timedelta(hours=2)  # the button reports the low battery once more
    live = play(
        scenario, 0, [Intervention(again, injection=Injection.BATTERY_LOW)], until=contacted.at, advance=True
    )
    assert live.now == visit.at
    assert [e.at for e in live.events if e.kind is Kind.DEVICE and e.at > contacted.at] == [again]


def test_a_repeated_press_on_an_open_case_is_a_stopping_point() -> None:
    batch = run_scenario(FALL, 0).events
    answered, dispatched = first(batch, "answer"), first(batch, "dispatch")
    again = answered.at + timedelta(seconds=10)
    assert again < dispatched.at
    params = (("crd", "gsm:+46700000000"), ("dty", "0003"), ("ref", "AGAIN"), ("stc", "0010"))
    press = Event(again, Actor.DEVICE, Kind.DEVICE, "4600123456", "ME", params)
    live = play(FALL, 0, [Intervention(again, event=press)], until=answered.at, advance=True)
    assert live.now == again
    assert live.world.cases["C0001"].history[-1].action == "info"


def test_advance_past_the_last_thing_that_happens_ends_the_clock() -> None:
    # A battery ticket opened at night is visited the next working day: past the 12 h horizon.
    battery = [Intervention(FALL.start + timedelta(seconds=5), injection=Injection.BATTERY_LOW)]
    stops = step_through(FALL, 0, battery)
    assert_stops_are_moments(FALL, stops)
    last = stops[-1]
    assert last.over
    assert not last.complete
    assert last.now == end_of(FALL)
    assert last.events == play(FALL, 0, battery, until=end_of(FALL)).events


# 3. manual actors ----------------------------------------------------------------------------
def test_home_care_played_by_a_person_is_never_automated() -> None:
    live = play(FALL, 0, [], until=end_of(FALL), manual=frozenset({HC}))
    assert HC not in {e.actor for e in live.events}
    assert {"answer", "dispatch"} <= set(actions(live.events, OP))
    timers = actions(live.events, Actor.TIMER)
    assert "dispatch_ack_elapsed" in timers
    assert "arrival_elapsed" in timers
    # Nobody acknowledges, so the operator dispatches the next team after each breach.
    assert actions(live.events, OP).count("dispatch") >= 2
    assert not live.complete
    assert live.over


def test_the_operator_played_by_a_person_lets_the_answer_timers_fire() -> None:
    live = play(FALL, 0, [], until=FALL.start + timedelta(minutes=10), manual=frozenset({OP}))
    assert OP not in {e.actor for e in live.events}
    assert actions(live.events, Actor.TIMER) == ["answer_target_elapsed", "answer_escalate_elapsed"]
    assert live.world.cases["C0001"].state is CaseState.ESCALATED_RECEIVER


def test_a_persons_acknowledge_is_applied_at_its_time() -> None:
    manual = frozenset({HC})
    dispatched = first(play(FALL, 0, [], until=end_of(FALL), manual=manual).events, "dispatch")
    at = dispatched.at + timedelta(seconds=40)
    ack = Event(at, HC, Kind.CASE, "C0001", "acknowledge")
    live = play(FALL, 0, [Intervention(at, event=ack)], until=at + timedelta(minutes=10), manual=manual)
    assert live.refused == ()
    assert ack in live.events
    assert live.world.cases["C0001"].state is CaseState.EN_ROUTE
    assert live.world.cases["C0001"].acknowledged_at == at
    assert "dispatch_ack_elapsed" not in actions(live.events)


def test_the_intervention_takes_its_time_from_the_intervention() -> None:
    manual = frozenset({HC})
    dispatched = first(play(FALL, 0, [], until=end_of(FALL), manual=manual).events, "dispatch")
    at = dispatched.at + timedelta(seconds=40)
    stale = Event(FALL.start, HC, Kind.CASE, "C0001", "acknowledge")
    live = play(FALL, 0, [Intervention(at, event=stale)], until=at, manual=manual)
    assert live.events[-1].at == at
    assert live.events[-1].action == "acknowledge"


def test_a_persons_action_comes_after_the_automated_events_of_its_instant() -> None:
    manual = frozenset({HC})
    baseline = play(FALL, 0, [], until=end_of(FALL), manual=manual).events
    dispatched = first(baseline, "dispatch")
    # At the very instant of the dispatch: the acknowledge answers the state after it.
    ack = Event(dispatched.at, HC, Kind.CASE, "C0001", "acknowledge")
    live = play(FALL, 0, [Intervention(dispatched.at, event=ack)], until=dispatched.at, manual=manual)
    assert live.refused == ()
    assert live.events[-2:] == (dispatched, ack)
    # At the instant the acknowledgement timer fires: the timer first, then the person.
    timer = first(baseline, "dispatch_ack_elapsed")
    late = Event(timer.at, HC, Kind.CASE, "C0001", "acknowledge")
    live = play(FALL, 0, [Intervention(timer.at, event=late)], until=timer.at, manual=manual)
    assert live.refused == ()
    assert live.events[-2:] == (timer, late)
    assert live.world.cases["C0001"].has_breach("dispatch_ack")


# 4. refused interventions --------------------------------------------------------------------
def test_a_refused_action_is_listed_and_changes_nothing() -> None:
    manual = frozenset({HC})
    baseline = play(FALL, 0, [], until=end_of(FALL), manual=manual)
    dispatched = first(baseline.events, "dispatch")
    at = dispatched.at + timedelta(seconds=20)
    early_doc = Event(at, HC, Kind.CASE, "C0001", "document")
    ack = Event(at + timedelta(seconds=5), HC, Kind.CASE, "C0001", "acknowledge")
    interventions = [Intervention(at, event=early_doc), Intervention(ack.at, event=ack)]
    live = play(FALL, 0, interventions, until=ack.at + timedelta(seconds=1), manual=manual)
    assert [i for i, _ in live.refused] == [0]
    rejected = live.refused[0][1]
    assert rejected.code == "transition.invalid"
    assert rejected.event == early_doc
    assert "document" not in actions(live.events)
    assert ack in live.events  # the rest of the run goes on
    # Before the accepted acknowledge, the run is the run without any intervention.
    assert live.events[: live.events.index(ack)] == tuple(e for e in baseline.events if e.at <= ack.at)


def test_a_close_that_needs_follow_up_is_refused_and_the_run_is_unaffected() -> None:
    batch = run_scenario(FALL, 0).events
    documented = first(batch, "document")
    at = documented.at + timedelta(seconds=10)
    close = Event(at, OP, Kind.CASE, "C0001", "close")
    wrong_actor = Event(at, HC, Kind.CASE, "C0001", "open_follow_up")
    unknown = Event(at, OP, Kind.CASE, "C0099", "answer")
    interventions = [Intervention(at, event=e) for e in (close, wrong_actor, unknown)]
    live = play(FALL, 0, interventions, until=end_of(FALL))
    codes = {i: r.code for i, r in live.refused}
    assert codes == {0: "transition.refused", 1: "transition.actor", 2: "subject.unknown"}
    assert "follow_up_required" in live.refused[0][1].message
    assert live.events == batch
    assert live.complete


def test_a_refused_action_never_stops_an_advance() -> None:
    batch = run_scenario(FALL, 0).events
    answered = first(batch, "answer")
    dispatch = first(batch, "dispatch")
    between = answered.at + (dispatch.at - answered.at) / 2
    nonsense = Event(between, HC, Kind.CASE, "C0001", "arrive")
    live = play(FALL, 0, [Intervention(between, event=nonsense)], until=answered.at, advance=True)
    assert live.now == dispatch.at
    assert [i for i, _ in live.refused] == [0]


def test_a_message_from_an_outside_device_opens_a_case_the_chain_handles() -> None:
    scenario = SCENARIOS["02-felaktigt-larm"]
    at = scenario.start + timedelta(minutes=10)
    params = (("crd", "gsm:+46700000001"), ("dty", "0003"), ("ref", "OUT1"), ("stc", "0010"))
    press = Event(at, Actor.DEVICE, Kind.DEVICE, "4600999999", "ME", params)
    live = play(scenario, 0, [Intervention(at, event=press)], until=end_of(scenario))
    assert press in live.events
    assert live.world.cases["C0002"].cid == "4600999999"
    assert live.world.cases["C0002"].opened_at == at
    assert live.complete
    # The scenario's own false alarm before it is as in the batch run.
    batch = run_scenario(scenario, 0).events
    assert live.events[: len(batch)] == batch


# 5. injections -------------------------------------------------------------------------------
def inject(what: Injection, seconds: int = 5, seed: int = 0) -> LiveRun:
    at = FALL.start + timedelta(seconds=seconds)
    return play(FALL, seed, [Intervention(at, injection=what)], until=end_of(FALL))


def test_no_answer_means_no_voice_an_unanswered_callback_and_still_a_dispatch() -> None:
    live = inject(Injection.NO_ANSWER)
    ops = actions(live.events, OP)
    assert "answer" not in ops
    assert ops[:3] == ["no_voice", "callback_unanswered", "dispatch"]
    assert "arrive" in actions(live.events, HC)
    assert live.complete


def test_no_key_means_an_access_problem_and_access_gained_another_way() -> None:
    live = inject(Injection.NO_KEY)
    hc = actions(live.events, HC)
    assert "report_access_problem" in hc
    assert "arrive" not in hc
    gained = first(live.events, "gain_access")
    assert gained.param("method") in ACCESS_METHODS
    case = live.world.cases["C0001"]
    assert "access_problem" in case.flags
    assert "lex_sarah_assessed" in case.flags  # an access problem needs a lex Sarah assessment
    assert live.complete


def test_battery_low_opens_a_battery_ticket() -> None:
    live = inject(Injection.BATTERY_LOW)
    at = FALL.start + timedelta(seconds=5)
    [ticket] = live.world.tickets.values()
    assert ticket.kind is TechKind.BATTERY_LOW
    assert ticket.opened_at == at
    assert ticket.cid == "4600123456"
    assert actions(live.events, Actor.LARMTEAM)[-1] == "contact_user"
    assert live.world.cases["C0001"].is_closed  # the fall is handled as before


def test_link_lost_opens_a_ticket_after_the_link_timeout() -> None:
    live = inject(Injection.LINK_LOST)
    at = FALL.start + timedelta(seconds=5)
    last_message = max(e.at for e in live.events if e.kind is Kind.DEVICE and e.at <= at)
    [ticket] = live.world.tickets.values()
    assert ticket.kind is TechKind.LINK_LOST
    assert ticket.opened_at == last_message + FALL.policy.link_timeout
    timeout = first(live.events, "link_timeout")
    assert timeout.at == ticket.opened_at
    assert not any(e.action == "PI" and e.at < ticket.opened_at for e in live.events)
    # The larmteam visits, the unit is restarted, beats again, and the ticket closes.
    assert ticket.state is TicketState.CLOSED
    visit = first(live.events, "visit")
    assert any(e.action == "PI" and e.at > visit.at for e in live.events)
    assert live.complete


def test_mass_outage_opens_an_outage_and_the_reserve_routine() -> None:
    live = inject(Injection.MASS_OUTAGE)
    [outage] = live.world.outages.values()
    assert len(outage.affected) >= FALL.policy.mass_outage_min
    assert "4600123456" in outage.affected
    assert actions(live.events, MGR)[0] == "activate_reserve"
    reserve = first(live.events, "activate_reserve")
    assert reserve.kind is Kind.OUTAGE
    assert outage.is_closed
    assert live.complete


@pytest.mark.parametrize("what", list(Injection))
def test_the_run_before_an_injection_is_unchanged(what: Injection) -> None:
    batch = run_scenario(FALL, 0).events
    at = first(batch, "acknowledge").at
    live = play(FALL, 0, [Intervention(at, injection=what)], until=end_of(FALL))
    before = tuple(e for e in batch if e.at <= at)
    assert live.events[: len(before)] == before
    assert live.events != batch


# 6. options ----------------------------------------------------------------------------------
def test_home_care_is_offered_the_acknowledge_on_a_dispatched_case() -> None:
    manual = frozenset({HC})
    dispatched = first(play(FALL, 0, [], until=end_of(FALL), manual=manual).events, "dispatch")
    world = play(FALL, 0, [], until=dispatched.at, manual=manual).world
    assert world.cases["C0001"].state is CaseState.DISPATCH_PENDING
    assert options(world, HC) == (Option(Kind.CASE, "C0001", CaseAction.ACKNOWLEDGE),)
    assert options(world, OP) == ()
    assert options(world, MGR) == ()


def test_gain_access_is_offered_once_per_method() -> None:
    batch = run_scenario(NO_KEY, 0).events
    reported = first(batch, "report_access_problem")
    world = play(NO_KEY, 0, [], until=reported.at).world
    offered = [o for o in options(world, HC) if o.action == CaseAction.GAIN_ACCESS]
    methods = [dict(o.params)["method"] for o in offered]
    assert sorted(methods) == sorted(ACCESS_METHODS)
    assert all(o.event(reported.at, HC).param("method") == dict(o.params)["method"] for o in offered)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_option_is_for_the_role_it_is_offered_to(slug: str) -> None:
    scenario = SCENARIOS[slug]
    batch = run_scenario(scenario, 0).events
    for moment in sorted({e.at for e in batch if e.kind is not Kind.DEVICE})[:25]:
        world = play(scenario, 0, [], until=moment).world
        for actor in PEOPLE:
            for option in options(world, actor):
                assert actor in actors_for(option.kind, option.action), (moment, actor, option)
                assert option.action != CaseAction.INFO


def test_file_deviation_is_not_offered_twice() -> None:
    batch = run_scenario(FALL, 0).events
    filed = first(batch, "file_deviation")
    before = play(FALL, 0, [], until=filed.at - timedelta(seconds=1)).world
    after = play(FALL, 0, [], until=filed.at).world
    assert "file_deviation" in [o.action for o in options(before, HC)]
    assert "file_deviation" not in [o.action for o in options(after, HC)]


def test_options_for_the_manager_in_an_outage_leave_out_what_is_done() -> None:
    batch = run_scenario(OUTAGE, 0).events
    relatives = first(batch, "call_relatives")
    world = play(OUTAGE, 0, [], until=relatives.at).world
    offered = {o.action for o in options(world, MGR) if o.kind is Kind.OUTAGE}
    assert "call_relatives" not in offered
    assert "activate_reserve" not in offered
    assert "close" in offered


# A small scripted trainee: takes the option for the next expected step of its role, else an
# option from ``path`` (steps the scenario does not mark but the chain needs), else waits.
def play_as(scenario: Scenario, actor: Actor, seed: int = 0, *, path: tuple[str, ...] = (),
            think: timedelta = timedelta(seconds=15)) -> tuple[LiveRun, list[Intervention]]:  # fmt: skip
    manual = frozenset({actor})
    mine = [s for s in scenario.expected if actor in actors_for(s.kind, s.action)]
    interventions: list[Intervention] = []
    now = scenario.start
    live = play(scenario, seed, interventions, until=now, manual=manual)
    for _ in range(MAX_STEPS):
        if live.over:
            break
        offered = options(live.world, actor)
        done = set(actions(live.events, actor))
        wanted = [s.action for s in mine if s.action not in done] + list(path)
        choice = next((o for a in wanted for o in offered if o.action == a), None)
        if choice is None:
            live = play(scenario, seed, interventions, until=now, manual=manual, advance=True)
            now = live.now
            continue
        now += think
        interventions.append(Intervention(now, event=choice.event(now, actor)))
        live = play(scenario, seed, interventions, until=now, manual=manual)
        assert not live.refused, live.refused
    return live, interventions


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_scripted_trainee_plays_home_care_through_the_fall(seed: int) -> None:
    live, interventions = play_as(FALL, HC, seed, path=("hand_over",))
    assert live.complete
    assert live.refused == ()
    hc = actions(live.events, HC)
    assert hc == ["acknowledge", "arrive", "call_112", "hand_over", "report_back", "file_deviation",
                  "document"]  # fmt: skip
    assert [i.event for i in interventions] == [e for e in live.events if e.actor is HC]
    result = score(FALL, live.events, HC)
    assert result.percent == 100
    assert all(s.verdict is Verdict.CORRECT for s in result.steps)
    assert result.wrong == ()
    # Replaying the stored inputs gives the same run.
    again = play(FALL, seed, interventions, until=live.now, manual=frozenset({HC}))
    assert again.events == live.events


def test_a_scripted_trainee_plays_the_operator_through_the_false_alarm() -> None:
    scenario = SCENARIOS["02-felaktigt-larm"]
    live, _ = play_as(scenario, OP)
    assert live.complete
    assert actions(live.events, OP) == ["answer", "close_false_alarm"]
    assert score(scenario, live.events, OP).percent == 100


# 7. score by role ----------------------------------------------------------------------------
def test_score_for_home_care_has_only_home_care_steps() -> None:
    events = run_scenario(FALL, 0).events
    everyone = score(FALL, events)
    mine = score(FALL, events, HC)
    names = [s.step for s in mine.steps]
    assert names == ["acknowledge", "arrive", "call_112", "report_back", "fall_report", "document"]
    allowed = {s.name for s in FALL.expected if HC in actors_for(s.kind, s.action)}
    assert set(names) == allowed
    assert mine.max_points == 2 * len(names)
    assert list(mine.steps) == [s for s in everyone.steps if s.step in allowed]


def test_score_without_an_actor_counts_every_step_and_every_wrong_action() -> None:
    events = list(run_scenario(FALL, 0).events)
    answered = first(events, "answer")
    wrong = Event(answered.at, OP, Kind.CASE, "C0001", "close_false_alarm")
    log = [*events[: events.index(answered) + 1], wrong]
    result = score(FALL, log)
    assert result == score(FALL, log, None)
    assert [s.step for s in result.steps] == [s.name for s in FALL.expected]
    assert result.max_points == 2 * len(FALL.expected)
    assert [w.step for w in result.wrong] == ["close_false_alarm"]
    # The operator's forbidden close is not home care's fault, but it is the operator's.
    assert score(FALL, log, HC).wrong == ()
    assert [w.step for w in score(FALL, log, OP).wrong] == ["close_false_alarm"]


def test_a_forbidden_action_by_home_care_counts_against_home_care() -> None:
    events = run_scenario(FALL, 0).events
    arrived = first(events, "arrive")
    lifted = Event(arrived.at + timedelta(seconds=30), HC, Kind.CASE, "C0001", "complete_action")
    log = [e for e in events if e.at <= arrived.at] + [lifted]
    mine = score(FALL, log, HC)
    assert [w.step for w in mine.wrong] == ["complete_action"]
    assert score(FALL, log, OP).wrong == ()
    assert mine.points == sum(2 for s in mine.steps if s.verdict is Verdict.CORRECT) - 2


@pytest.mark.parametrize("slug", SLUGS)
def test_role_scores_partition_the_steps(slug: str) -> None:
    scenario = SCENARIOS[slug]
    events = run_scenario(scenario, 0).events
    everyone = score(scenario, events)
    for actor in PEOPLE:
        mine = score(scenario, events, actor)
        expected = [s for s, e in zip(everyone.steps, scenario.expected, strict=True)
                    if actor in actors_for(e.kind, e.action)]  # fmt: skip
        assert list(mine.steps) == expected
        assert mine.max_points == 2 * len(expected)
        assert mine.points == sum(POINTS[s.verdict] for s in expected)
    assert sum(len(score(scenario, events, a).steps) for a in PEOPLE) >= len(scenario.expected)


# 8. determinism ------------------------------------------------------------------------------
def test_same_inputs_give_the_same_live_run() -> None:
    at = FALL.start + timedelta(minutes=3)
    interventions = [
        Intervention(FALL.start + timedelta(seconds=20), injection=Injection.NO_KEY),
        Intervention(at, event=Event(at, HC, Kind.CASE, "C0001", "acknowledge")),
        Intervention(at, event=Event(at, HC, Kind.CASE, "C0001", "document")),
    ]
    runs = [play(FALL, 11, interventions, until=end_of(FALL), manual=frozenset({MGR})) for _ in range(2)]
    assert runs[0].events == runs[1].events
    assert runs[0].refused == runs[1].refused
    assert runs[0].now == runs[1].now
    assert runs[0].world == runs[1].world
