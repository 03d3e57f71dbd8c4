"""Translated names for everything the alarm-chain engine emits, for the live demo and exercises.

The engine (portal.alarmchain) speaks in codes: actors, states, actions, refusal reasons, feedback
codes. These tables give each code a msgid; the lookup functions below never raise, and an unknown
code comes back readable (underscores as spaces) so that a new engine code shows up as itself
instead of breaking a page. tests/simulator/test_labels.py fails when the engine gains a code
without a label here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import lazy_gettext as _l

from portal.alarmchain import supervision
from portal.alarmchain.case import CaseAction, CaseState, CloseReason
from portal.alarmchain.codes import MessageType
from portal.alarmchain.events import Actor
from portal.alarmchain.incidents import OutageState, TicketState
from portal.alarmchain.lifecycle import ServiceState
from portal.alarmchain.outcome import Injection
from portal.alarmchain.supervision import TechKind
from portal.i18n import text

Pairs = Iterable[tuple[str, str]] | Mapping[str, str]

ACTOR_LABELS = {
    Actor.DEVICE: _l("Alarm device"),
    Actor.OPERATOR: _l("Alarm operator"),
    Actor.HOME_CARE: _l("Home care"),
    Actor.LARMTEAM: _l("Alarm team"),
    Actor.MANAGER: _l("Manager"),
    Actor.HANDLAGGARE: _l("Needs assessor"),
    Actor.TIMER: _l("Clock"),
}

# The roles a trainee can play in an exercise.
ROLE_LABELS = {
    Actor.HOME_CARE: _l("Home care"),
    Actor.OPERATOR: _l("Alarm operator"),
    Actor.LARMTEAM: _l("Alarm team"),
}

# States -------------------------------------------------------------------------------------------

CASE_STATE_LABELS = {
    CaseState.RECEIVED: _l("Received, waiting in the queue"),
    CaseState.ESCALATED_RECEIVER: _l("Escalated to the backup routine"),
    CaseState.CANCELLED_BY_DEVICE: _l("Withdrawn by the alarm, to be checked"),
    CaseState.VOICE_CONTACT: _l("Voice contact"),
    CaseState.NO_VOICE: _l("No voice contact"),
    CaseState.REFERRED_112: _l("112 alerted by the alarm centre"),
    CaseState.DISPATCH_PENDING: _l("Dispatched, not acknowledged"),
    CaseState.DISPATCH_ESCALATED: _l("Not acknowledged in time, escalated"),
    CaseState.EN_ROUTE: _l("Acknowledged, on the way"),
    CaseState.ACCESS_PROBLEM: _l("Cannot get in"),
    CaseState.ON_SITE: _l("On site"),
    CaseState.AMBULANCE_CALLED: _l("Ambulance called, waiting for handover"),
    CaseState.ACTION_DONE: _l("Action done"),
    CaseState.REPORTED: _l("Reported back to the alarm centre"),
    CaseState.DOCUMENTED: _l("Documented"),
    CaseState.FOLLOW_UP: _l("Followed up by the manager"),
    CaseState.CLOSED: _l("Closed"),
}

TICKET_STATE_LABELS = {
    TicketState.OPEN: _l("Open"),
    TicketState.USER_CONTACTED: _l("Person contacted"),
    TicketState.VISITED: _l("Home visited"),
    TicketState.CLOSED: _l("Closed"),
}

OUTAGE_STATE_LABELS = {
    OutageState.DETECTED: _l("Detected"),
    OutageState.RESERVE_ACTIVE: _l("Backup routine running"),
    OutageState.CLOSED: _l("Closed"),
}

SERVICE_STATE_LABELS = {
    ServiceState.APPLIED: _l("Application registered"),
    ServiceState.ASSESSING: _l("Being assessed"),
    ServiceState.GRANTED: _l("Granted"),
    ServiceState.REJECTED: _l("Rejected (can be appealed)"),
    ServiceState.ORDERED: _l("Ordered"),
    ServiceState.ACCESS_READY: _l("Access ready day and night"),
    ServiceState.INSTALLED: _l("Installed"),
    ServiceState.TEST_CONFIRMED: _l("Test alarm confirmed"),
    ServiceState.ACTIVE: _l("In effect"),
    ServiceState.PAUSED: _l("Paused (hospital, short-term stay, travel)"),
    ServiceState.ENDED: _l("Ended"),
    ServiceState.COLLECTED: _l("Alarm collected"),
    ServiceState.KEYS_RETURNED: _l("Keys returned"),
    ServiceState.DEREGISTERED: _l("Deregistered at the alarm centre and in the lock register"),
    ServiceState.ARCHIVED: _l("Archived"),
}

STATE_LABELS = {
    "case": CASE_STATE_LABELS,
    "ticket": TICKET_STATE_LABELS,
    "outage": OUTAGE_STATE_LABELS,
    "service": SERVICE_STATE_LABELS,
}

TECH_KIND_LABELS = {
    TechKind.LINK_LOST: _l("Connection lost"),
    TechKind.BUTTON_LOST: _l("Alarm button not heard"),
    TechKind.TEST_MISSED: _l("Daily test missing"),
    TechKind.BATTERY_LOW: _l("Battery low"),
    TechKind.POWER_FAILURE: _l("Power failure"),
    TechKind.MALFUNCTION: _l("Fault in the alarm unit"),
}

CLOSE_REASON_LABELS = {
    CloseReason.FALSE_ALARM: _l("False alarm"),
    CloseReason.TEST_ALARM: _l("Test alarm"),
    CloseReason.ADVICE: _l("Advice by phone"),
    CloseReason.CANCELLED_BY_DEVICE: _l("Withdrawn by the alarm"),
    CloseReason.COMPLETED: _l("Completed after a visit"),
    CloseReason.COMPLETED_AFTER_FOLLOW_UP: _l("Completed after follow-up"),
}

# Actions: buttons (imperative) and the timeline (past tense) -------------------------------------

A = CaseAction
# Timer actions are events, not buttons: the same phrase serves both tables.
_TIMER_PHRASES = {
    ("case", A.ANSWER_TARGET_ELAPSED): _l("Answer time target passed"),
    ("case", A.ANSWER_ESCALATE_ELAPSED): _l("No answer in time: backup routine started"),
    ("case", A.CALLBACK_ELAPSED): _l("Callback time passed"),
    ("case", A.DISPATCH_ACK_ELAPSED): _l("Dispatch not acknowledged in time"),
    ("case", A.ARRIVAL_ELAPSED): _l("Arrival time target passed"),
    ("case", A.DOCUMENT_ELAPSED): _l("Documentation time passed"),
    ("ticket", "due_elapsed"): _l("Fix time for the technical alarm passed"),
    ("device", supervision.LINK_TIMEOUT): _l("Connection lost: no sign of life"),
    ("device", supervision.DAILY_TEST_TIMEOUT): _l("Daily test missing"),
}

ACTION_LABELS = {
    # alarm case (larmärende)
    ("case", A.CANCEL): _l("Withdraw the alarm"),
    ("case", A.INFO): _l("Add information"),
    ("case", A.INTERVENTION_COMPLETE): _l("Mark the visit as finished on the alarm unit"),
    ("case", A.ANSWER): _l("Answer the alarm"),
    ("case", A.NO_VOICE): _l("Record no voice contact"),
    ("case", A.CALLBACK_ANSWERED): _l("Call back: the person answers"),
    ("case", A.CALLBACK_UNANSWERED): _l("Call back: no answer"),
    ("case", A.CONFIRM_CANCEL): _l("Confirm the withdrawal and close"),
    ("case", A.CLOSE_FALSE_ALARM): _l("Close as a false alarm"),
    ("case", A.CLOSE_TEST_ALARM): _l("Close as a test alarm"),
    ("case", A.CLOSE_ADVICE): _l("Give advice and close"),
    ("case", A.REFER_112): _l("Alert 112"),
    ("case", A.DISPATCH): _l("Dispatch home care"),
    ("case", A.ACKNOWLEDGE): _l("Acknowledge the dispatch"),
    ("case", A.ARRIVE): _l("Arrive"),
    ("case", A.REPORT_ACCESS_PROBLEM): _l("Report that you cannot get in"),
    ("case", A.GAIN_ACCESS): _l("Get in"),
    ("case", A.CALL_112): _l("Call 112"),
    ("case", A.HAND_OVER): _l("Hand over to the ambulance"),
    ("case", A.COMPLETE_ACTION): _l("Complete the action"),
    ("case", A.REPORT_BACK): _l("Report back to the alarm centre"),
    ("case", A.DOCUMENT): _l("Document the visit"),
    ("case", A.FILE_DEVIATION): _l("Report a deviation"),
    ("case", A.CLOSE): _l("Close the case"),
    ("case", A.OPEN_FOLLOW_UP): _l("Start the follow-up"),
    ("case", A.ASSESS_LEX_SARAH): _l("Make a lex Sarah assessment"),
    ("case", A.CLOSE_FOLLOW_UP): _l("Close the follow-up"),
    # technical alarm (ticket)
    ("ticket", "contact_user"): _l("Call the person"),
    ("ticket", "visit"): _l("Visit the home"),
    ("ticket", "close"): _l("Close the technical alarm"),
    # mass outage
    ("outage", "activate_reserve"): _l("Start the backup routine"),
    ("outage", "inform_providers"): _l("Inform the care providers"),
    ("outage", "call_relatives"): _l("Call relatives"),
    ("outage", "assess_lex_sarah"): _l("Make a lex Sarah assessment"),
    ("outage", "supplier_follow_up"): _l("Follow up with the supplier"),
    ("outage", "close"): _l("Close the outage"),
    # service lifecycle (insats trygghetslarm)
    ("service", "apply"): _l("Register the application"),
    ("service", "assess"): _l("Start the assessment"),
    ("service", "grant"): _l("Grant the safety alarm"),
    ("service", "reject"): _l("Reject the application"),
    ("service", "appeal"): _l("Assess again after an appeal"),
    ("service", "order"): _l("Order the alarm"),
    ("service", "secure_access"): _l("Arrange access day and night"),
    ("service", "install"): _l("Install the alarm"),
    ("service", "pair_button"): _l("Pair the alarm button"),
    ("service", "check_range"): _l("Check the range"),
    ("service", "confirm_test"): _l("Confirm the test alarm"),
    ("service", "activate"): _l("Activate the alarm"),
    ("service", "pause"): _l("Pause the service"),
    ("service", "resume"): _l("Resume the service"),
    ("service", "review"): _l("Review the decision"),
    ("service", "end"): _l("End the service"),
    ("service", "collect"): _l("Collect the alarm"),
    ("service", "return_keys"): _l("Return the keys"),
    ("service", "deregister"): _l("Deregister the alarm"),
    ("service", "archive"): _l("Archive the file"),
    # device registry and messages from an outside device
    ("fleet", "register"): _l("Register the alarm unit"),
    ("device", MessageType.ME): _l("Send an alarm"),
    ("device", MessageType.RE): _l("Withdraw the alarm"),
    ("device", MessageType.IN): _l("Send information"),
    ("device", MessageType.PI): _l("Send a sign of life"),
    **_TIMER_PHRASES,
}

DONE_LABELS = {
    # alarm case (larmärende); "alarm" opens the case in its history
    ("case", "alarm"): _l("Alarm received"),
    ("case", A.CANCEL): _l("Alarm withdrawn"),
    ("case", A.INFO): _l("More information from the alarm"),
    ("case", A.INTERVENTION_COMPLETE): _l("Visit marked as finished on the alarm unit"),
    ("case", A.ANSWER): _l("Alarm answered"),
    ("case", A.NO_VOICE): _l("No voice contact"),
    ("case", A.CALLBACK_ANSWERED): _l("Called back: the person answered"),
    ("case", A.CALLBACK_UNANSWERED): _l("Called back: no answer"),
    ("case", A.CONFIRM_CANCEL): _l("Withdrawal confirmed, case closed"),
    ("case", A.CLOSE_FALSE_ALARM): _l("Closed as a false alarm"),
    ("case", A.CLOSE_TEST_ALARM): _l("Closed as a test alarm"),
    ("case", A.CLOSE_ADVICE): _l("Advice given, case closed"),
    ("case", A.REFER_112): _l("112 alerted by the alarm centre"),
    ("case", A.DISPATCH): _l("Home care dispatched"),
    ("case", A.ACKNOWLEDGE): _l("Dispatch acknowledged"),
    ("case", A.ARRIVE): _l("Arrived"),
    ("case", A.REPORT_ACCESS_PROBLEM): _l("Could not get in"),
    ("case", A.GAIN_ACCESS): _l("Got in"),
    ("case", A.CALL_112): _l("112 called from the home"),
    ("case", A.HAND_OVER): _l("Handed over to the ambulance"),
    ("case", A.COMPLETE_ACTION): _l("Action completed"),
    ("case", A.REPORT_BACK): _l("Reported back to the alarm centre"),
    ("case", A.DOCUMENT): _l("Visit documented"),
    ("case", A.FILE_DEVIATION): _l("Deviation reported"),
    ("case", A.CLOSE): _l("Case closed"),
    ("case", A.OPEN_FOLLOW_UP): _l("Follow-up started"),
    ("case", A.ASSESS_LEX_SARAH): _l("Lex Sarah assessment made"),
    ("case", A.CLOSE_FOLLOW_UP): _l("Follow-up closed"),
    # technical alarm (ticket); "open" opens it in its history
    ("ticket", "open"): _l("Technical alarm raised"),
    ("ticket", "contact_user"): _l("Person contacted"),
    ("ticket", "visit"): _l("Home visited"),
    ("ticket", "close"): _l("Technical alarm closed"),
    # mass outage; "detect" opens it in its history
    ("outage", "detect"): _l("Mass outage detected"),
    ("outage", "activate_reserve"): _l("Backup routine started"),
    ("outage", "inform_providers"): _l("Care providers informed"),
    ("outage", "call_relatives"): _l("Relatives called"),
    ("outage", "assess_lex_sarah"): _l("Lex Sarah assessment made"),
    ("outage", "supplier_follow_up"): _l("Supplier followed up"),
    ("outage", "close"): _l("Outage closed"),
    # service lifecycle
    ("service", "apply"): _l("Application registered"),
    ("service", "assess"): _l("Assessment started"),
    ("service", "grant"): _l("Safety alarm granted"),
    ("service", "reject"): _l("Application rejected"),
    ("service", "appeal"): _l("Appealed: assessed again"),
    ("service", "order"): _l("Alarm ordered"),
    ("service", "secure_access"): _l("Access arranged"),
    ("service", "install"): _l("Alarm installed"),
    ("service", "pair_button"): _l("Alarm button paired"),
    ("service", "check_range"): _l("Range checked"),
    ("service", "confirm_test"): _l("Test alarm confirmed"),
    ("service", "activate"): _l("Alarm activated"),
    ("service", "pause"): _l("Service paused"),
    ("service", "resume"): _l("Service resumed"),
    ("service", "review"): _l("Decision reviewed"),
    ("service", "end"): _l("Service ended"),
    ("service", "collect"): _l("Alarm collected"),
    ("service", "return_keys"): _l("Keys returned"),
    ("service", "deregister"): _l("Alarm deregistered"),
    ("service", "archive"): _l("File archived"),
    # device registry and device messages
    ("fleet", "register"): _l("Alarm unit registered"),
    ("device", MessageType.ME): _l("Message from the alarm unit"),
    ("device", MessageType.RE): _l("Withdrawal from the alarm unit"),
    ("device", MessageType.IN): _l("Information from the alarm unit"),
    ("device", MessageType.PI): _l("Sign of life from the alarm unit"),
    **_TIMER_PHRASES,
}

# Looked up in this order when the caller does not say which machine an action belongs to.
_KINDS = ("case", "ticket", "outage", "service", "fleet", "device")

# The gain_access method and the secure_access kind, shown after the action: "Get in: locksmith".
ACCESS_METHOD_LABELS = {
    "locksmith": _l("locksmith"),
    "rescue_service": _l("rescue service"),
    "relative": _l("a relative with a key"),
    "key_found": _l("key found"),
}
ACCESS_KIND_LABELS = {
    "keys": _l("keys"),
    "digital_lock": _l("digital lock"),
    "key_box": _l("key box"),
}
ACTION_DETAIL = _l("%(action)s: %(detail)s")
_DETAILS = {
    ("case", A.GAIN_ACCESS): ("method", ACCESS_METHOD_LABELS),
    ("service", "secure_access"): ("access", ACCESS_KIND_LABELS),
}

# Refusals -----------------------------------------------------------------------------------------

# The engine's refusal reasons (GuardRefused.reason, and InvalidTransition.reason where it has one).
REFUSAL_LABELS = {
    # alarm case
    "follow_up_required": _l(
        "The case cannot be closed yet: a time limit was exceeded, home care could not get in or "
        "a deviation was reported, so the manager must follow it up first."
    ),
    "lex_sarah_assessment_required": _l(
        "The follow-up cannot be closed before the manager has assessed whether this is a lex Sarah "
        "matter: a time limit was exceeded or home care could not get in."
    ),
    "access_method_required": _l(
        "Say how you got in: locksmith, rescue service, a relative with a key or a key that was found."
    ),
    "breach_already_recorded": _l("This time limit has already been recorded as exceeded."),
    # technical alarms and supervision
    "condition_not_resolved": _l(
        "The technical alarm cannot be closed while the fault remains: the alarm unit must first "
        "report that it works again."
    ),
    "timer_not_due": _l("The time limit has not been reached yet."),
    # mass outage
    "devices_still_lost": _l("The outage cannot be closed while alarms are still without a connection."),
    "assess_lex_sarah_required": _l(
        "The outage cannot be closed before the manager has assessed whether it is a lex Sarah matter."
    ),
    "supplier_follow_up_required": _l(
        "The outage cannot be closed before it has been followed up with the supplier: cause, "
        "measures and any claim for damages."
    ),
    # service lifecycle
    "no_24_7_access": _l(
        "The alarm may not be installed before access that works day and night is in place."
    ),
    "access_kind_required": _l("Choose how home care gets in: keys, a digital lock or a key box."),
    "two_keys_required": _l(
        "At least two keys must be signed for: one for the day staff and one for the night team."
    ),
    "button_not_paired": _l(
        "The test alarm cannot be confirmed before the alarm button has been paired with the alarm unit."
    ),
    "test_alarm_missing": _l(
        "No test alarm has reached the alarm centre yet: the person presses their own alarm button "
        "and the alarm centre closes the alarm as a test alarm."
    ),
    "test_not_from_users_unit": _l(
        "That test alarm came from another alarm unit. It must come from the alarm installed in "
        "this person's home."
    ),
    "test_not_from_users_button": _l(
        "The test alarm must be made with the person's own alarm button, not from the alarm unit "
        "or another sensor."
    ),
    "test_not_confirmed_by_receiver": _l(
        "The alarm centre has not confirmed the test alarm: it must be answered and closed as a "
        "test alarm first."
    ),
    "test_alarm_not_confirmed": _l(
        "The alarm may not be activated before the alarm centre has confirmed a test alarm from the "
        "person's own alarm button."
    ),
    "range_not_checked": _l(
        "The alarm may not be activated before the range of the alarm button has been checked "
        "throughout the home."
    ),
    "signed_receipts_required": _l(
        "Keys are returned only against signed receipts, which are kept for two years."
    ),
}
REFUSAL_GENERIC = _l("That cannot be done in this situation.")
# By error code, when the reason says nothing more (InvalidTransition.code etc.).
REFUSAL_CODE_LABELS = {
    "transition.invalid": REFUSAL_GENERIC,
    "transition.refused": REFUSAL_GENERIC,
    "transition.actor": _l("That step is done by someone else in the chain."),
    "subject.unknown": _l("That is no longer there: it may already have been closed."),
}

# Injected faults ----------------------------------------------------------------------------------

INJECTION_LABELS = {
    Injection.NO_ANSWER: _l("The person does not answer"),
    Injection.NO_KEY: _l("The key is missing"),
    Injection.BATTERY_LOW: _l("Battery low in the alarm button"),
    Injection.LINK_LOST: _l("The connection is lost"),
    Injection.MASS_OUTAGE: _l("Mass outage at the supplier"),
}
INJECTION_HELP = {
    Injection.NO_ANSWER: _l(
        "No voice contact and no answer on the phone: call back once, then dispatch home care. An "
        "alarm is never closed unchecked."
    ),
    Injection.NO_KEY: _l(
        "Home care cannot get in: report it, get in another way (locksmith, rescue service, a "
        "relative) and report a deviation. The manager follows up and makes a lex Sarah assessment."
    ),
    Injection.BATTERY_LOW: _l(
        "A technical alarm: contact the person and change the battery by the next weekday, then "
        "check the button with a test alarm."
    ),
    Injection.LINK_LOST: _l(
        "The alarm cannot reach the alarm centre, so the person cannot call for help: call them and "
        "visit during the same shift."
    ),
    Injection.MASS_OUTAGE: _l(
        "Many alarms fall silent at once: the manager starts the backup routine (extra visits, "
        "relatives asked to call), informs the care providers, makes a lex Sarah assessment and "
        "follows up with the supplier."
    ),
}

# Scoring feedback ---------------------------------------------------------------------------------

BREACH_LABELS = {
    "answer": _l("Answer time"),
    "answer_escalate": _l("Answer time before the backup routine"),
    "callback": _l("Callback time"),
    "dispatch_ack": _l("Acknowledgement of the dispatch"),
    "arrival": _l("Arrival time"),
    "documentation": _l("Documentation time"),
    "ticket_due": _l("Fix time for a technical alarm"),
}

# The engine's feedback codes (portal/alarmchain/labels.py FEEDBACK); see feedback_text.
FEEDBACK_LABELS = {
    "step.correct": _l("Correct: %(step)s."),
    "step.late": _l("Late: “%(step)s” after %(seconds)s (target %(limit)s)."),
    "step.missed": _l("Never done: %(step)s."),
    "step.out_of_order": _l("Wrong order: “%(step)s” came before “%(after)s”."),
    "action.forbidden": _l("Wrong action in this situation: %(action)s."),
    "sla.breach": _l("Time limit exceeded: %(kind)s."),
    "case.not_closed": _l("The chain was not completed: something is still open."),
}


# Lookups ------------------------------------------------------------------------------------------


def readable(code: object) -> str:
    """The fallback for a code without a label: "access_problem" → "access problem"."""
    return str(code).replace("_", " ").strip()


def _get(table: Mapping, key: object) -> object | None:
    try:
        return table.get(key)
    except TypeError:  # an unhashable key
        return None


def _lookup(table: Mapping, key: object) -> str:
    label = _get(table, key)
    return readable(key) if label is None else text(label)


def actor_label(actor: object) -> str:
    """Who acted: "Alarm operator" for Actor.OPERATOR."""
    return _lookup(ACTOR_LABELS, actor)


def role_label(role: object) -> str:
    """An exercise role; other actors get their actor label."""
    label = _get(ROLE_LABELS, role)
    return actor_label(role) if label is None else text(label)


def state_label(kind: str, state: str) -> str:
    """A state of a "case", "ticket", "outage" or "service"."""
    return _lookup(STATE_LABELS.get(str(kind), {}), state)


def tech_kind_label(kind: str) -> str:
    """A technical alarm kind: "Connection lost" for link_lost."""
    return _lookup(TECH_KIND_LABELS, kind)


def close_reason_label(reason: str) -> str:
    """Why a case was closed: "False alarm" for false_alarm."""
    return _lookup(CLOSE_REASON_LABELS, reason)


def _with_detail(label: str, kind: str, action: str, params: Pairs) -> str:
    detail = _DETAILS.get((kind, action))
    if detail is None:
        return label
    try:
        value = dict(params).get(detail[0])
    except (TypeError, ValueError):
        return label
    if not value:
        return label
    return text(ACTION_DETAIL) % {"action": label, "detail": _lookup(detail[1], value)}


def _action(table: Mapping, kind: str, action: str, params: Pairs) -> str:
    kind, action = str(kind), str(action)
    label = table.get((kind, action))
    if label is None:
        return readable(action)
    return _with_detail(text(label), kind, action, params)


def action_label(kind: str, action: str, params: Pairs = ()) -> str:
    """A button: "Acknowledge the dispatch"; with ``params`` (("method", "locksmith"),) for
    gain_access, "Get in: locksmith" (and secure_access with its "access" kind likewise)."""
    return _action(ACTION_LABELS, kind, action, params)


def done_label(kind: str, action: str, params: Pairs = ()) -> str:
    """A timeline entry: "Dispatch acknowledged"; "Got in: locksmith" with the method."""
    return _action(DONE_LABELS, kind, action, params)


def access_method_label(method: str) -> str:
    """How home care got in: "locksmith"."""
    return _lookup(ACCESS_METHOD_LABELS, method)


def refusal_label(code: str, reason: str) -> str:
    """Why the engine refused an action; ``code`` and ``reason`` are the error's attributes."""
    reason = str(reason or "")
    if reason in REFUSAL_LABELS:
        return text(REFUSAL_LABELS[reason])
    if reason.startswith("actor_"):
        return text(REFUSAL_CODE_LABELS["transition.actor"])
    return text(REFUSAL_CODE_LABELS.get(str(code), REFUSAL_GENERIC))


