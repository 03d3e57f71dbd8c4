"""The alarm case (larmärende) as an explicit state machine, per the brief §6.2."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime

from portal.alarmchain.errors import ActorNotAllowed, GuardRefused, InvalidTransition
from portal.alarmchain.events import Actor, Event

MACHINE = "case"


class CaseState(enum.StrEnum):
    RECEIVED = "received"  # larm inkommet, i kö
    ESCALATED_RECEIVER = "escalated_receiver"  # reservrutin / backup centre takes the queue
    CANCELLED_BY_DEVICE = "cancelled_by_device"  # återkallat; the operator still verifies
    VOICE_CONTACT = "voice_contact"  # talkontakt
    NO_VOICE = "no_voice"  # ingen talkontakt
    REFERRED_112 = "referred_112"  # operator called 112; home care still goes
    DISPATCH_PENDING = "dispatch_pending"  # utlarmad, inte kvitterad
    DISPATCH_ESCALATED = "dispatch_escalated"  # not acknowledged in time: next team / on-call
    EN_ROUTE = "en_route"  # kvitterad, på väg
    ACCESS_PROBLEM = "access_problem"  # no key or lock fault at the door
    ON_SITE = "on_site"  # på plats
    AMBULANCE_CALLED = "ambulance_called"  # 112 from the home; staff stay until handover
    ACTION_DONE = "action_done"  # åtgärd klar
    REPORTED = "reported"  # återrapporterad till larmcentralen
    DOCUMENTED = "documented"  # journal and any deviation report written
    FOLLOW_UP = "follow_up"  # avvikelse: manager assesses (lex Sarah)
    CLOSED = "closed"


class CaseAction(enum.StrEnum):
    CANCEL = "cancel"
    INFO = "info"
    INTERVENTION_COMPLETE = "intervention_complete"
    ANSWER = "answer"
    NO_VOICE = "no_voice"
    CALLBACK_ANSWERED = "callback_answered"
    CALLBACK_UNANSWERED = "callback_unanswered"
    CONFIRM_CANCEL = "confirm_cancel"
    CLOSE_FALSE_ALARM = "close_false_alarm"
    CLOSE_TEST_ALARM = "close_test_alarm"
    CLOSE_ADVICE = "close_advice"
    REFER_112 = "refer_112"
    DISPATCH = "dispatch"
    ACKNOWLEDGE = "acknowledge"
    ARRIVE = "arrive"
    REPORT_ACCESS_PROBLEM = "report_access_problem"
    GAIN_ACCESS = "gain_access"
    CALL_112 = "call_112"
    HAND_OVER = "hand_over"
    COMPLETE_ACTION = "complete_action"
    REPORT_BACK = "report_back"
    DOCUMENT = "document"
    FILE_DEVIATION = "file_deviation"
    CLOSE = "close"
    OPEN_FOLLOW_UP = "open_follow_up"
    ASSESS_LEX_SARAH = "assess_lex_sarah"
    CLOSE_FOLLOW_UP = "close_follow_up"
    ANSWER_TARGET_ELAPSED = "answer_target_elapsed"
    ANSWER_ESCALATE_ELAPSED = "answer_escalate_elapsed"
    CALLBACK_ELAPSED = "callback_elapsed"
    DISPATCH_ACK_ELAPSED = "dispatch_ack_elapsed"
    ARRIVAL_ELAPSED = "arrival_elapsed"
    DOCUMENT_ELAPSED = "document_elapsed"


class CloseReason(enum.StrEnum):
    FALSE_ALARM = "false_alarm"
    TEST_ALARM = "test_alarm"
    ADVICE = "advice"
    CANCELLED_BY_DEVICE = "cancelled_by_device"
    COMPLETED = "completed"
    COMPLETED_AFTER_FOLLOW_UP = "completed_after_follow_up"


S, A = CaseState, CaseAction
_OPEN_QUEUE = (S.RECEIVED, S.ESCALATED_RECEIVER, S.CANCELLED_BY_DEVICE)
_AWAITING_ARRIVAL = (S.DISPATCH_PENDING, S.DISPATCH_ESCALATED, S.EN_ROUTE, S.ACCESS_PROBLEM)
_AFTER_ACTION = (S.ACTION_DONE, S.REPORTED, S.DOCUMENTED, S.FOLLOW_UP)
_OPEN = tuple(s for s in S if s is not S.CLOSED)

# (sources, action, target); target None means the state is kept (a recorded fact or breach).
_RULES: tuple[tuple[tuple[CaseState, ...], CaseAction, CaseState | None], ...] = (
    ((S.RECEIVED, S.ESCALATED_RECEIVER), A.CANCEL, S.CANCELLED_BY_DEVICE),
    (_OPEN, A.INFO, None),
    ((S.ACTION_DONE,), A.INTERVENTION_COMPLETE, S.REPORTED),
    (_OPEN_QUEUE, A.ANSWER, S.VOICE_CONTACT),
    (_OPEN_QUEUE, A.NO_VOICE, S.NO_VOICE),
    ((S.NO_VOICE,), A.CALLBACK_ANSWERED, S.VOICE_CONTACT),
    ((S.NO_VOICE,), A.CALLBACK_UNANSWERED, None),
    ((S.CANCELLED_BY_DEVICE,), A.CONFIRM_CANCEL, S.CLOSED),
    ((S.VOICE_CONTACT,), A.CLOSE_FALSE_ALARM, S.CLOSED),
    ((S.VOICE_CONTACT,), A.CLOSE_TEST_ALARM, S.CLOSED),
    ((S.VOICE_CONTACT,), A.CLOSE_ADVICE, S.CLOSED),
    ((S.VOICE_CONTACT, S.NO_VOICE), A.REFER_112, S.REFERRED_112),
    ((S.VOICE_CONTACT, S.NO_VOICE, S.REFERRED_112, S.DISPATCH_ESCALATED), A.DISPATCH,
     S.DISPATCH_PENDING),
    ((S.DISPATCH_PENDING, S.DISPATCH_ESCALATED), A.ACKNOWLEDGE, S.EN_ROUTE),
    ((S.EN_ROUTE,), A.ARRIVE, S.ON_SITE),
    ((S.EN_ROUTE,), A.REPORT_ACCESS_PROBLEM, S.ACCESS_PROBLEM),
    ((S.ACCESS_PROBLEM,), A.GAIN_ACCESS, S.ON_SITE),
    ((S.ON_SITE,), A.CALL_112, S.AMBULANCE_CALLED),
    ((S.AMBULANCE_CALLED,), A.HAND_OVER, S.ACTION_DONE),
    ((S.ON_SITE,), A.COMPLETE_ACTION, S.ACTION_DONE),
    ((S.ACTION_DONE,), A.REPORT_BACK, S.REPORTED),
    ((S.REPORTED,), A.DOCUMENT, S.DOCUMENTED),
    (_AFTER_ACTION, A.FILE_DEVIATION, None),
    ((S.DOCUMENTED,), A.CLOSE, S.CLOSED),
    ((S.DOCUMENTED,), A.OPEN_FOLLOW_UP, S.FOLLOW_UP),
    ((S.FOLLOW_UP,), A.ASSESS_LEX_SARAH, None),
    ((S.FOLLOW_UP,), A.CLOSE_FOLLOW_UP, S.CLOSED),
    ((S.RECEIVED, S.CANCELLED_BY_DEVICE), A.ANSWER_TARGET_ELAPSED, None),
    ((S.RECEIVED,), A.ANSWER_ESCALATE_ELAPSED, S.ESCALATED_RECEIVER),
    ((S.NO_VOICE,), A.CALLBACK_ELAPSED, None),
    ((S.DISPATCH_PENDING,), A.DISPATCH_ACK_ELAPSED, S.DISPATCH_ESCALATED),
    (_AWAITING_ARRIVAL, A.ARRIVAL_ELAPSED, None),
    ((S.ON_SITE, S.AMBULANCE_CALLED, S.ACTION_DONE, S.REPORTED), A.DOCUMENT_ELAPSED, None),
)  # fmt: skip

TRANSITIONS: dict[tuple[CaseState, CaseAction], CaseState] = {
    (source, action): target or source for sources, action, target in _RULES for source in sources
}

_OPERATOR = frozenset({Actor.OPERATOR})
_HOME_CARE = frozenset({Actor.HOME_CARE})
ACTORS: dict[CaseAction, frozenset[Actor]] = {
    A.CANCEL: frozenset({Actor.DEVICE}),
    A.INFO: frozenset({Actor.DEVICE, Actor.OPERATOR}),
    A.INTERVENTION_COMPLETE: frozenset({Actor.DEVICE}),
    **{a: _OPERATOR for a in (A.ANSWER, A.NO_VOICE, A.CALLBACK_ANSWERED, A.CALLBACK_UNANSWERED,
                              A.CONFIRM_CANCEL, A.CLOSE_FALSE_ALARM, A.CLOSE_TEST_ALARM,
                              A.CLOSE_ADVICE, A.REFER_112, A.DISPATCH)},
    **{a: _HOME_CARE for a in (A.ACKNOWLEDGE, A.ARRIVE, A.REPORT_ACCESS_PROBLEM, A.GAIN_ACCESS,
                               A.CALL_112, A.HAND_OVER, A.COMPLETE_ACTION, A.REPORT_BACK,
                               A.DOCUMENT)},
    A.FILE_DEVIATION: frozenset({Actor.HOME_CARE, Actor.OPERATOR}),
    A.CLOSE: frozenset({Actor.OPERATOR, Actor.MANAGER}),
    A.OPEN_FOLLOW_UP: frozenset({Actor.MANAGER}),
    A.ASSESS_LEX_SARAH: frozenset({Actor.MANAGER}),
    A.CLOSE_FOLLOW_UP: frozenset({Actor.MANAGER}),
    **{a: frozenset({Actor.TIMER}) for a in A if a.endswith("_elapsed")},
}  # fmt: skip

BREACH_OF: dict[CaseAction, str] = {
    A.ANSWER_TARGET_ELAPSED: "answer",
    A.ANSWER_ESCALATE_ELAPSED: "answer_escalate",
    A.CALLBACK_ELAPSED: "callback",
    A.DISPATCH_ACK_ELAPSED: "dispatch_ack",
    A.ARRIVAL_ELAPSED: "arrival",
    A.DOCUMENT_ELAPSED: "documentation",
}
CLOSURE_OF: dict[CaseAction, CloseReason] = {
    A.CONFIRM_CANCEL: CloseReason.CANCELLED_BY_DEVICE,
    A.CLOSE_FALSE_ALARM: CloseReason.FALSE_ALARM,
    A.CLOSE_TEST_ALARM: CloseReason.TEST_ALARM,
    A.CLOSE_ADVICE: CloseReason.ADVICE,
    A.CLOSE: CloseReason.COMPLETED,
    A.CLOSE_FOLLOW_UP: CloseReason.COMPLETED_AFTER_FOLLOW_UP,
}
FLAG_OF: dict[CaseAction, str] = {
    A.CANCEL: "cancelled_by_device",
    A.CALLBACK_ANSWERED: "callback_attempted",
    A.CALLBACK_UNANSWERED: "callback_attempted",
    A.REFER_112: "called_112",
    A.CALL_112: "called_112",
    A.REPORT_ACCESS_PROBLEM: "access_problem",
    A.FILE_DEVIATION: "deviation_filed",
    A.DOCUMENT: "documented",
    A.ASSESS_LEX_SARAH: "lex_sarah_assessed",
}
# First occurrence of these actions stamps a milestone used by the SLA metrics.
MILESTONE_OF: dict[CaseAction, str] = {
    A.ANSWER: "answered_at",
    A.NO_VOICE: "answered_at",
    A.DISPATCH: "dispatched_at",
    A.ACKNOWLEDGE: "acknowledged_at",
    A.ARRIVE: "arrived_at",
    A.GAIN_ACCESS: "arrived_at",
}
ACCESS_METHODS = frozenset({"locksmith", "rescue_service", "relative", "key_found"})


@dataclass(frozen=True, slots=True)
class Breach:
    """A time limit that was exceeded, and when the timer fired."""

    kind: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Transition:
    """One applied action: who did what, when, from which state to which, and why."""

    at: datetime
    actor: Actor
    action: str
    source: str
    target: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AlarmCase:
    """An alarm case; every change returns a new value through :func:`apply_case`."""

    case_id: str
    cid: str
    dty: str
    stc: str | None
    area: str
    has_voice: bool
    opened_at: datetime
    state: CaseState = CaseState.RECEIVED
    closure: CloseReason | None = None
    answered_at: datetime | None = None
    dispatched_at: datetime | None = None
    acknowledged_at: datetime | None = None
    arrived_at: datetime | None = None
    closed_at: datetime | None = None
    breaches: tuple[Breach, ...] = ()
    flags: frozenset[str] = frozenset()
    history: tuple[Transition, ...] = ()

    @property
    def is_closed(self) -> bool:
        """Return True once the case is closed."""
        return self.state is CaseState.CLOSED

    def has_breach(self, kind: str) -> bool:
        """Return True if a breach of ``kind`` was recorded."""
        return any(b.kind == kind for b in self.breaches)


def needs_follow_up(case: AlarmCase) -> bool:
    """Return True when the manager must follow up: a breach, an access problem, a deviation."""
    return bool(case.breaches) or bool(case.flags & {"access_problem", "deviation_filed"})


def _guard(case: AlarmCase, action: CaseAction, event: Event) -> str | None:
    if action is A.CLOSE and needs_follow_up(case):
        return "follow_up_required"
    if action is A.CLOSE_FOLLOW_UP and "lex_sarah_assessed" not in case.flags:
        if case.breaches or "access_problem" in case.flags:
            return "lex_sarah_assessment_required"
    if action is A.GAIN_ACCESS and event.param("method") not in ACCESS_METHODS:
        return "access_method_required"
    breach = BREACH_OF.get(action)
    if breach and TRANSITIONS[(case.state, action)] is case.state and case.has_breach(breach):
        return "breach_already_recorded"
    return None


def case_action(case: AlarmCase, event: Event) -> CaseAction:
    """Return the event's action if it is allowed now; raise a typed error otherwise."""
    try:
        action = CaseAction(event.action)
    except ValueError:
        raise InvalidTransition(MACHINE, case.state, event.action, reason="unknown_action") from None
    if (case.state, action) not in TRANSITIONS:
        raise InvalidTransition(MACHINE, case.state, action)
    if event.actor not in ACTORS[action]:
        raise ActorNotAllowed(MACHINE, case.state, action, reason=f"actor_{event.actor}")
    refusal = _guard(case, action, event)
    if refusal:
        raise GuardRefused(MACHINE, case.state, action, reason=refusal)
    return action


