"""Automated actors that play the chain correctly, with configurable faults for demos.

Each planner is a pure function of an entity's state (plus the simulated person's behaviour and
a seeded ``random.Random``) returning at most one next step and its delay.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from portal.alarmchain.case import AlarmCase, CaseAction, CaseState, needs_follow_up
from portal.alarmchain.codes import DeviceType
from portal.alarmchain.events import Actor, Kind, Params
from portal.alarmchain.incidents import OUTAGE_FLAGS, URGENT, Outage, OutageState, Ticket
from portal.alarmchain.incidents import TicketState as TS
from portal.alarmchain.lifecycle import Service, ServiceState
from portal.alarmchain.policy import next_working_day_at
from portal.alarmchain.scenarios import Behaviour, Fault
from portal.alarmchain.supervision import TechKind

C, A = CaseState, CaseAction
FIRE = frozenset({DeviceType.SMOKE_DETECTOR, DeviceType.HEAT_DETECTOR, DeviceType.GAS_DETECTOR,
                  DeviceType.CO_DETECTOR})  # fmt: skip
PROVLARM = "provlarm"


@dataclass(frozen=True, slots=True)
class Plan:
    """The next step an actor will take after ``delay`` if nothing changes meanwhile."""

    delay: timedelta
    actor: Actor
    kind: Kind
    subject: str
    action: str
    params: Params = ()
    reason: str = ""


def _s(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(seconds=rng.randint(low, high))


def case_key(case: AlarmCase) -> tuple[object, ...]:
    """Return what the actors react to: a change of this key replans the case."""
    return case.state, case.flags, case.has_breach("documentation")


def _op(case: AlarmCase, delay: timedelta, action: CaseAction, reason: str = "") -> Plan:
    return Plan(delay, Actor.OPERATOR, Kind.CASE, case.case_id, action, reason=reason)


def _hc(case: AlarmCase, delay: timedelta, action: CaseAction, params: Params = ()) -> Plan:
    return Plan(delay, Actor.HOME_CARE, Kind.CASE, case.case_id, action, params)


def _mgr(case: AlarmCase, delay: timedelta, action: CaseAction) -> Plan:
    return Plan(delay, Actor.MANAGER, Kind.CASE, case.case_id, action)


def _operator_talks(case: AlarmCase, says: str, rng: random.Random) -> Plan:
    talk = _s(rng, 30, 90)
    if case.history[0].reason == PROVLARM or says == "test":
        return _op(case, talk, A.CLOSE_TEST_ALARM)
    if case.dty in FIRE or says == "acute":
        return _op(case, _s(rng, 10, 30), A.REFER_112)
    closing = {"mistake": A.CLOSE_FALSE_ALARM, "advice": A.CLOSE_ADVICE}
    if says in closing:
        return _op(case, talk, closing[says])
    return _op(case, talk, A.DISPATCH)


def plan_operator(case: AlarmCase, who: Behaviour, faults: frozenset[Fault],
                  rng: random.Random) -> Plan | None:  # fmt: skip
    """Return the operator's next step on ``case``, or None when it is not the operator's turn."""
    state = case.state
    if state in (C.RECEIVED, C.ESCALATED_RECEIVER):
        late = Fault.LATE_ANSWER in faults and state is C.RECEIVED
        delay = _s(rng, 75, 150) if late else _s(rng, 15, 45)
        return _op(case, delay, A.ANSWER if who.voice else A.NO_VOICE)
    if state is C.CANCELLED_BY_DEVICE:  # verify by phone before closing
        action = A.CONFIRM_CANCEL if who.answers_phone else A.NO_VOICE
        return _op(case, _s(rng, 20, 50), action, "verified_by_phone" if who.answers_phone else "")
    if state is C.VOICE_CONTACT:
        return _operator_talks(case, who.says, rng)
    if state is C.NO_VOICE:
        if case.dty in FIRE and "called_112" not in case.flags:
            return _op(case, _s(rng, 10, 30), A.REFER_112)
        if "callback_attempted" not in case.flags:
            action = A.CALLBACK_ANSWERED if who.answers_phone else A.CALLBACK_UNANSWERED
            return _op(case, _s(rng, 20, 40), action)
        return _op(case, _s(rng, 5, 20), A.DISPATCH, "unknown_condition")
    if state in (C.REFERRED_112, C.DISPATCH_ESCALATED):
        return _op(case, _s(rng, 10, 40), A.DISPATCH, "next_team" if state is C.DISPATCH_ESCALATED else "")
    if state is C.DOCUMENTED and not needs_follow_up(case):
        return _op(case, _s(rng, 60, 300), A.CLOSE)
    return None


def _dispatches(case: AlarmCase) -> int:
    return sum(1 for t in case.history if t.action == A.DISPATCH)


def plan_home_care(case: AlarmCase, who: Behaviour, faults: frozenset[Fault], access: str,
                   rng: random.Random) -> Plan | None:  # fmt: skip
    """Return home care's next step on ``case``, or None when it is not their turn."""
    state = case.state
    if state is C.DISPATCH_PENDING:
        late = Fault.LATE_ACKNOWLEDGEMENT in faults and _dispatches(case) == 1
        return _hc(case, _s(rng, 400, 520) if late else _s(rng, 60, 180), A.ACKNOWLEDGE)
    if state is C.EN_ROUTE:
        travel = _s(rng, 1200, 3000) if case.area == "rural" else _s(rng, 480, 1320)
        if Fault.LATE_ARRIVAL in faults:
            travel += timedelta(minutes=45 if case.area == "urban" else 75)
        no_key = access == "none" or Fault.NO_KEY in faults
        return _hc(case, travel, A.REPORT_ACCESS_PROBLEM if no_key else A.ARRIVE)
    if state is C.ACCESS_PROBLEM:
        if who.on_site == "acute":
            return _hc(case, _s(rng, 600, 1200), A.GAIN_ACCESS, (("method", "rescue_service"),))
        return _hc(case, _s(rng, 1500, 3000), A.GAIN_ACCESS, (("method", "locksmith"),))
    if state is C.ON_SITE:
        acute = who.on_site in ("acute", "not_home")
        return _hc(case, _s(rng, 300, 900), A.CALL_112 if acute else A.COMPLETE_ACTION)
    if state is C.AMBULANCE_CALLED:
        return _hc(case, _s(rng, 900, 2100), A.HAND_OVER)
    if state is C.ACTION_DONE:
        return _hc(case, _s(rng, 120, 360), A.REPORT_BACK)
    if state is C.REPORTED:
        deviation = who.fall or who.on_site == "not_home" or bool(case.breaches)
        deviation = deviation or "access_problem" in case.flags
        if deviation and "deviation_filed" not in case.flags:
            return _hc(case, _s(rng, 300, 900), A.FILE_DEVIATION)
        if Fault.FORGOTTEN_DOCUMENTATION in faults and not case.has_breach("documentation"):
            return None  # forgotten until the documentation timer shows the breach
        return _hc(case, _s(rng, 600, 2400), A.DOCUMENT)
    return None


