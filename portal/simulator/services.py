"""Runs of trygghetskedjan: create, play, steer, act, score, prune. Views call these; callers need
not commit (each change commits itself, because a run is shared by every worker serving it).

State is never stored: each call plays the run's inputs through the engine up to the run's virtual
moment. A change is one conditional UPDATE of the run's revision plus, for an input, one row with
that revision as its sequence number: two workers changing one run at once cannot both succeed, and
the loser plays the run again and retries.
"""

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlalchemy.orm.attributes import set_committed_value

from portal.alarmchain import (
    Actor,
    CannotResume,
    Injection,
    Intervention,
    LiveRun,
    Option,
    Player,
    ScaipError,
    Scenario,
    Score,
    Verdict,
    device_event,
    event_from_json,
    event_to_json,
    options,
    render_response,
    respond,
    run_scenario,
    score,
)
from portal.alarmchain.scaip import MAX_REQUEST_BYTES, error_response, parse_request
from portal.extensions import db
from portal.models import InputKind, RunMode, SimulationInput, SimulationRun, User, utcnow
from portal.signals import exercise_passed
from portal.simulator.catalogue import ROLES, scenarios

PASS_PERCENT = 80  # and no forbidden action and no step left undone: passed safely, not just mostly
SPEEDS = (1, 5, 10, 30, 60)
MAX_ADVANCE = timedelta(minutes=10)  # one tick of the clock may move the run at most this far
RUNS_PER_HOUR = 30  # per client: anonymous demo runs are cheap to make, so they are limited
INPUTS_PER_RUN = 400  # each input is played on every request: a run must stay small
DEVICE_MESSAGES_PER_MINUTE = 30
DEMO_LIFETIME = timedelta(hours=24)
PLAYERS_KEPT = 64  # runs whose played state a worker keeps (the mass outage is a megabyte)
UNFINISHED_EXERCISE_LIFETIME = timedelta(days=30)
_RETRIES = 5


class RunError(Exception):
    """A request the run cannot take; ``code`` picks the message the page shows."""

    def __init__(self, code: str, /, **params: str) -> None:  # "/": Refused passes a param `code`
        super().__init__(code)
        self.code, self.params = code, params


class Refused(RunError):
    """The engine refused a trainee's action; the params ``code`` and ``reason`` say why."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__("refused", code=code, reason=reason)


class _Conflict(Exception):
    pass


# Reading -------------------------------------------------------------------------------------------
def scenario_of(run: SimulationRun) -> Scenario:
    """The run's scenario; a scenario removed from content/ ends the run with an error page."""
    found = scenarios().get(run.scenario_slug)
    if found is None:
        raise RunError("scenario_gone")
    return found


def role_of(run: SimulationRun) -> Actor | None:
    return ROLES.get(run.role) if run.role else None


def interventions_of(run: SimulationRun) -> list[Intervention]:
    kept = _players.inputs(run.id)
    if kept is not None and len(kept) == run.input_count:
        return list(kept)
    rows = db.session.scalars(
        sa.select(SimulationInput).where(SimulationInput.run_id == run.id).order_by(SimulationInput.seq)
    )
    return [_intervention(row) for row in rows]


def _intervention(row: SimulationInput) -> Intervention:
    if row.kind is InputKind.INJECTION:
        return Intervention(row.at, injection=Injection(row.body))
    return Intervention(row.at, event=event_from_json(row.body))


def live(run: SimulationRun, *, extra: Intervention | None = None, advance: bool = False) -> LiveRun:
    """The run played through the engine up to its moment (and ``extra``, an input being tried).

    This worker's player of the run goes on from where it stopped; another worker may have moved
    the run meanwhile, or this one tried something not kept: then the run is played from the start.
    """
    inputs = interventions_of(run)
    tried = [*inputs, extra] if extra else inputs
    scenario, manual = scenario_of(run), frozenset({role_of(run)}) - {None}
    player = _players.take(run.id)
    if player is None or (player.scenario, player.seed, player.manual) != (scenario, run.seed, manual):
        player = Player(scenario, run.seed, manual)  # type: ignore[arg-type]
    try:
        state = player.play(tried, until=run.virtual_now, advance=advance)
    except CannotResume:
        player = Player(scenario, run.seed, manual)  # type: ignore[arg-type]
        state = player.play(tried, until=run.virtual_now, advance=advance)
    _players.keep(run.id, player, inputs)
    return state


