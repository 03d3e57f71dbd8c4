"""Every code the alarm-chain engine emits has a label, and the lookups never raise."""

import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from portal.alarmchain import case as cs
from portal.alarmchain import incidents as inc
from portal.alarmchain import lifecycle as lc
from portal.alarmchain import live
from portal.alarmchain import supervision as sv
from portal.alarmchain.codes import MessageType
from portal.alarmchain.errors import GuardRefused
from portal.alarmchain.events import Actor, Event, Kind
from portal.alarmchain.labels import BREACHES, FEEDBACK
from portal.alarmchain.loader import load_scenarios
from portal.alarmchain.outcome import Injection
from portal.alarmchain.run import run_scenario
from portal.alarmchain.scoring import score
from portal.config import ROOT
from portal.simulator import labels as L

ENGINE = ROOT / "portal" / "alarmchain"
# Reasons that say nothing a trainee can act on: they get the generic sentence.
GENERIC_REASONS = {"unknown_action"}


@pytest.fixture
def en(app):
    with app.test_request_context(), force_locale("en"):
        yield


def _engine_reasons() -> set[str]:
    found = set()
    for name in ("case.py", "lifecycle.py"):
        found |= set(re.findall(r'return "([a-z0-9_]+)"', (ENGINE / name).read_text()))
    for path in ENGINE.glob("*.py"):
        found |= set(re.findall(r'reason="([a-z0-9_]+)"', path.read_text()))
    found |= set(lc._MISTAKES.values())
    return found


def _outage_close_refusals() -> set[str]:
    """The outage's close refusals are built from flag names: collect them by refusing."""
    at = datetime(2025, 1, 14, 3, 0, tzinfo=UTC)
    outage = inc.note_restored(inc.Outage("O1", at, frozenset(), inc.OutageState.RESERVE_ACTIVE), at)
    found = set()
    close = Event(at, Actor.MANAGER, Kind.OUTAGE, "O1", "close")
    for flag in (None, *inc.OUTAGE_FLAGS):
        if flag:
            outage = inc.apply_outage(outage, Event(at, Actor.MANAGER, Kind.OUTAGE, "O1", flag))
        try:
            inc.apply_outage(outage, close)
        except GuardRefused as refused:
            found.add(refused.reason)
    unrestored = inc.Outage("O1", at, frozenset({"c"}), inc.OutageState.RESERVE_ACTIVE)
    with pytest.raises(GuardRefused) as refused:
        inc.apply_outage(unrestored, close)
    return found | {refused.value.reason}


def test_every_actor_and_role_has_a_label(en):
    for actor in Actor:
        assert actor in L.ACTOR_LABELS, actor
        assert L.actor_label(actor) == str(L.ACTOR_LABELS[actor])
    assert L.actor_label(Actor.LARMTEAM) == "Alarm team"
    assert L.actor_label("handlaggare") == "Needs assessor"
    for role in live.PEOPLE:
        assert L.role_label(role) != L.readable(role)
    assert set(L.ROLE_LABELS) == {Actor.HOME_CARE, Actor.OPERATOR, Actor.LARMTEAM}


@pytest.mark.parametrize(
    ("kind", "states"),
    [
        ("case", cs.CaseState),
        ("ticket", inc.TicketState),
        ("outage", inc.OutageState),
        ("service", lc.ServiceState),
    ],
)
def test_every_state_has_a_label(en, kind, states):
    for state in states:
        assert state in L.STATE_LABELS[kind], f"{kind}: {state}"
        assert L.state_label(kind, state) == str(L.STATE_LABELS[kind][state])
        assert L.state_label(kind, str(state)) == str(L.STATE_LABELS[kind][state])


def test_every_tech_kind_close_reason_injection_and_breach_has_a_label(en):
    assert set(sv.TechKind) <= set(L.TECH_KIND_LABELS)
    assert set(cs.CloseReason) <= set(L.CLOSE_REASON_LABELS)
    assert set(Injection) <= set(L.INJECTION_LABELS)
    assert set(Injection) <= set(L.INJECTION_HELP)
    assert set(cs.BREACH_OF.values()) | {"ticket_due"} | set(BREACHES) <= set(L.BREACH_LABELS)
    assert L.injection_label(Injection.NO_KEY) == "The key is missing"
    assert L.injection_help("no_answer")
    assert L.breach_label("arrival") == "Arrival time"
    assert L.tech_kind_label("link_lost") == "Connection lost"
    assert L.close_reason_label("test_alarm") == "Test alarm"