def plan_manager(case: AlarmCase, rng: random.Random) -> Plan | None:
    """Return the manager's next step on ``case`` (follow-up and lex Sarah assessment)."""
    if case.state is C.DOCUMENTED and needs_follow_up(case):
        return _mgr(case, _s(rng, 600, 1800), A.OPEN_FOLLOW_UP)
    if case.state is C.FOLLOW_UP:
        serious = bool(case.breaches) or "access_problem" in case.flags
        if serious and "lex_sarah_assessed" not in case.flags:
            return _mgr(case, _s(rng, 1800, 5400), A.ASSESS_LEX_SARAH)
        return _mgr(case, _s(rng, 600, 1800), A.CLOSE_FOLLOW_UP)
    return None


def plan_case(case: AlarmCase, who: Behaviour, faults: frozenset[Fault], access: str,
              rng: random.Random) -> Plan | None:  # fmt: skip
    """Return the next step of whichever actor's turn it is on ``case``."""
    if case.is_closed:
        return None
    return (
        plan_operator(case, who, faults, rng)
        or plan_home_care(case, who, faults, access, rng)
        or plan_manager(case, rng)
    )


NEEDS_TEST = frozenset({TechKind.BATTERY_LOW, TechKind.BUTTON_LOST})


def ticket_key(ticket: Ticket, tested: bool) -> tuple[object, ...]:
    """Return what the larmteam reacts to on a ticket."""
    return ticket.state, ticket.resolved_at is None, tested