class _Players:
    """The players of the runs this worker served last, with the runs' inputs as last read."""

    def __init__(self, size: int) -> None:
        self.size, self.lock = size, threading.Lock()
        self.players: OrderedDict[str, Player] = OrderedDict()
        self.inputs_read: dict[str, tuple[Intervention, ...]] = {}

    def take(self, run_id: str) -> Player | None:
        with self.lock:  # taken, not shared: two threads never play one player at once
            return self.players.pop(run_id, None)

    def inputs(self, run_id: str) -> tuple[Intervention, ...] | None:
        return self.inputs_read.get(run_id)

    def keep(self, run_id: str, player: Player, inputs: list[Intervention]) -> None:
        with self.lock:
            self.players[run_id] = player
            self.inputs_read[run_id] = tuple(inputs)
            while len(self.players) > self.size:
                gone, _ = self.players.popitem(last=False)
                self.inputs_read.pop(gone, None)


_players = _Players(PLAYERS_KEPT)


def options_of(run: SimulationRun, state: LiveRun) -> tuple[Option, ...]:
    """What the trainee can try now (nothing in a demo or a finished exercise)."""
    role = role_of(run)
    if role is None or run.finished_at is not None or state.over:
        return ()
    return options(state.world, role, access=state.scenario.access)


def option_key(option: Option) -> str:
    """A stable name for an option, posted by the action buttons."""
    params = ",".join(f"{k}={v}" for k, v in option.params)
    return f"{option.kind}:{option.subject}:{option.action}:{params}"


def exercise_runs(user_id: int, limit: int = 100) -> list[SimulationRun]:
    """A trainee's exercise runs, newest first, without each one's step-by-step result (a list does not
    show it; reading it loads it)."""
    return list(db.session.scalars(_EXERCISE_RUNS, {"user_id": user_id, "limit": limit}))


_EXERCISE_RUNS = (  # built once (and so its cache key): the parameters are user_id and limit
    sa.select(SimulationRun)
    .where(SimulationRun.user_id == sa.bindparam("user_id"), SimulationRun.mode == RunMode.EXERCISE)
    .options(defer(SimulationRun.result))
    .order_by(SimulationRun.created_at.desc(), SimulationRun.id)
    .limit(sa.bindparam("limit"))
)


# Creating ------------------------------------------------------------------------------------------
def client_key(remote_addr: str | None, user: User | None) -> str:
    """Who made a run, for the per-client limit: the user, or a keyed hash of the address."""
    if user is not None:
        return f"user:{user.id}"
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, (remote_addr or "-").encode(), hashlib.sha256).hexdigest()
    return f"addr:{digest[:40]}"


def create_run(scenario: Scenario, *, mode: RunMode, client: str, user: User | None = None,
               role: str | None = None, now: datetime | None = None) -> SimulationRun:  # fmt: skip
    """Start a run of ``scenario`` (an exercise needs a user and a role); commits."""
    now = now or utcnow()
    if mode is RunMode.EXERCISE and (user is None or role not in ROLES):
        raise RunError("no_role")
    recent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SimulationRun)
        .where(SimulationRun.client_key == client, SimulationRun.created_at > now - timedelta(hours=1))
    )
    if recent >= current_app.config.get("SIMULATOR_RUNS_PER_HOUR", RUNS_PER_HOUR):
        raise RunError("too_many_runs")
    run = SimulationRun(
        id=secrets.token_urlsafe(16), scenario_slug=scenario.slug, scenario_version=scenario.version,
        seed=secrets.randbits(31), mode=mode, role=role if mode is RunMode.EXERCISE else None,
        user_id=user.id if user else None, client_key=client, virtual_now=scenario.start,
        speed=10, created_at=now, touched_at=now,
    )  # fmt: skip
    db.session.add(run)
    db.session.commit()
    return run


# Changing ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Change:
    virtual_now: datetime
    kind: InputKind | None = None
    at: datetime | None = None
    body: str | None = None
    speed: int | None = None
    state: LiveRun | None = None  # the run after the change, when deciding already played it