def injection_label(injection: str) -> str:
    """An injected fault: "The key is missing" for no_key."""
    return _lookup(INJECTION_LABELS, injection)


def injection_help(injection: str) -> str:
    """What the chain should do about an injected fault ("" when unknown)."""
    help_text = _get(INJECTION_HELP, injection)
    return "" if help_text is None else text(help_text)


def breach_label(kind: str) -> str:
    """A time limit: "Arrival time" for arrival."""
    return _lookup(BREACH_LABELS, kind)


def duration_text(seconds: object) -> str:
    """Seconds as "7 min 20 s" ("45 s", "5 min", "2 h 5 min"); anything else as it is."""
    try:
        total = int(str(seconds))
    except ValueError:
        return str(seconds)
    sign, total = ("-" if total < 0 else ""), abs(total)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes:
        parts.append(f"{minutes} min")
    if secs and not hours:
        parts.append(f"{secs} s")
    return sign + (" ".join(parts) or "0 s")


def _step_text(params: Mapping[str, str], name_key: str, action_key: str, kind_keys: tuple[str, ...]) -> str:
    action = params.get(action_key)
    kind = next((params[k] for k in kind_keys if params.get(k) in STATE_LABELS), None)
    if action:
        kinds = (kind,) if kind else _KINDS
        for k in kinds:
            if (k, action) in DONE_LABELS:
                return done_label(k, action)
    return readable(params.get(name_key) or action or "")


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "…"


