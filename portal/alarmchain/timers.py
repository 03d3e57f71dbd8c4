"""Which timers a case arms when it enters a state, as pure rules over (before, after)."""

from __future__ import annotations

from datetime import datetime

from portal.alarmchain.case import AlarmCase, CaseAction, CaseState
from portal.alarmchain.events import Actor, Event, Kind
from portal.alarmchain.incidents import Ticket
from portal.alarmchain.policy import Policy


def _timer(at: datetime, kind: Kind, subject: str, action: str) -> Event:
    return Event(at, Actor.TIMER, kind, subject, action)


def case_timers(before: AlarmCase | None, after: AlarmCase, policy: Policy) -> list[Event]:
    """Return the timer events to schedule because ``after`` entered a new state."""
    if before is not None and before.state is after.state:
        return []
    now, cid = after.history[-1].at, after.case_id
    if after.state is CaseState.RECEIVED:
        return [
            _timer(after.opened_at + policy.answer_target, Kind.CASE, cid,
                   CaseAction.ANSWER_TARGET_ELAPSED),
            _timer(after.opened_at + policy.answer_escalate, Kind.CASE, cid,
                   CaseAction.ANSWER_ESCALATE_ELAPSED),
        ]  # fmt: skip
    if after.state is CaseState.NO_VOICE:
        return [_timer(now + policy.callback, Kind.CASE, cid, CaseAction.CALLBACK_ELAPSED)]
    if after.state is CaseState.DISPATCH_PENDING:
        timers = [_timer(now + policy.dispatch_ack, Kind.CASE, cid, CaseAction.DISPATCH_ACK_ELAPSED)]
        if after.dispatched_at == now and (before is None or before.dispatched_at is None):
            due = now + policy.arrival_target(after.area)
            timers.append(_timer(due, Kind.CASE, cid, CaseAction.ARRIVAL_ELAPSED))
        return timers
    if after.state is CaseState.ON_SITE:
        return [_timer(now + policy.document, Kind.CASE, cid, CaseAction.DOCUMENT_ELAPSED)]
    return []


def ticket_timers(ticket: Ticket) -> list[Event]:
    """Return the due-date timer of a newly opened ticket."""
    return [_timer(ticket.due_at, Kind.TICKET, ticket.ticket_id, "due_elapsed")]
