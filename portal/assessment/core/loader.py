"""quiz.yaml loader: turns content/modules/<slug>/quiz.yaml into a validated Quiz or one QuizError.

Every problem in the file is collected (with file, line, location, what is wrong and how to fix it) and
raised together, so an author fixes a file in one round instead of one error at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path as FsPath
from typing import TypeVar

import yaml

from . import fields as f
from .problems import Collector, Problem, QuizError, index_lines
from .question_yaml import parse_question
from .questions import Question, Scoring
from .quizdef import CountingPolicy, Mode, Pool, Quiz, ReviewPolicy

T = TypeVar("T")
E = TypeVar("E", Mode, CountingPolicy, ReviewPolicy)

TOP_KEYS = frozenset(
    {
        "title", "mode", "pass_mark", "attempts_allowed", "cooldown_minutes", "time_limit_minutes",
        "grace_seconds", "shuffle_questions", "shuffle_options", "partial_credit", "penalty", "counts", "review",
        "fixed", "pools", "questions",
    }
)  # fmt: skip


def load_quiz(path: str | FsPath, slug: str | None = None) -> Quiz:
    """Return the quiz in `path` (slug defaults to the parent folder name) or raise QuizError."""
    fs_path = FsPath(path)
    return parse_quiz(fs_path.read_text(encoding="utf-8"), str(fs_path), slug or fs_path.parent.name)


def parse_quiz(source: str, filename: str = "quiz.yaml", slug: str = "quiz") -> Quiz:
    """Return the quiz described by YAML `source` or raise QuizError listing every problem."""
    c = Collector(filename)
    try:
        node, data = _parsed(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(exc, "problem", None) or str(exc)
        hint = "check indentation, colons and quoting on or just above this line"
        raise QuizError((Problem(filename, line, "(yaml syntax)", f"not valid YAML: {what}", hint),)) from exc
    if node is not None:
        index_lines(node, c)
    top = f.mapping(c, data, ()) if data is not None else None
    if top is None:
        c.add((), "the file is empty or not a mapping", "start with 'title:' and 'questions:'")
        c.raise_if_any()
        raise AssertionError("unreachable")
    quiz = _build(c, top, slug)
    c.raise_if_any()
    assert quiz is not None  # nosec B101 – every path that yields None also records a problem
    return quiz


# libyaml's parser where PyYAML was built with it: a worker's first look at each quiz then takes
# milliseconds instead of a few hundred (bench/RESULTS.md).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parsed(source: str) -> tuple[yaml.Node | None, object]:
    """The document's node tree (for line numbers) and its data, from one parse."""
    loader = _SAFE_LOADER(source)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _build(c: Collector, top: Mapping[str, object], slug: str) -> Quiz | None:
    f.known_keys(c, top, TOP_KEYS, ())
    title = f.text(c, f.required(c, top, "title", ()), ("title",))
    mode = _choice(c, top, "mode", Mode, Mode.EXAM)
    counts = _choice(c, top, "counts", CountingPolicy, CountingPolicy.BEST)
    review = _choice(c, top, "review", ReviewPolicy, ReviewPolicy.FULL)
    partial = _opt(f.boolean(c, top.get("partial_credit", True), ("partial_credit",)), True)
    scoring = Scoring.PARTIAL if partial else Scoring.ALL_OR_NOTHING
    questions = _questions(c, top, scoring)
    fixed, pools = _selection(c, top, questions)
    penalty = _opt(f.number(c, top.get("penalty", 0), ("penalty",), 0.0, 1.0), 0.0)
    if penalty and mode is Mode.EXAM:
        c.add(
            ("penalty",),
            "a penalty per wrong try only applies in practice mode",
            "remove it or set mode: practice",
        )
    attempts = top.get("attempts_allowed")
    limit = top.get("time_limit_minutes")
    if title is None:
        return None
    return Quiz(
        slug=slug,
        title=title,
        questions=questions,
        fixed=fixed,
        pools=pools,
        shuffle_questions=_opt(
            f.boolean(c, top.get("shuffle_questions", True), ("shuffle_questions",)), True
        ),
        shuffle_options=_opt(f.boolean(c, top.get("shuffle_options", True), ("shuffle_options",)), True),
        pass_mark=_opt(f.number(c, top.get("pass_mark", 80), ("pass_mark",), 0.0, 100.0), 80.0),
        attempts_allowed=None if attempts is None else f.integer(c, attempts, ("attempts_allowed",), 1),
        cooldown_minutes=_opt(f.integer(c, top.get("cooldown_minutes", 0), ("cooldown_minutes",), 0), 0),
        time_limit_minutes=None if limit is None else f.integer(c, limit, ("time_limit_minutes",), 1),
        grace_seconds=_opt(f.integer(c, top.get("grace_seconds", 30), ("grace_seconds",), 0), 30),
        mode=mode,
        penalty=penalty,
        counts=counts,
        review=review,
    )