def plan_ticket(ticket: Ticket, tested: bool, rng: random.Random) -> Plan | None:
    """Return the larmteam's next step; button fixes close only after a confirmed test alarm."""

    def step(delay: timedelta, action: str) -> Plan:
        return Plan(delay, Actor.LARMTEAM, Kind.TICKET, ticket.ticket_id, action)

    if ticket.is_closed:
        return None
    if ticket.resolved_at is not None:
        if ticket.kind in NEEDS_TEST and not tested:
            return None  # wait for the provlarm after the battery or button fix
        return step(_s(rng, 180, 600), "close")
    if ticket.state is TS.OPEN:
        return step(_s(rng, 300, 1200), "contact_user")
    if ticket.state is TS.USER_CONTACTED:
        now = ticket.history[-1].at
        if ticket.kind in URGENT:
            return step(_s(rng, 1800, 7200), "visit")
        if ticket.kind is TechKind.BATTERY_LOW:
            morning = next_working_day_at(now, 9)
            return step(morning - now + _s(rng, 0, 7200), "visit")
        return step(_s(rng, 3600, 10800), "visit")
    return None  # visited: wait for the device to report the condition cleared


def outage_key(outage: Outage) -> tuple[object, ...]:
    """Return what the manager reacts to on a mass outage."""
    return outage.state, outage.flags, outage.restored_at is None


def plan_outage(outage: Outage, rng: random.Random) -> Plan | None:
    """Return the manager's next step in the reserve routine."""

    def step(delay: timedelta, action: str) -> Plan:
        return Plan(delay, Actor.MANAGER, Kind.OUTAGE, outage.outage_id, action)

    if outage.state is OutageState.DETECTED:
        return step(_s(rng, 180, 480), "activate_reserve")
    if outage.state is not OutageState.RESERVE_ACTIVE:
        return None
    for flag in OUTAGE_FLAGS[:3]:
        if flag not in outage.flags:
            return step(_s(rng, 300, 1200), flag)
    if outage.restored_at is None:
        return None
    if "supplier_follow_up" not in outage.flags:
        return step(_s(rng, 1800, 3600), "supplier_follow_up")
    return step(_s(rng, 600, 1200), "close")


def service_key(service: Service, test_case: str | None) -> tuple[object, ...]:
    """Return what the lifecycle actors react to."""
    return service.state, service.button_paired, service.range_checked, test_case


_SERVICE_STEPS: dict[ServiceState, tuple[Actor, str, int, int]] = {
    ServiceState.APPLIED: (Actor.HANDLAGGARE, "assess", 3600, 7200),
    ServiceState.ASSESSING: (Actor.HANDLAGGARE, "grant", 7200, 14400),
    ServiceState.GRANTED: (Actor.HANDLAGGARE, "order", 600, 1800),
    ServiceState.ACCESS_READY: (Actor.LARMTEAM, "install", 3600, 7200),
    ServiceState.TEST_CONFIRMED: (Actor.HOME_CARE, "activate", 300, 900),
}


def plan_service(service: Service, test_case: str | None, faults: frozenset[Fault], access: str,
                 rng: random.Random) -> Plan | None:  # fmt: skip
    """Return the next lifecycle step; the test press itself is planned by the runner."""

    def step(actor: Actor, action: str, low: int, high: int, params: Params = ()) -> Plan:
        return Plan(_s(rng, low, high), actor, Kind.SERVICE, service.service_id, action, params)

    if service.state in _SERVICE_STEPS:
        return step(*_SERVICE_STEPS[service.state])
    if service.state is ServiceState.ORDERED:
        params: Params = (("access", access),) + ((("keys", "2"),) if access == "keys" else ())
        return step(Actor.HOME_CARE, "secure_access", 3600, 10800, params)
    if service.state is not ServiceState.INSTALLED:
        return None
    if not service.button_paired and Fault.SKIP_PAIRING not in faults:
        return step(Actor.LARMTEAM, "pair_button", 300, 900)
    if not service.range_checked:
        return step(Actor.LARMTEAM, "check_range", 600, 1200)
    if test_case is not None:
        return step(Actor.LARMTEAM, "confirm_test", 120, 300, (("case", test_case),))
    return None
