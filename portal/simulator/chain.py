"""The trygghetskedjan overview's content: content/trygghetskedjan/kedjan.yaml as checked dataclasses.

Pure: a YAML file in, frozen dataclasses out. Every error names the file and the field, so that an
author who breaks the file learns where from the message alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal.content.checked_yaml import ContentFileError, Reader, Source, Text, read_yaml

MAX_LANES = 8  # static/css/trygghetskedjan.css has a column class for lanes 1..8
IDENTIFIER = re.compile(r"[a-z][a-z0-9-]{0,39}")  # used in URLs (?vy=) and HTML ids


class ChainError(ContentFileError):
    """kedjan.yaml is unreadable or malformed; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class Sourced:
    """A figure or a real case, with where it comes from."""

    text: Text
    source: Source


@dataclass(frozen=True, slots=True)
class Lane:
    id: str
    column: int  # 1-based: the lane's column in the swim-lane picture
    name: Text
    summary: Text


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    number: int  # 1-based, in the order of the chain
    lane: Lane  # who carries the step out
    also: tuple[Lane, ...]  # who else takes part
    title: Text
    what: Text
    who: Text
    targets: tuple[Sourced, ...]
    lessons: tuple[Sourced, ...]
    sources: tuple[Source, ...]

    def part_of(self, lane: Lane) -> str | None:
        """Return "lead" if ``lane`` carries the step out, "involved" if it takes part, else None."""
        if lane == self.lane:
            return "lead"
        return "involved" if lane in self.also else None


@dataclass(frozen=True, slots=True)
class View:
    """A role's view of the chain (?vy=<id>): its lane highlighted and its own short text."""

    id: str
    lane: Lane
    name: Text
    your_part: Text


@dataclass(frozen=True, slots=True)
class Chain:
    title: Text
    intro: Text
    note: Text
    lanes: tuple[Lane, ...]
    steps: tuple[Step, ...]
    views: tuple[View, ...]

    def view(self, view_id: str | None) -> View | None:
        """The view called ``view_id``; None for the whole chain (also for an unknown id)."""
        return next((view for view in self.views if view.id == view_id), None)


def _lanes(r: Reader, data: Mapping[str, Any]) -> tuple[Lane, ...]:
    lanes = []
    for i, value in enumerate(r.typed(data["lanes"], "lanes", list)):
        where = f"lanes[{i}]"
        d = r.mapping(value, where, {"id", "name", "summary"})
        lanes.append(Lane(r.identifier(d["id"], f"{where}.id", IDENTIFIER), i + 1, r.text(d["name"], f"{where}.name"),
                          r.text(d["summary"], f"{where}.summary")))  # fmt: skip
    if not 1 <= len(lanes) <= MAX_LANES:
        raise r.fail("lanes", f"must list 1 to {MAX_LANES} lanes, got {len(lanes)}")
    r.unique([lane.id for lane in lanes], "lanes")
    return tuple(lanes)


def _lane(r: Reader, lanes: Mapping[str, Lane], value: Any, where: str) -> Lane:
    lane_id = r.string(value, where)
    if lane_id not in lanes:
        raise r.fail(where, f"no lane {lane_id!r}; the lanes are {', '.join(lanes)}")
    return lanes[lane_id]


def _steps(r: Reader, data: Mapping[str, Any], lanes: Mapping[str, Lane]) -> tuple[Step, ...]:
    def sourced(value: Any, where: str) -> Sourced:
        d = r.mapping(value, where, {"text", "source"})
        return Sourced(r.text(d["text"], f"{where}.text"), r.url(d["source"], f"{where}.source"))

    def step(value: Any, where: str, number: int) -> Step:
        d = r.mapping(value, where, {"id", "lane", "title", "what", "who", "sources"},
                      frozenset({"also", "targets", "lessons"}))  # fmt: skip
        lane = _lane(r, lanes, d["lane"], f"{where}.lane")
        also = r.items(d, "also", where, lambda v, w: _lane(r, lanes, v, w))
        if lane in also:
            raise r.fail(f"{where}.also", f"repeats the step's own lane {lane.id!r}")
        sources = r.items(d, "sources", where, r.url)
        if not sources:
            raise r.fail(f"{where}.sources", "must name at least one source")
        return Step(
            id=r.identifier(d["id"], f"{where}.id", IDENTIFIER), number=number, lane=lane, also=also,
            title=r.text(d["title"], f"{where}.title"), what=r.text(d["what"], f"{where}.what"),
            who=r.text(d["who"], f"{where}.who"), targets=r.items(d, "targets", where, sourced),
            lessons=r.items(d, "lessons", where, sourced), sources=sources,
        )  # fmt: skip

    values = r.typed(data["steps"], "steps", list)
    steps = [step(value, f"steps[{i}]", i + 1) for i, value in enumerate(values)]
    if not steps:
        raise r.fail("steps", "must list at least one step")
    r.unique([step.id for step in steps], "steps")
    return tuple(steps)


def _views(r: Reader, data: Mapping[str, Any], lanes: Mapping[str, Lane]) -> tuple[View, ...]:
    def view(value: Any, where: str) -> View:
        d = r.mapping(value, where, {"id", "lane", "name", "your_part"})
        return View(r.identifier(d["id"], f"{where}.id", IDENTIFIER), _lane(r, lanes, d["lane"], f"{where}.lane"),
                    r.text(d["name"], f"{where}.name"), r.text(d["your_part"], f"{where}.your_part"))  # fmt: skip

    views = r.items(data, "views", "", view)
    r.unique([view.id for view in views], "views")
    return views


def chain_from_mapping(data: Any, source: str) -> Chain:
    """Return the chain in ``data``; raise ChainError naming ``source`` and the field."""
    r = Reader(source, ChainError)
    data = r.mapping(data, "", {"title", "intro", "note", "lanes", "steps"}, frozenset({"views"}))
    lanes = _lanes(r, data)
    by_id = {lane.id: lane for lane in lanes}
    return Chain(
        title=r.text(data["title"], "title"),
        intro=r.text(data["intro"], "intro"),
        note=r.text(data["note"], "note"),
        lanes=lanes,
        steps=_steps(r, data, by_id),
        views=_views(r, data, by_id),
    )


def load_chain(path: Path) -> Chain:
    """Return the chain in ``path``, read again only when the file changes; raises ChainError."""
    try:
        modified = path.stat().st_mtime_ns
    except OSError as exc:
        raise ChainError(str(path), "(file)", exc.strerror or str(exc)) from None
    return _load(str(path), modified)


@functools.lru_cache(maxsize=8)
def _load(path: str, modified: int) -> Chain:  # ``modified`` is part of the cache key only
    return chain_from_mapping(read_yaml(Path(path), ChainError), path)