def _opt(value: T | None, default: T) -> T:
    return default if value is None else value


def _choice(c: Collector, top: Mapping[str, object], key: str, enum: type[E], default: E) -> E:
    raw = top.get(key)
    if raw is None:
        return default
    try:
        return enum(str(raw))
    except ValueError:
        c.add((key,), f"unknown {key} {raw!r}", f"use one of: {', '.join(e.value for e in enum)}")
        return default


def _questions(c: Collector, top: Mapping[str, object], scoring: Scoring) -> tuple[Question, ...]:
    raw = f.required(c, top, "questions", ())
    entries = f.items(c, raw, ("questions",)) if raw is not f.MISSING else []
    if raw is not f.MISSING and not entries:
        c.add(("questions",), "the quiz has no questions", "add at least one question")
    seen: dict[str, int] = {}
    out: list[Question] = []
    for i, entry in enumerate(entries):
        q = parse_question(c, entry, ("questions", i), scoring)
        qid = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(qid, str) and qid in seen:
            c.add(("questions", i, "id"), f"question id '{qid}' is already used by questions[{seen[qid]}]",
                  "give every question a unique id")  # fmt: skip
        elif isinstance(qid, str):
            seen[qid] = i
        if q is not None:
            out.append(q)
    return tuple(out)


def _selection(
    c: Collector, top: Mapping[str, object], questions: tuple[Question, ...]
) -> tuple[tuple[str, ...], tuple[Pool, ...]]:
    """Return (fixed ids, pools); without either key every question is fixed, in file order."""
    if "fixed" not in top and "pools" not in top:
        return tuple(q.id for q in questions), ()
    # Declared ids, not parsed ones: a question that failed to parse is already reported, and naming it
    # under 'fixed' is not a second mistake.
    raw = top.get("questions")
    ids = {e.get("id") for e in raw if isinstance(e, dict)} if isinstance(raw, list) else set()
    fixed: list[str] = []
    for i, qid in enumerate(f.items(c, top.get("fixed") or [], ("fixed",))):
        if not isinstance(qid, str) or qid not in ids:
            c.add(("fixed", i), f"{qid!r} is not a question id in this file", "name an id from 'questions'")
        elif qid in fixed:
            c.add(("fixed", i), f"'{qid}' is listed twice", "list each fixed question once")
        else:
            fixed.append(qid)
    pools = _pools(c, top.get("pools") or [])
    _check_pools_fillable(c, pools, questions, frozenset(fixed))
    if not fixed and not pools:
        c.add(("fixed",), "the quiz selects no questions", "list fixed question ids or add pools")
    return tuple(fixed), tuple(pools)


def _pools(c: Collector, raw: object) -> list[Pool]:
    out: list[Pool] = []
    for i, entry in enumerate(f.items(c, raw, ("pools",))):
        d = f.mapping(c, entry, ("pools", i))
        if d is None:
            continue
        f.known_keys(c, d, frozenset({"tag", "count"}), ("pools", i))
        tag = f.slug(c, f.required(c, d, "tag", ("pools", i)), ("pools", i, "tag"))
        count = f.integer(c, f.required(c, d, "count", ("pools", i)), ("pools", i, "count"), 1)
        if tag is not None and count is not None:
            out.append(Pool(tag, count))
    return out


def _check_pools_fillable(
    c: Collector, pools: list[Pool], questions: tuple[Question, ...], fixed: frozenset[str]
) -> None:
    """Record a problem unless every pool can be filled even if earlier pools take shared questions."""
    # Pools draw in order; an earlier pool may take up to its count of the questions it shares with this
    # one, so this is the worst case the sequential draw in draw.py can meet.
    earlier: set[str] = set()
    earlier_count = 0
    for i, pool in enumerate(pools):
        candidates = {q.id for q in questions if pool.tag in q.tags and q.id not in fixed}
        taken = min(len(candidates & earlier), earlier_count)
        if len(candidates) - taken < pool.count:
            c.add(("pools", i, "count"),
                  f"pool '{pool.tag}' wants {pool.count} question(s) but only {len(candidates) - taken} "
                  f"non-fixed question(s) tagged '{pool.tag}' are guaranteed to be left",
                  f"lower the count or tag more questions '{pool.tag}'")  # fmt: skip
        earlier |= candidates
        earlier_count += pool.count
