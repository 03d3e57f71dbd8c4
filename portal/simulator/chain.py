"""The trygghetskedjan overview's content: content/trygghetskedjan/kedjan.yaml as checked dataclasses.

Pure: a YAML file in, frozen dataclasses out. Every error names the file and the field, so that an
author who breaks the file learns where from the message alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml

LANGUAGES = ("sv", "en")
MAX_LANES = 8  # static/css/trygghetskedjan.css has a column class for lanes 1..8
IDENTIFIER = re.compile(r"[a-z][a-z0-9-]{0,39}")  # used in URLs (?vy=) and HTML ids
_KIND_NAMES = {"dict": "a mapping", "list": "a list", "str": "a string"}
_T = TypeVar("_T")


class ChainError(Exception):
    """The content file is unreadable or malformed; the message names the file and the field."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        super().__init__(f"{source}: {where}: {problem}")
        self.source = source
        self.where = where
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Text:
    """A text in Swedish and English; `pick` in the templates chooses the reader's language."""

    sv: str
    en: str

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.sv


@dataclass(frozen=True, slots=True)
class Source:
    url: str

    @property
    def host(self) -> str:
        """The site's name for link texts: "solna.se" for https://www.solna.se/trygghetslarm."""
        return (urlsplit(self.url).hostname or self.url).removeprefix("www.")


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


class _Reader:
    """Typed accessors that raise ChainError naming the file and the field path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> ChainError:
        return ChainError(self.source, where, problem)

    def typed(self, value: Any, where: str, kind: type[_T]) -> _T:
        if not isinstance(value, kind):
            found = "nothing" if value is None else type(value).__name__
            raise self.fail(where, f"must be {_KIND_NAMES.get(kind.__name__, kind.__name__)}, got {found}")
        return value

    def mapping(
        self, value: Any, where: str, required: set[str], optional: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        data = self.typed(value, where or "(top)", dict)
        unknown = sorted(str(key) for key in set(data) - required - optional)
        if unknown:
            raise self.fail(_join(where, unknown[0]), "unknown field")
        missing = sorted(required - set(data))
        if missing:
            raise self.fail(_join(where, missing[0]), "is required")
        return data

    def string(self, value: Any, where: str) -> str:
        text = self.typed(value, where, str).strip()
        if not text:
            raise self.fail(where, "must not be empty")
        return text

    def identifier(self, value: Any, where: str) -> str:
        text = self.string(value, where)
        if not IDENTIFIER.fullmatch(text):
            raise self.fail(where, f"{text!r} must be lower-case letters, digits and '-'")
        return text

    def text(self, value: Any, where: str) -> Text:
        data = self.mapping(value, where, set(LANGUAGES))
        return Text(*(self.string(data[language], f"{where}.{language}") for language in LANGUAGES))

    def url(self, value: Any, where: str) -> Source:
        url = self.string(value, where)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.fail(where, f"{url!r} must be an http(s) address")
        return Source(url)

    def items(
        self, data: Mapping[str, Any], key: str, where: str, parse: Callable[[Any, str], _T]
    ) -> tuple[_T, ...]:
        values = self.typed(data.get(key, []), _join(where, key), list)
        return tuple(parse(value, f"{_join(where, key)}[{i}]") for i, value in enumerate(values))


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _unique(r: _Reader, ids: list[str], where: str) -> None:
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise r.fail(where, f"the id {duplicates[0]!r} is used twice")


def _lanes(r: _Reader, data: Mapping[str, Any]) -> tuple[Lane, ...]:
    lanes = []
    for i, value in enumerate(r.typed(data["lanes"], "lanes", list)):
        where = f"lanes[{i}]"
        d = r.mapping(value, where, {"id", "name", "summary"})
        lanes.append(Lane(r.identifier(d["id"], f"{where}.id"), i + 1, r.text(d["name"], f"{where}.name"),
                          r.text(d["summary"], f"{where}.summary")))  # fmt: skip
    if not 1 <= len(lanes) <= MAX_LANES:
        raise r.fail("lanes", f"must list 1 to {MAX_LANES} lanes, got {len(lanes)}")
    _unique(r, [lane.id for lane in lanes], "lanes")
    return tuple(lanes)


def _lane(r: _Reader, lanes: Mapping[str, Lane], value: Any, where: str) -> Lane:
    lane_id = r.string(value, where)
    if lane_id not in lanes:
        raise r.fail(where, f"no lane {lane_id!r}; the lanes are {', '.join(lanes)}")
    return lanes[lane_id]


def _steps(r: _Reader, data: Mapping[str, Any], lanes: Mapping[str, Lane]) -> tuple[Step, ...]:
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
            id=r.identifier(d["id"], f"{where}.id"), number=number, lane=lane, also=also,
            title=r.text(d["title"], f"{where}.title"), what=r.text(d["what"], f"{where}.what"),
            who=r.text(d["who"], f"{where}.who"), targets=r.items(d, "targets", where, sourced),
            lessons=r.items(d, "lessons", where, sourced), sources=sources,
        )  # fmt: skip

    values = r.typed(data["steps"], "steps", list)
    steps = [step(value, f"steps[{i}]", i + 1) for i, value in enumerate(values)]
    if not steps:
        raise r.fail("steps", "must list at least one step")
    _unique(r, [step.id for step in steps], "steps")
    return tuple(steps)


def _views(r: _Reader, data: Mapping[str, Any], lanes: Mapping[str, Lane]) -> tuple[View, ...]:
    def view(value: Any, where: str) -> View:
        d = r.mapping(value, where, {"id", "lane", "name", "your_part"})
        return View(r.identifier(d["id"], f"{where}.id"), _lane(r, lanes, d["lane"], f"{where}.lane"),
                    r.text(d["name"], f"{where}.name"), r.text(d["your_part"], f"{where}.your_part"))  # fmt: skip

    views = r.items(data, "views", "", view)
    _unique(r, [view.id for view in views], "views")
    return views


def chain_from_mapping(data: Any, source: str) -> Chain:
    """Return the chain in ``data``; raise ChainError naming ``source`` and the field."""
    r = _Reader(source)
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
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(yaml)"
        raise ChainError(path, where, f"invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except (OSError, UnicodeError) as exc:
        raise ChainError(path, "(file)", str(exc)) from None
    return chain_from_mapping(data, path)
