"""Load scenarios from YAML into frozen dataclasses, with located, loud errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import yaml

from portal.alarmchain.errors import AlarmChainError, ScaipError, ScenarioError
from portal.alarmchain.events import Kind
from portal.alarmchain.labels import Label
from portal.alarmchain.policy import policy_from_mapping
from portal.alarmchain.scaip import parse_request
from portal.alarmchain.scenarios import (
    ACCESS,
    ON_SITE,
    SAYS,
    Behaviour,
    DeviceSpec,
    ExpectedStep,
    Fault,
    Forbidden,
    Scenario,
    ScriptedInput,
    ServiceSpec,
    Source,
)  # fmt: skip

_DURATION = re.compile(r"(\d+)\s*([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_T = TypeVar("_T")


class _Reader:
    """Typed accessors that raise ScenarioError naming the file and the field path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> ScenarioError:
        return ScenarioError(self.source, where, problem)

    def get(self, data: Mapping[str, Any], key: str, where: str, kind: type[_T]) -> _T:
        if key not in data:
            raise self.fail(f"{where}{key}", "is required")
        return self.typed(data[key], f"{where}{key}", kind)

    def opt(self, data: Mapping[str, Any], key: str, where: str, kind: type[_T], default: _T) -> _T:
        return default if data.get(key) is None else self.typed(data[key], f"{where}{key}", kind)

    def typed(self, value: Any, where: str, kind: type[_T]) -> _T:
        if kind is int and isinstance(value, bool):
            raise self.fail(where, "must be an integer")
        if not isinstance(value, kind):
            raise self.fail(where, f"must be {kind.__name__}, got {type(value).__name__}")
        return value

    def label(self, value: Any, where: str) -> Label:
        data = self.typed(value, where, dict)
        return Label(self.get(data, "sv", f"{where}.", str), self.get(data, "en", f"{where}.", str))

    def duration(self, value: Any, where: str) -> timedelta:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return timedelta(seconds=value)
        match = _DURATION.fullmatch(str(value).strip())
        if match is None:
            raise self.fail(where, "duration must be seconds or '<n>s|m|h|d'")
        return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])

    def choice(self, value: Any, where: str, allowed: frozenset[str]) -> str:
        if value not in allowed:
            raise self.fail(where, f"must be one of {sorted(allowed)}, got {value!r}")
        return str(value)

    def items(self, data: Mapping[str, Any], key: str, parse: Callable[[Any, str], _T]) -> list[_T]:
        values = self.opt(data, key, "", list, [])
        return [parse(item, f"{key}[{i}]") for i, item in enumerate(values)]


def _behaviour(r: _Reader, value: Any, where: str) -> Behaviour:
    data = r.typed(value, where, dict)
    w = f"{where}."
    unknown = set(data) - {"voice", "answers_phone", "says", "on_site", "fall"}
    if unknown:
        raise r.fail(w + sorted(unknown)[0], "unknown behaviour field")
    return Behaviour(
        voice=r.opt(data, "voice", w, bool, True),
        answers_phone=r.opt(data, "answers_phone", w, bool, True),
        says=r.choice(data.get("says", "needs_help"), w + "says", SAYS),
        on_site=r.choice(data.get("on_site", "help"), w + "on_site", ON_SITE),
        fall=r.opt(data, "fall", w, bool, False),
    )


def _devices(r: _Reader, data: Mapping[str, Any]) -> tuple[DeviceSpec, ...]:
    def one(value: Any, where: str) -> DeviceSpec:
        d = r.typed(value, where, dict)
        w = f"{where}."
        cid = r.get(d, "cid", w, str)
        if not re.fullmatch(r"[0-9]{1,16}", cid):
            raise r.fail(w + "cid", "must be 1-16 digits")
        silent = r.opt(d, "silent", w, dict, {})
        until = silent.get("until")
        visit = until in (None, "visit")
        return DeviceSpec(
            cid=cid, heartbeat=r.opt(d, "heartbeat", w, bool, False),
            phase=r.duration(d.get("phase", 0), w + "phase"),
            silent_from=r.duration(silent["from"], w + "silent.from") if silent else None,
            silent_until=None if visit else r.duration(until, w + "silent.until"),
        )  # fmt: skip

    devices = r.items(data, "devices", one)
    fleet = r.opt(data, "fleet", "", dict, {})
    if fleet:
        count = r.get(fleet, "count", "fleet.", int)
        prefix = r.get(fleet, "cid_prefix", "fleet.", str)
        silent_count = r.opt(fleet, "silent_count", "fleet.", int, 0)
        interval = policy_from_mapping(data.get("policy") or {}).heartbeat_interval
        lost = (
            r.duration(fleet.get("silent_from"), "fleet.silent_from"),
            r.duration(fleet.get("silent_until"), "fleet.silent_until"),
        ) if silent_count else (None, None)  # fmt: skip
        for i in range(count):
            silent = lost if i < silent_count else (None, None)
            cid, phase = f"{prefix}{i:04d}", interval * i / count
            devices.append(DeviceSpec(cid, True, phase, silent[0], silent[1]))
    if len({d.cid for d in devices}) != len(devices):
        raise r.fail("devices", "cids must be unique")
    return tuple(devices)