def _engine_actions() -> set[tuple[str, str]]:
    actions = {("case", str(a)) for a in cs.CaseAction}
    actions |= {("ticket", a) for (_, a) in inc.TICKET_TRANSITIONS}
    actions |= {("outage", a) for (_, a) in inc.OUTAGE_TRANSITIONS}
    actions |= {("service", a) for a in lc.RULES} | {("service", "apply")}
    actions |= {("fleet", "register")}
    actions |= {("device", sv.LINK_TIMEOUT), ("device", sv.DAILY_TEST_TIMEOUT)}
    actions |= {("device", str(m)) for m in MessageType}
    return actions


def test_every_action_has_a_button_and_a_timeline_label(en):
    for key in _engine_actions():
        assert key in L.ACTION_LABELS, key
        assert key in L.DONE_LABELS, key
        assert L.action_label(*key) == str(L.ACTION_LABELS[key])
        assert L.done_label(*key) == str(L.DONE_LABELS[key])
    # the first step in each history is not an action but gets a timeline phrase too
    for key in (("case", "alarm"), ("ticket", "open"), ("outage", "detect")):
        assert key in L.DONE_LABELS
    assert L.action_label("case", "acknowledge") == "Acknowledge the dispatch"
    assert L.done_label(Kind.CASE, cs.CaseAction.ACKNOWLEDGE) == "Dispatch acknowledged"
    assert L.action_label("case", "file_deviation") == "Report a deviation"
    assert L.action_label("case", "answer_target_elapsed") == "Answer time target passed"


def test_every_scenario_step_and_forbidden_action_has_labels():
    for scenario in load_scenarios(ROOT / "content" / "scenarios").values():
        for item in (*scenario.expected, *scenario.forbidden):
            assert (str(item.kind), item.action) in L.ACTION_LABELS, (scenario.slug, item)
            assert (str(item.kind), item.action) in L.DONE_LABELS, (scenario.slug, item)


def test_access_params_are_phrased(en):
    assert set(cs.ACCESS_METHODS) | set(live._ACCESS_METHODS) <= set(L.ACCESS_METHOD_LABELS)
    assert set(lc.ACCESS_KINDS) <= set(L.ACCESS_KIND_LABELS)
    assert L.action_label("case", "gain_access", (("method", "locksmith"),)) == "Get in: locksmith"
    assert L.done_label("case", "gain_access", (("method", "key_found"),)) == "Got in: key found"
    assert L.action_label("case", "gain_access") == "Get in"
    assert L.action_label("case", "gain_access", (("method", "drone"),)) == "Get in: drone"
    assert L.action_label("service", "secure_access", {"access": "key_box", "keys": "2"}) == (
        "Arrange access day and night: key box"
    )
    assert L.action_label("case", "answer", (("method", "locksmith"),)) == "Answer the alarm"
    assert L.access_method_label("rescue_service") == "rescue service"


def test_every_refusal_reason_in_the_engine_has_a_label(en):
    reasons = _engine_reasons() | _outage_close_refusals()
    assert {"follow_up_required", "no_24_7_access", "test_alarm_not_confirmed"} <= reasons
    assert {"assess_lex_sarah_required", "supplier_follow_up_required", "devices_still_lost"} <= reasons
    for reason in reasons - GENERIC_REASONS:
        assert reason in L.REFUSAL_LABELS, reason
        assert L.refusal_label("transition.refused", reason) == str(L.REFUSAL_LABELS[reason])
    generic = "That cannot be done in this situation."
    assert L.refusal_label("transition.invalid", "unknown_action") == generic
    assert L.refusal_label("transition.invalid", "") == generic
    assert L.refusal_label("transition.refused", "brand_new_guard") == generic
    assert L.refusal_label("transition.actor", "actor_home_care") != generic
    assert L.refusal_label("transition.refused", "no_24_7_access") == (
        "The alarm may not be installed before access that works day and night is in place."
    )


def test_live_refusals_get_a_label(en):
    """An unsafe step a trainee tries is refused with a reason that has a label."""
    scenario = load_scenarios(ROOT / "content" / "scenarios")["10-installation-provlarm"]
    run = run_scenario(scenario)
    service = next(iter(run.world.services.values()))
    ordered = lc.Service(
        service.service_id, service.cid, service.area, service.applied_at, lc.ServiceState.ORDERED
    )
    event = Event(service.applied_at, Actor.LARMTEAM, Kind.SERVICE, service.service_id, "install")
    with pytest.raises(GuardRefused) as refused:
        lc.apply_service(ordered, event)
    assert refused.value.reason in L.REFUSAL_LABELS
    assert "day and night" in L.refusal_label(refused.value.code, refused.value.reason)


