"""Parsing of one question entry of quiz.yaml into a Question, with located problems."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import fields as f
from .problems import Collector, Path
from .questions import (
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    Premise,
    Question,
    QuestionType,
    Scoring,
    SingleChoice,
    Text,
    TrueFalse,
)

COMMON = frozenset({"id", "type", "text", "explanation", "tags"})
EXTRA: dict[QuestionType, frozenset[str]] = {
    QuestionType.SINGLE: frozenset({"options", "correct"}),
    QuestionType.MULTIPLE: frozenset({"options", "correct", "scoring"}),
    QuestionType.TRUE_FALSE: frozenset({"correct", "feedback_true", "feedback_false"}),
    QuestionType.ORDERING: frozenset({"items"}),
    QuestionType.MATCHING: frozenset({"premises", "choices"}),
    QuestionType.NUMERIC: frozenset({"answer", "tolerance", "unit"}),
}


def parse_question(c: Collector, entry: object, path: Path, default_scoring: Scoring) -> Question | None:
    """Return the question described by `entry`, or None after recording its problems."""
    data = f.mapping(c, entry, path)
    if data is None:
        return None
    qid = f.slug(c, f.required(c, data, "id", path), (*path, "id"))
    raw_type = f.required(c, data, "type", path)
    kind = _kind(c, raw_type, (*path, "type"))
    f.known_keys(c, data, COMMON | (EXTRA[kind] if kind else frozenset().union(*EXTRA.values())), path)
    body = f.text(c, f.required(c, data, "text", path), (*path, "text"))
    tags = _tags(c, data.get("tags", []), (*path, "tags"))
    if qid is None or kind is None or body is None:
        return None
    common = Common(qid, body, f.optional_text(c, data, "explanation", path), tags)
    before = len(c.problems)
    question = _BUILDERS[kind](c, data, path, default_scoring, common)
    return question if len(c.problems) == before else None


def _kind(c: Collector, value: object, path: Path) -> QuestionType | None:
    if value is f.MISSING:
        return None
    try:
        return QuestionType(str(value))
    except ValueError:
        c.add(
            path,
            f"unknown question type {value!r}",
            f"use one of: {', '.join(t.value for t in QuestionType)}",
        )
        return None


def _tags(c: Collector, value: object, path: Path) -> frozenset[str]:
    tags = f.items(c, value, path)
    good = [t for t in tags if isinstance(t, str) and f.SLUG.match(t)]
    if len(good) != len(tags):
        c.add(path, "every tag must be a short slug", "write tags like [larmkedja, nyckel]")
    return frozenset(good)


@dataclass(frozen=True)
class Common:
    """The fields every question type shares."""

    id: str
    text: Text
    explanation: Text | None
    tags: frozenset[str]


def _kw(cm: Common) -> dict[str, Any]:
    return {"id": cm.id, "text": cm.text, "explanation": cm.explanation, "tags": cm.tags}


def _single(c: Collector, d: Mapping[str, object], p: Path, _: Scoring, common: Common) -> Question | None:
    opts = f.options(c, f.required(c, d, "options", p), (*p, "options"), 2)
    correct = f.required(c, d, "correct", p)
    if correct is not f.MISSING and correct not in {o.id for o in opts}:
        c.add(
            (*p, "correct"), f"correct answer {correct!r} is not an option id", "name one of the option ids"
        )
        return None
    return SingleChoice(options=opts, correct=str(correct), **_kw(common))


def _multiple(
    c: Collector, d: Mapping[str, object], p: Path, scoring: Scoring, common: Common
) -> Question | None:
    opts = f.options(c, f.required(c, d, "options", p), (*p, "options"), 2)
    raw = f.required(c, d, "correct", p)
    correct = f.items(c, raw, (*p, "correct")) if raw is not f.MISSING else []
    ids = {o.id for o in opts}
    for i, cid in enumerate(correct):
        if cid not in ids:
            c.add((*p, "correct", i), f"{cid!r} is not an option id", "name option ids from 'options'")
    if raw is not f.MISSING and not correct:
        c.add((*p, "correct"), "at least one option must be correct", "list the correct option ids")
    if len(set(map(str, correct))) != len(correct):
        c.add((*p, "correct"), "an option id is listed twice", "list each correct id once")
    if "scoring" in d:
        try:
            scoring = Scoring(str(d["scoring"]))
        except ValueError:
            c.add((*p, "scoring"), f"unknown scoring {d['scoring']!r}", "use partial or all_or_nothing")
    return MultipleChoice(options=opts, correct=frozenset(map(str, correct)), scoring=scoring, **_kw(common))


def _true_false(
    c: Collector, d: Mapping[str, object], p: Path, _: Scoring, common: Common
) -> Question | None:
    correct = f.boolean(c, f.required(c, d, "correct", p), (*p, "correct"))
    if correct is None:
        return None
    fb_true: Text | None = f.optional_text(c, d, "feedback_true", p)
    fb_false: Text | None = f.optional_text(c, d, "feedback_false", p)
    return TrueFalse(correct=correct, feedback_true=fb_true, feedback_false=fb_false, **_kw(common))


def _ordering(c: Collector, d: Mapping[str, object], p: Path, _: Scoring, common: Common) -> Question | None:
    items = f.options(c, f.required(c, d, "items", p), (*p, "items"), 2)
    return Ordering(items=items, **_kw(common))


def _matching(c: Collector, d: Mapping[str, object], p: Path, _: Scoring, common: Common) -> Question | None:
    choices = f.options(c, f.required(c, d, "choices", p), (*p, "choices"), 2)
    ids = {ch.id for ch in choices}
    premises: list[Premise] = []
    raw = f.required(c, d, "premises", p)
    for i, entry in enumerate(f.items(c, raw, (*p, "premises")) if raw is not f.MISSING else []):
        at = (*p, "premises", i)
        pd = f.mapping(c, entry, at)
        if pd is None:
            continue
        f.known_keys(c, pd, frozenset({"id", "text", "match", "feedback"}), at)
        pid = f.slug(c, f.required(c, pd, "id", at), (*at, "id"))
        body = f.text(c, f.required(c, pd, "text", at), (*at, "text"))
        match = f.required(c, pd, "match", at)
        if match is not f.MISSING and match not in ids:
            c.add((*at, "match"), f"{match!r} is not a choice id", "name one of the ids under 'choices'")
        elif pid is not None and pid in {x.id for x in premises}:
            c.add((*at, "id"), f"premise id '{pid}' is used twice", "give every premise its own id")
        elif pid is not None and body is not None and match is not f.MISSING:
            premises.append(Premise(pid, body, str(match), f.optional_text(c, pd, "feedback", at)))
    if raw is not f.MISSING and not premises:
        c.add((*p, "premises"), "a matching question needs at least one premise", "add premises")
    return Matching(premises=tuple(premises), choices=choices, **_kw(common))


def _numeric(c: Collector, d: Mapping[str, object], p: Path, _: Scoring, common: Common) -> Question | None:
    answer = f.number(c, f.required(c, d, "answer", p), (*p, "answer"), -1e12, 1e12)
    tolerance = f.number(c, d.get("tolerance", 0), (*p, "tolerance"), 0.0, 1e12)
    unit = f.optional_text(c, d, "unit", p)
    if answer is None or tolerance is None:
        return None
    return Numeric(answer=answer, tolerance=tolerance, unit=unit, **_kw(common))


_BUILDERS = {
    QuestionType.SINGLE: _single,
    QuestionType.MULTIPLE: _multiple,
    QuestionType.TRUE_FALSE: _true_false,
    QuestionType.ORDERING: _ordering,
    QuestionType.MATCHING: _matching,
    QuestionType.NUMERIC: _numeric,
}