def apply_case(case: AlarmCase, event: Event) -> AlarmCase:
    """Return the case after ``event``; raise (leaving ``case`` as it was) if not allowed."""
    action = case_action(case, event)
    target = TRANSITIONS[(case.state, action)]
    changes: dict[str, object] = {"state": target}
    milestone = MILESTONE_OF.get(action)
    if milestone and getattr(case, milestone) is None:
        changes[milestone] = event.at
    if action in CLOSURE_OF:
        changes["closure"] = CLOSURE_OF[action]
        changes["closed_at"] = event.at
    if action in BREACH_OF:
        changes["breaches"] = case.breaches + (Breach(BREACH_OF[action], event.at),)
    if action in FLAG_OF:
        changes["flags"] = case.flags | {FLAG_OF[action]}
    step = Transition(event.at, event.actor, action, case.state, target, event.reason)
    changes["history"] = case.history + (step,)
    return dataclasses.replace(case, **changes)  # type: ignore[arg-type]


def open_case(case_id: str, event: Event, *, area: str) -> AlarmCase:
    """Return a new case in RECEIVED for a device alarm event."""
    crd = event.param("crd") or ""
    step = Transition(event.at, event.actor, "alarm", "", CaseState.RECEIVED, event.reason)
    return AlarmCase(
        case_id=case_id, cid=event.subject, dty=event.param("dty") or "", stc=event.param("stc"),
        area=area, has_voice=bool(crd) and not crd.startswith("no-voice"), opened_at=event.at,
        history=(step,),
    )  # fmt: skip


def allowed_actions(case: AlarmCase, actor: Actor | None = None) -> tuple[CaseAction, ...]:
    """Return the actions the table allows now (optionally only ``actor``'s), in table order."""
    return tuple(a for (s, a) in TRANSITIONS if s is case.state and (actor is None or actor in ACTORS[a]))