def test_feedback_text_formats_every_code(en):
    full = {"step": "acknowledge", "after": "dispatch", "seconds": "440", "limit": "300"}
    full |= {"action": "acknowledge", "kind": "arrival"}
    for code in FEEDBACK:
        assert code in L.FEEDBACK_LABELS, code
        for params in ({}, full, tuple(full.items())):
            text = L.feedback_text(code, params)
            assert text
            assert "%(" not in text


def test_feedback_text_phrases_steps_and_times(en):
    late = {"step": "acknowledge", "action": "acknowledge", "seconds": "440", "limit": "300"}
    assert L.feedback_text("step.late", late) == (
        "Late: “Dispatch acknowledged” after 7 min 20 s (target 5 min)."
    )
    assert L.feedback_text("step.correct", (("step", "fall_report"), ("action", "file_deviation"))) == (
        "Correct: Deviation reported."
    )
    assert L.feedback_text("step.missed", (("step", "fall_report"),)) == "Never done: fall report."
    assert L.feedback_text("step.missed", {"step": "close", "action": "close", "kind": "ticket"}) == (
        "Never done: Technical alarm closed."
    )
    assert L.feedback_text("action.forbidden", (("action", "close_false_alarm"),)) == (
        "Wrong action in this situation: Close as a false alarm."
    )
    assert L.feedback_text("sla.breach", (("kind", "arrival"),)) == "Time limit exceeded: Arrival time."
    assert L.duration_text("45") == "45 s"
    assert L.duration_text(60) == "1 min"
    assert L.duration_text(43200) == "12 h"
    assert L.duration_text("soon") == "soon"


def test_feedback_from_scored_scenarios_is_complete(en):
    for scenario in load_scenarios(ROOT / "content" / "scenarios").values():
        run = run_scenario(scenario)
        result = score(scenario, run.events)
        steps = {step.name: step for step in scenario.expected}
        feedback = [r.feedback for r in (*result.steps, *result.wrong)] + list(result.feedback)
        for item in feedback:
            params = dict(item.params)
            assert "…" not in L.feedback_text(item.code, params), (scenario.slug, item)
            step = steps.get(params.get("step", ""))
            if step is not None:
                params |= {"action": step.action, "machine": str(step.kind)}
                text = L.feedback_text(item.code, params)
                assert L.done_label(step.kind, step.action) in text, (scenario.slug, text)


def test_unknown_codes_fall_back_without_raising(en):
    assert L.actor_label("robot_arm") == "robot arm"
    assert L.role_label("manager") == "Manager"
    assert L.role_label("robot") == "robot"
    assert L.state_label("case", "on_the_moon") == "on the moon"
    assert L.state_label("spaceship", "in_orbit") == "in orbit"
    assert L.action_label("case", "fly_away") == "fly away"
    assert L.action_label("spaceship", "launch") == "launch"
    assert L.done_label("ticket", "teleport_user") == "teleport user"
    assert L.tech_kind_label("cosmic_ray") == "cosmic ray"
    assert L.close_reason_label("moved_away") == "moved away"
    assert L.injection_label("meteor_strike") == "meteor strike"
    assert L.injection_help("meteor_strike") == ""
    assert L.breach_label("lunch_break") == "lunch break"
    assert L.access_method_label("drone") == "drone"
    assert L.refusal_label("", "") == "That cannot be done in this situation."
    assert L.feedback_text("score.new_code", {"some_value": "3"}) == "score.new code (some value: 3)"
    assert L.feedback_text("step.late", {"seconds": "a while"})
    assert L.feedback_text("step.correct", None)  # type: ignore[arg-type]
    assert L.actor_label(["unhashable"]) == "['unhashable']"
    assert L.action_label("case", "gain_access", "not pairs")  # type: ignore[arg-type]


def test_lookups_work_in_swedish(app):
    with app.test_request_context(), force_locale("sv"):
        assert L.actor_label(Actor.OPERATOR) == "Larmoperatör"
        for code in FEEDBACK:
            assert L.feedback_text(code, {"step": "answer", "seconds": "61", "limit": "60"})
        assert L.refusal_label("transition.refused", "no_24_7_access")
        assert L.action_label("case", "gain_access", (("method", "relative"),))
