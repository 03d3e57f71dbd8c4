"""Social-alarm handling chain: alarm -> receiving centre -> home-care dispatch -> on site.

Pure Python (standard library, defusedxml, PyYAML). Must not import flask, sqlalchemy or any other
``portal`` package (enforced by tests/alarmchain/test_independence.py). See README.md here.
"""

from portal.alarmchain.case import AlarmCase, CaseAction, CaseState, CloseReason, apply_case
from portal.alarmchain.day import DaySummary, format_day_summary, simulate_day
from portal.alarmchain.errors import (
    ActorNotAllowed,
    AlarmChainError,
    EventFormatError,
    GuardRefused,
    InvalidTransition,
    ScaipError,
    ScenarioError,
    UnknownSubject,
)
from portal.alarmchain.events import (
    Actor,
    Event,
    Kind,
    device_event,
    device_request,
    event_from_json,
    event_to_json,
    log_from_json,
    log_to_json,
)
from portal.alarmchain.lifecycle import Service, ServiceState
from portal.alarmchain.live import PEOPLE, LiveRun, Option, Player, options, play
from portal.alarmchain.loader import load_scenario, load_scenarios
from portal.alarmchain.outcome import Injection, Intervention
from portal.alarmchain.policy import Policy, policy_from_mapping
from portal.alarmchain.roles import actors_for
from portal.alarmchain.run import Run, format_timeline, run_scenario, run_to_json
from portal.alarmchain.scaip import (
    MessageRequest,
    MessageResponse,
    parse_and_respond,
    parse_request,
    render_request,
    render_response,
    respond,
)
from portal.alarmchain.scenarios import Fault, Scenario
from portal.alarmchain.scoring import Score, Verdict, score
from portal.alarmchain.simulation import CannotResume
from portal.alarmchain.sla import SlaSummary, case_metrics, summarise
from portal.alarmchain.world import World, empty_world, fold, step

__all__ = [
    "Actor", "ActorNotAllowed", "CannotResume", "AlarmCase", "AlarmChainError", "CaseAction", "CaseState",
    "CloseReason", "DaySummary", "Event", "EventFormatError", "Fault", "GuardRefused",
    "Injection", "Intervention", "InvalidTransition", "Kind", "LiveRun", "Option", "PEOPLE", "Player", "MessageRequest", "MessageResponse", "Policy", "Run",
    "ScaipError", "Scenario", "ScenarioError", "Score", "Service", "ServiceState", "SlaSummary",
    "UnknownSubject", "Verdict", "World", "actors_for", "apply_case", "case_metrics", "device_event", "device_request",
    "empty_world", "event_from_json", "event_to_json", "fold", "format_day_summary",
    "format_timeline", "load_scenario", "load_scenarios", "log_from_json", "log_to_json",
    "options", "parse_and_respond", "play", "parse_request", "policy_from_mapping", "render_request", "render_response", "respond",
    "run_scenario", "run_to_json", "score", "simulate_day", "step", "summarise",
]  # fmt: skip
