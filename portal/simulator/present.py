"""What a run page shows, computed from the engine's state: timeline, cases with their SLA clocks,
a pane per actor, the SCAIP messages, the SLA summary and the trainee's options."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from portal.alarmchain import (
    Actor,
    AlarmCase,
    CaseState,
    Event,
    Kind,
    LiveRun,
    Option,
    device_request,
    render_request,
    render_response,
    respond,
    summarise,
)
from portal.alarmchain.codes import (
    MESSAGE_TYPE_LABELS,
    MessageType,
    device_type_label,
    location_label,
    status_label,
)
from portal.i18n import LOCAL_TIMEZONE, pick, text
from portal.simulator import labels
from portal.simulator.services import option_key

PANE_ACTORS = (
    Actor.DEVICE,
    Actor.OPERATOR,
    Actor.HOME_CARE,
    Actor.LARMTEAM,
    Actor.MANAGER,
    Actor.HANDLAGGARE,
)
PANE_LENGTH = 4
METRIC_LABELS = {
    "answer": _l("Answer"),
    "dispatch": _l("Dispatch"),
    "acknowledge": _l("Acknowledgement"),
    "arrival": _l("Arrival"),
    "closure": _l("Until closed"),
}
# The states a case passes on its usual way, drawn as a track so the reader sees where it is.
CASE_TRACK = (
    CaseState.RECEIVED, CaseState.VOICE_CONTACT, CaseState.DISPATCH_PENDING, CaseState.EN_ROUTE,
    CaseState.ON_SITE, CaseState.ACTION_DONE, CaseState.REPORTED, CaseState.DOCUMENTED, CaseState.CLOSED,
)  # fmt: skip


def duration_text(seconds: int | None) -> str:
    """Seconds as "7 min 20 s"; a dash when there is nothing to measure."""
    return "–" if seconds is None else labels.duration_text(seconds)


def offset_text(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(max(seconds, 0), 3600)
    return f"+{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def local_clock(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TIMEZONE).strftime("%H:%M:%S")


@dataclass(frozen=True)
class Entry:
    seq: int
    offset: str
    clock: str
    actor: Actor
    actor_text: str
    text: str
    subject: str


@dataclass(frozen=True)
class SlaClock:
    name: str
    target: str
    elapsed: str
    status: str  # waiting | running | met | breached


@dataclass(frozen=True)
class CaseView:
    case_id: str
    state: str
    state_text: str
    device_text: str
    closure_text: str | None
    clocks: list[SlaClock]
    track: list[tuple[str, str, str]]  # (state, label, "done" | "current" | "todo")


@dataclass(frozen=True)
class Thing:
    """A ticket, an outage or a service: its id, what it is and its state."""

    ident: str
    what: str
    state_text: str
    closed: bool


@dataclass(frozen=True)
class Exchange:
    seq: int
    clock: str
    request: str
    response: str
    decoded: list[tuple[str, str, str]]  # (element, code, meaning)


@dataclass(frozen=True)
class Pane:
    actor: Actor
    title: str
    entries: list[Entry]
    is_trainee: bool


@dataclass
class LiveView:
    state: LiveRun
    now_clock: str
    elapsed: str
    timeline: list[Entry] = field(default_factory=list)
    cases: list[CaseView] = field(default_factory=list)
    things: list[Thing] = field(default_factory=list)
    panes: list[Pane] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    sla: list[dict] = field(default_factory=list)
    breaches: list[tuple[str, int]] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)


def _is_plain_heartbeat(event: Event, state: str) -> bool:
    return event.kind is Kind.DEVICE and event.action == MessageType.PI and state == "ok"


def event_text(event: Event) -> str:
    """What happened, in the reader's language."""
    if event.kind is Kind.DEVICE and event.actor is Actor.DEVICE:
        parts = [pick(MESSAGE_TYPE_LABELS.get(MessageType(event.action)))]
        for code, find in (("dty", device_type_label), ("stc", status_label)):
            value = event.param(code)
            label = find(value) if value else None
            if label:
                parts.append(pick(label))
        return " – ".join(p for p in parts if p)
    done = labels.done_label(str(event.kind), event.action)
    method = event.param("method")
    return f"{done} ({labels.access_method_label(method)})" if method else done


def _entries(state: LiveRun) -> list[Entry]:
    start, language = state.scenario.start, str(get_locale())
    return [
        _entry(seq, event, start, language)
        for seq, (event, label) in enumerate(zip(state.events, state.states, strict=True))
        if not _is_plain_heartbeat(event, label) and event.kind is not Kind.FLEET
    ]


@lru_cache(maxsize=16384)
def _entry(seq: int, event: Event, start: datetime, language: str) -> Entry:
    """One timeline entry; a run's past never changes, so each is made once per language."""
    return Entry(seq, offset_text(event.at - start), local_clock(event.at), event.actor,
                 labels.actor_label(event.actor), event_text(event), event.subject)  # fmt: skip


def _clock(
    name: str, start: datetime | None, end: datetime | None, target: timedelta, now: datetime
) -> SlaClock:
    limit = int(target.total_seconds())
    if start is None:
        return SlaClock(name, duration_text(limit), "–", "waiting")
    elapsed = int(((end or now) - start).total_seconds())
    if end is None:
        status = "breached" if elapsed > limit else "running"
    else:
        status = "breached" if elapsed > limit else "met"
    return SlaClock(name, duration_text(limit), duration_text(elapsed), status)


def _documented_at(case: AlarmCase) -> datetime | None:
    return next((t.at for t in case.history if t.target == CaseState.DOCUMENTED), None)