def _commit(run: SimulationRun, change: _Change) -> None:
    expected = run.revision
    values: dict = {"revision": expected + 1, "virtual_now": change.virtual_now, "touched_at": utcnow()}
    if change.speed is not None:
        values["speed"] = change.speed
    if change.kind is not None:
        values["input_count"] = run.input_count + 1
    updated = db.session.execute(
        sa.update(SimulationRun)
        .where(SimulationRun.id == run.id, SimulationRun.revision == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        raise _Conflict
    if change.kind is not None:
        db.session.add(
            SimulationInput(run_id=run.id, seq=expected + 1, kind=change.kind, at=change.at, body=change.body)
        )
    db.session.commit()
    for key, value in values.items():  # the row as written: no SELECT to read it back
        set_committed_value(run, key, value.astimezone(UTC) if isinstance(value, datetime) else value)


def _change(run: SimulationRun, decide: Callable[[SimulationRun], _Change]) -> LiveRun:
    """Apply ``decide``'s change to the freshest run, retrying when another worker came first."""
    for attempt in range(_RETRIES):
        if attempt:  # the run as loaded is usually current; the conditional UPDATE checks it
            db.session.refresh(run)
        if run.finished_at is not None:
            raise RunError("finished")
        change = decide(run)
        if _changes_nothing(run, change):  # a step or tick at the end of the scenario's time
            return change.state or live(run)
        try:
            _commit(run, change)
        except (_Conflict, IntegrityError):
            db.session.rollback()
            continue
        return change.state or live(run)
    raise RunError("busy")


def _changes_nothing(run: SimulationRun, change: _Change) -> bool:
    return change.kind is None and change.virtual_now == run.virtual_now and change.speed in (None, run.speed)


def _end_of(run: SimulationRun) -> datetime:
    scenario = scenario_of(run)
    return scenario.start + scenario.horizon


def step(run: SimulationRun) -> LiveRun:
    """Move the run on to the next moment when something happens."""

    def decide(r: SimulationRun) -> _Change:
        moved = live(r, advance=True)
        if r.mode is RunMode.EXERCISE and moved.over and not moved.complete and options_of(r, live(r)):
            raise RunError("waiting_for_you")  # stepping would only run the trainee's time out
        return _Change(moved.now, state=moved)

    return _change(run, decide)


def advance(run: SimulationRun, seconds: int) -> LiveRun:
    """Let ``seconds`` of virtual time pass (the clock of the live page)."""
    delta = min(timedelta(seconds=max(0, seconds)), MAX_ADVANCE)
    return _change(run, lambda r: _Change(min(r.virtual_now + delta, _end_of(r))))


def set_speed(run: SimulationRun, speed: int) -> LiveRun:
    if speed not in SPEEDS:
        raise RunError("bad_speed")
    return _change(run, lambda r: _Change(r.virtual_now, speed=speed))


def inject(run: SimulationRun, injection: Injection) -> LiveRun:
    """Make something go wrong now (demo runs only)."""
    if run.mode is not RunMode.DEMO:
        raise RunError("demo_only")

    def decide(r: SimulationRun) -> _Change:
        _room_for_input(r)
        return _Change(r.virtual_now, InputKind.INJECTION, r.virtual_now, str(injection))

    return _change(run, decide)


def act(run: SimulationRun, key: str) -> LiveRun:
    """Take the trainee's action named ``key`` now; raise Refused with the engine's reason."""

    def decide(r: SimulationRun) -> _Change:
        _room_for_input(r)
        chosen = {option_key(o): o for o in options_of(r, live(r))}.get(key)
        if chosen is None:
            raise RunError("no_longer_possible")
        event = chosen.event(r.virtual_now, role_of(r))  # type: ignore[arg-type]
        tried = live(r, extra=Intervention(r.virtual_now, event=event))
        for refused_index, refusal in tried.refused:
            if refused_index == r.input_count:
                raise Refused(refusal.code, refusal.reason)
        return _Change(r.virtual_now, InputKind.PERSON, r.virtual_now, event_to_json(event), state=tried)

    return _change(run, decide)


def _room_for_input(run: SimulationRun) -> None:
    # The inputs, not the revision: every tick of the page's clock is a revision too.
    if run.input_count >= current_app.config.get("SIMULATOR_INPUTS_PER_RUN", INPUTS_PER_RUN):
        raise RunError("run_full")


# The device endpoint -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeviceReply:
    status: int  # HTTP
    body: bytes  # a SCAIP <mrs>


MAX_BODY = MAX_REQUEST_BYTES


def scaip_refusal(status: int, reason: str, ref: str | None = None) -> bytes:
    """An ``<mrs>`` refusing a request with SCAIP ``status``."""
    return render_response(error_response(ScaipError(status, reason, reason, ref=ref)))


def _scaip_error(http: int, status: int, reason: str, ref: str | None = None) -> DeviceReply:
    return DeviceReply(http, scaip_refusal(status, reason, ref))


_HTTP_OF_SCAIP = {1: 413, 2: 400, 3: 422, 7: 422}


def device_message(run: SimulationRun, body: bytes) -> DeviceReply:
    """Take a SCAIP ``<mrq>`` from an outside device into the run and answer with an ``<mrs>``."""
    try:
        request = parse_request(body, max_bytes=MAX_REQUEST_BYTES)
    except ScaipError as error:
        return DeviceReply(_HTTP_OF_SCAIP.get(error.status, 400), render_response(error_response(error)))
    since = utcnow() - timedelta(minutes=1)
    recent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SimulationInput)
        .where(
            SimulationInput.run_id == run.id,
            SimulationInput.kind == InputKind.DEVICE,
            SimulationInput.created_at > since,
        )
    )
    if recent >= DEVICE_MESSAGES_PER_MINUTE:
        return _scaip_error(429, 6, "busy", request.ref)

    def decide(r: SimulationRun) -> _Change:
        if r.virtual_now >= _end_of(r):  # the clock cannot move on: the message would stay unhandled
            raise RunError("finished")
        _room_for_input(r)
        event = device_event(r.virtual_now, request)
        return _Change(r.virtual_now, InputKind.DEVICE, r.virtual_now, event_to_json(event))

    try:
        _change(run, decide)
    except RunError as error:
        status = 409 if error.code == "finished" else 429
        return _scaip_error(status, 5 if error.code == "finished" else 6, error.code, request.ref)
    return DeviceReply(200, render_response(respond(request)))