def feedback_text(code: str, params: Pairs) -> str:
    """A scoring feedback as a sentence, e.g. "Late: “Dispatch acknowledged” after 7 min 20 s
    (target 5 min)."

    ``params`` are the Feedback's params (pairs or a dict). For the step codes the shell may add the
    step's ``action`` (and ``machine``/``kind``: case, ticket, outage or service) to get the
    timeline phrase; without them the step name is shown. For step.out_of_order likewise
    ``after_action`` (and ``after_machine``). For action.forbidden, ``action`` is the forbidden
    action (and ``machine`` its kind when it is not a case action).
    """
    try:
        given = {str(k): str(v) for k, v in dict(params).items()}
    except (TypeError, ValueError):
        given = {}
    values = _Lenient(given)
    code = str(code)
    if code.startswith("step."):
        values["step"] = _step_text(given, "step", "action", ("machine", "kind"))
        if code == "step.out_of_order":
            values["after"] = _step_text(given, "after", "after_action", ("after_machine", "after_kind"))
        for key in ("seconds", "limit"):
            if key in given:
                values[key] = duration_text(given[key])
    elif code == "action.forbidden":
        kind = given.get("machine") or given.get("kind")
        kinds = (kind,) if kind in STATE_LABELS else _KINDS
        action = given.get("action", "")
        found = next((k for k in kinds if (k, action) in ACTION_LABELS), None)
        values["action"] = action_label(found, action) if found else readable(action)
    elif code == "sla.breach":
        values["kind"] = breach_label(given.get("kind", ""))
    template = FEEDBACK_LABELS.get(code)
    if template is None:
        details = ", ".join(f"{readable(k)}: {v}" for k, v in sorted(given.items()))
        return readable(code) + (f" ({details})" if details else "")
    try:
        return text(template) % values
    except (KeyError, ValueError, TypeError):  # a broken translation: use the English template
        try:
            return template._args[0] % values
        except (AttributeError, IndexError, KeyError, ValueError, TypeError):
            return readable(code)