def _input(r: _Reader, behaviours: Mapping[str, Behaviour]) -> Callable[[Any, str], ScriptedInput]:
    def one(value: Any, where: str) -> ScriptedInput:
        d = r.typed(value, where, dict)
        w = f"{where}."
        try:
            request = parse_request(r.get(d, "scaip", w, str).encode())
        except ScaipError as exc:
            raise r.fail(w + "scaip", f"SCAIP status {exc.status}: {exc}") from None
        behaviour = r.opt(d, "behaviour", w, str, "default")
        if behaviour not in behaviours:
            raise r.fail(w + "behaviour", f"no behaviour named {behaviour!r}")
        return ScriptedInput(r.duration(d.get("at", 0), w + "at"), request, behaviour)

    return one


def _expected(r: _Reader, value: Any, where: str) -> ExpectedStep:
    d = r.typed(value, where, dict)
    w = f"{where}."
    within = d.get("within")
    return ExpectedStep(
        name=r.get(d, "step", w, str),
        kind=Kind(r.choice(d.get("kind", "case"), w + "kind", frozenset(Kind))),
        action=r.get(d, "action", w, str),
        within=None if within is None else r.duration(within, w + "within"),
        since=r.opt(d, "since", w, str, "") or None,
        after=r.opt(d, "after", w, str, "") or None,
        source=r.opt(d, "source", w, str, "") or None,
        why=r.label(d["why"], w + "why") if "why" in d else None,
    )


def _forbidden(r: _Reader, value: Any, where: str) -> Forbidden:
    d = r.typed(value, where, dict)
    kind = Kind(r.choice(d.get("kind", "case"), f"{where}.kind", frozenset(Kind)))
    why = r.label(d["why"], f"{where}.why") if "why" in d else None
    return Forbidden(kind, r.get(d, "action", f"{where}.", str), why)


def _source(r: _Reader, value: Any, where: str) -> Source:
    d = r.typed(value, where, dict)
    w = f"{where}."
    return Source(r.get(d, "fact", w, str), r.get(d, "url", w, str), r.opt(d, "brief", w, str, ""))


def _check_steps(r: _Reader, steps: list[ExpectedStep]) -> None:
    names = [s.name for s in steps]
    if len(set(names)) != len(names):
        raise r.fail("expected", "step names must be unique")
    for i, step in enumerate(steps):
        for ref in (step.since, step.after):
            if ref is not None and ref not in names[:i]:
                raise r.fail(f"expected[{i}]", f"refers to {ref!r}, not an earlier step")


def scenario_from_mapping(data: Any, source: str) -> Scenario:
    """Return the scenario in ``data``; raise ScenarioError naming ``source`` and the field."""
    r = _Reader(source)
    data = r.typed(data, "(top)", dict)
    try:
        policy = policy_from_mapping(r.opt(data, "policy", "", dict, {}))
    except AlarmChainError as exc:
        raise r.fail("policy", str(exc)) from None
    start = datetime.fromisoformat(r.get(data, "start", "", str))
    if start.tzinfo is None:
        raise r.fail("start", "must carry a UTC offset, e.g. +01:00")
    person = r.get(data, "brukare", "", dict)
    behaviours = {"default": Behaviour()}
    for name, value in r.opt(data, "behaviours", "", dict, {}).items():
        behaviours[str(name)] = _behaviour(r, value, f"behaviours.{name}")
    faults = r.opt(data, "faults", "", list, [])
    steps = r.items(data, "expected", lambda v, w: _expected(r, v, w))
    _check_steps(r, steps)
    service = r.opt(data, "service", "", dict, {})
    return Scenario(
        slug=r.get(data, "slug", "", str), version=r.get(data, "version", "", int),
        title=r.label(data.get("title"), "title"), summary=r.label(data.get("summary"), "summary"),
        audience=tuple(r.get(data, "audience", "", list)), start=start,
        horizon=r.duration(data.get("horizon", "24h"), "horizon"), policy=policy,
        area=r.choice(person.get("area", "urban"), "brukare.area", frozenset({"urban", "rural"})),
        access=r.choice(person.get("access", "digital_lock"), "brukare.access", ACCESS),
        devices=_devices(r, data), inputs=tuple(r.items(data, "inputs", _input(r, behaviours))),
        behaviours=behaviours,
        faults=frozenset(Fault(r.choice(f, "faults", frozenset(Fault))) for f in faults),
        service=ServiceSpec(r.get(service, "id", "service.", str),
                            r.get(service, "cid", "service.", str)) if service else None,
        expected=tuple(steps),
        forbidden=tuple(r.items(data, "forbidden", lambda v, w: _forbidden(r, v, w))),
        sources=tuple(r.items(data, "sources", lambda v, w: _source(r, v, w))),
        learning_points=tuple(r.items(data, "learning_points", r.label)),
        person=r.opt(person, "name", "brukare.", str, ""),
        story=r.label(person["story"], "brukare.story") if "story" in person else None,
    )  # fmt: skip


def load_scenario(path: Path) -> Scenario:
    """Return the scenario in ``path``; raise ScenarioError with the file, line or field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(yaml)"
        raise ScenarioError(path.name, where, f"invalid YAML: {exc}") from None
    except (OSError, UnicodeError) as exc:
        raise ScenarioError(path.name, "(file)", str(exc)) from None
    scenario = scenario_from_mapping(data, path.name)
    if scenario.slug != path.stem:
        raise ScenarioError(path.name, "slug", f"must equal the file name {path.stem!r}")
    return scenario


def load_scenarios(directory: Path) -> dict[str, Scenario]:
    """Return every ``*.yaml`` scenario in ``directory`` keyed by slug, in file-name order."""
    return {s.slug: s for s in (load_scenario(p) for p in sorted(directory.glob("*.yaml")))}