def play_model_answer(run: SimulationRun) -> None:
    """Take the trainee's steps as the simulator's own actor would (demo data); commits."""
    scenario, role = scenario_of(run), role_of(run)
    played = run_scenario(scenario, run.seed).events
    steps = [e for e in played if e.actor is role]
    for number, event in enumerate(steps, start=run.revision + 1):
        db.session.add(SimulationInput(run_id=run.id, seq=number, kind=InputKind.PERSON, at=event.at,
                                       body=event_to_json(event)))  # fmt: skip
    run.revision += len(steps)
    run.input_count += len(steps)
    run.virtual_now = max(e.at for e in played)
    db.session.commit()


# Finishing -----------------------------------------------------------------------------------------
def finish(run: SimulationRun) -> SimulationRun:
    """Score an exercise and keep the result; a pass counts as evidence for certifications."""
    if run.mode is not RunMode.EXERCISE:
        raise RunError("exercise_only")
    for _ in range(_RETRIES):
        db.session.refresh(run)
        if run.finished_at is not None:
            return run
        state = live(run)
        result = score(state.scenario, state.events, role_of(run))
        passed = is_pass(result)
        updated = db.session.execute(
            sa.update(SimulationRun)
            .where(SimulationRun.id == run.id, SimulationRun.revision == run.revision)
            .values(
                revision=run.revision + 1,
                finished_at=utcnow(),
                touched_at=utcnow(),
                points=result.points,
                max_points=result.max_points,
                percent=result.percent,
                passed=passed,
                result=_result_document(result, state),
            )  # fmt: skip
            .execution_options(synchronize_session=False)
        )
        if updated.rowcount != 1:
            db.session.rollback()
            continue
        db.session.commit()
        db.session.refresh(run)
        if passed:
            exercise_passed.send(run, user_id=run.user_id, scenario=run.scenario_slug)
            db.session.commit()
        return run
    raise RunError("busy")


def is_pass(result: Score) -> bool:
    """Enough points, nothing wrong done and nothing left undone."""
    missed = any(step.verdict is Verdict.MISSED for step in result.steps)
    return result.percent >= PASS_PERCENT and not result.wrong and not missed


def _result_document(result: Score, state: LiveRun) -> dict:
    start = state.scenario.start
    expected = {step.name: step for step in state.scenario.expected}

    def verdict(r) -> dict:
        step = expected.get(r.step)
        return {
            "step": r.step,
            "action": step.action if step else r.step,
            "kind": str(step.kind) if step else "case",
            "verdict": str(r.verdict),
            "seconds": None if r.at is None else int((r.at - start).total_seconds()),
            "feedback": {"code": r.feedback.code, "params": dict(r.feedback.params)},
        }

    return {
        "steps": [verdict(r) for r in result.steps],
        "wrong": [verdict(r) for r in result.wrong],
        # A breach noted once per re-dispatch would repeat itself: each finding once.
        "feedback": [{"code": f.code, "params": dict(f.params)} for f in dict.fromkeys(result.feedback)],
    }


# Housekeeping --------------------------------------------------------------------------------------
def prune(now: datetime | None = None) -> int:
    """Delete demo runs untouched for a day and unfinished exercises untouched for a month; commits."""
    now = now or utcnow()
    stale = sa.or_(
        sa.and_(SimulationRun.mode == RunMode.DEMO, SimulationRun.touched_at < now - DEMO_LIFETIME),
        sa.and_(
            SimulationRun.mode == RunMode.EXERCISE,
            SimulationRun.finished_at.is_(None),
            SimulationRun.touched_at < now - UNFINISHED_EXERCISE_LIFETIME,
        ),
    )
    ids = sa.select(SimulationRun.id).where(stale).scalar_subquery()
    db.session.execute(sa.delete(SimulationInput).where(SimulationInput.run_id.in_(ids)))
    deleted = db.session.execute(sa.delete(SimulationRun).where(stale)).rowcount
    db.session.commit()
    return deleted