def case_view(case: AlarmCase, state: LiveRun) -> CaseView:
    policy, now = state.world.policy, state.now
    clocks = [
        _clock(text(_l("Answer")), case.opened_at, case.answered_at, policy.answer_target, now),
        _clock(
            text(_l("Acknowledgement")), case.dispatched_at, case.acknowledged_at, policy.dispatch_ack, now
        ),
        _clock(
            text(_l("Arrival")), case.dispatched_at, case.arrived_at, policy.arrival_target(case.area), now
        ),
        _clock(text(_l("Documentation")), case.arrived_at, _documented_at(case), policy.document, now),
    ]
    visited = {t.target for t in case.history} | {case.state}
    track = []
    for track_state in CASE_TRACK:
        where = "current" if track_state is case.state else ("done" if track_state in visited else "todo")
        track.append((str(track_state), labels.state_label("case", track_state), where))
    device = device_type_label(case.dty)
    return CaseView(
        case.case_id, str(case.state), labels.state_label("case", case.state),
        pick(device) if device else case.dty,
        labels.close_reason_label(case.closure) if case.closure else None, clocks, track,
    )  # fmt: skip


def _things(state: LiveRun) -> list[Thing]:
    world = state.world
    found = [Thing(t.ticket_id, labels.tech_kind_label(t.kind),
                   labels.state_label("ticket", t.state), t.is_closed) for t in world.tickets.values()]  # fmt: skip
    found += [Thing(o.outage_id, text(_l("Mass outage (%(n)d units)", n=len(o.affected))),
                    labels.state_label("outage", o.state), o.is_closed) for o in world.outages.values()]  # fmt: skip
    found += [Thing(s.service_id, text(_l("Social alarm service")), labels.state_label("service", s.state),
                    s.activated_at is not None) for s in world.services.values()]  # fmt: skip
    return found


def pretty_xml(raw: bytes) -> str:
    """One element per line, children indented: a SCAIP message as people read it."""
    lines = re.sub(r">\s*<", ">\n<", raw.decode("utf-8")).splitlines()
    return "\n".join(line if i in (0, len(lines) - 1) else "  " + line for i, line in enumerate(lines))


def _decoded(event: Event) -> list[tuple[str, str, str]]:
    rows = [("mty", event.action, pick(MESSAGE_TYPE_LABELS.get(MessageType(event.action))))]
    for code, find in (("dty", device_type_label), ("stc", status_label), ("lco", location_label)):
        value = event.param(code)
        if value:
            label = find(value)
            rows.append((code, value, pick(label) if label else text(_l("code outside the known table"))))
    crd = event.param("crd")
    if crd:
        voice = not crd.startswith("no-voice")
        rows.append(("crd", crd, text(_l("voice call possible")) if voice else text(_l("no voice call"))))
    return rows


def _exchanges(state: LiveRun) -> list[Exchange]:
    found = []
    last_heartbeat = None
    for seq, (event, label) in enumerate(zip(state.events, state.states, strict=True)):
        if event.kind is not Kind.DEVICE or event.actor is not Actor.DEVICE:
            continue
        if _is_plain_heartbeat(event, label):
            last_heartbeat = seq
            continue
        found.append(seq)
    if last_heartbeat is not None:
        found.append(last_heartbeat)
    language = str(get_locale())
    return [_exchange(seq, state.events[seq], language) for seq in sorted(found)]


@lru_cache(maxsize=4096)
def _exchange(seq: int, event: Event, language: str) -> Exchange:
    """A device message and the receiver's answer, made once per language like the timeline."""
    request = device_request(event)
    return Exchange(seq, local_clock(event.at), pretty_xml(render_request(request)),
                    pretty_xml(render_response(respond(request))), _decoded(event))  # fmt: skip


def _panes(entries: list[Entry], trainee: Actor | None, involved: set[Actor]) -> list[Pane]:
    panes = []
    for actor in PANE_ACTORS:
        if actor not in involved and actor is not trainee:
            continue
        own = [e for e in entries if e.actor is actor][-PANE_LENGTH:]
        panes.append(Pane(actor, labels.actor_label(actor), list(reversed(own)), actor is trainee))
    return panes


def _sla(state: LiveRun) -> tuple[list[dict], list[tuple[str, int]]]:
    if not state.world.cases:
        return [], []
    summary = summarise(state.world.cases.values(), state.world.policy)
    rows = [
        {"name": text(METRIC_LABELS.get(m.name, m.name)), "count": m.count, "target": duration_text(m.target),
         "within": m.within_target, "share": m.share_within, "p50": duration_text(m.p50),
         "p90": duration_text(m.p90)}
        for m in summary.metrics if m.count
    ]  # fmt: skip
    breaches = [(labels.breach_label(kind), n) for kind, n in summary.breaches]
    return rows, breaches


def live_view(state: LiveRun, options: tuple[Option, ...] = (), trainee: Actor | None = None) -> LiveView:
    """Everything the live part of the run page shows."""
    entries = _entries(state)
    involved = {e.actor for e in entries} | {Actor.DEVICE}
    sla, breaches = _sla(state)
    return LiveView(
        state=state, now_clock=local_clock(state.now), elapsed=offset_text(state.now - state.scenario.start),
        timeline=entries, cases=[case_view(c, state) for c in state.world.cases.values()],
        things=_things(state), panes=_panes(entries, trainee, involved), exchanges=_exchanges(state),
        sla=sla, breaches=breaches,
        options=[(option_key(o), labels.action_label(str(o.kind), o.action, o.params)) for o in options],
    )  # fmt: skip
