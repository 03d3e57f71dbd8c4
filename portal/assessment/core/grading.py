"""Grading: validate a response, score it in [0, 1], and combine question scores into an attempt result.

Scoring rules
- single choice, true/false, numeric: 1 when right, else 0 (numeric: |answer − key| ≤ tolerance).
- multiple choice, partial credit (Moodle style): with k correct options, each chosen correct option gives
  +1/k and each chosen wrong option −1/k; the total is floored at 0. All-or-nothing: 1 only for exactly
  the correct set.
- ordering: share of items in their correct position.
- matching: share of premises paired with their correct choice.
- practice mode: question score minus `penalty` per earlier wrong try, floored at 0.

An empty response (None, empty set/sequence/mapping) scores 0; a response naming an id the question does
not have raises InvalidResponse(FORGED_ID); a response of the wrong shape raises InvalidResponse(MALFORMED).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from .draw import Draw
from .questions import Matching, MultipleChoice, Numeric, Ordering, Question, Scoring, SingleChoice, TrueFalse
from .quizdef import Mode, Quiz

Response = str | bool | float | frozenset[str] | tuple[str, ...] | Mapping[str, str] | None


class ResponseError(StrEnum):
    """Why a response was refused."""

    FORGED_ID = "forged_id"
    MALFORMED = "malformed"
    UNKNOWN_QUESTION = "unknown_question"


class InvalidResponse(ValueError):
    """A response that cannot be graded; nothing should be stored when this is raised."""

    def __init__(self, question_id: str, code: ResponseError, detail: str) -> None:
        self.question_id = question_id
        self.code = code
        self.detail = detail
        super().__init__(f"{question_id}: {code.value}: {detail}")


@dataclass(frozen=True)
class QuestionResult:
    """Score in [0, 1], whether fully right, and ids/codes whose feedback should be shown."""

    question_id: str
    score: float
    is_correct: bool
    feedback: tuple[str, ...]


@dataclass(frozen=True)
class AttemptResult:
    """Percent of the maximum, pass/fail against the pass mark, and each question's result."""

    percent: float
    passed: bool
    results: tuple[QuestionResult, ...]


def grade(question: Question, response: object) -> QuestionResult:
    """Return the graded result of `response`, or raise InvalidResponse; never mutates anything."""
    match question:
        case SingleChoice():
            return _single(question, response)
        case MultipleChoice():
            return _multiple(question, response)
        case TrueFalse():
            return _true_false(question, response)
        case Ordering():
            return _ordering(question, response)
        case Matching():
            return _matching(question, response)
        case Numeric():
            return _numeric(question, response)


def grade_attempt(
    quiz: Quiz, draw: Draw, responses: Mapping[str, object], wrong_tries: Mapping[str, int] | None = None
) -> AttemptResult:
    """Return the attempt result; unanswered questions score 0, `wrong_tries` counts only in practice."""
    drawn = set(draw.question_ids)
    for qid in list(responses) + list(wrong_tries or {}):
        if qid not in drawn:
            raise InvalidResponse(qid, ResponseError.UNKNOWN_QUESTION, "question is not part of this attempt")
    results = []
    for qid in draw.question_ids:
        result = grade(quiz.question(qid), responses.get(qid))
        tries = (wrong_tries or {}).get(qid, 0)
        if quiz.mode is Mode.PRACTICE and tries > 0:
            score = max(0.0, result.score - quiz.penalty * tries)
            result = QuestionResult(qid, score, result.is_correct, result.feedback)
        results.append(result)
    percent = 100.0 * sum(r.score for r in results) / len(results) if results else 0.0
    # A tiny epsilon so that e.g. 4 of 5 right (79.99999…%) passes an 80 % mark.
    return AttemptResult(percent, percent + 1e-9 >= quiz.pass_mark, tuple(results))


def _ids(question_id: str, response: object, allowed: tuple[str, ...]) -> list[str]:
    """Return the response as a list of known ids, refusing non-strings and unknown ids."""
    if not isinstance(response, set | frozenset | tuple | list):
        raise InvalidResponse(question_id, ResponseError.MALFORMED, "expected a collection of option ids")
    for item in response:
        if not isinstance(item, str):
            raise InvalidResponse(question_id, ResponseError.MALFORMED, f"option id {item!r} is not text")
        if item not in allowed:
            raise InvalidResponse(question_id, ResponseError.FORGED_ID, f"no option {item!r}")
    return list(response)


def _single(q: SingleChoice, response: object) -> QuestionResult:
    if response is None or response == "":
        return QuestionResult(q.id, 0.0, False, ())
    (choice,) = _ids(q.id, (response,), tuple(o.id for o in q.options))
    right = choice == q.correct
    return QuestionResult(q.id, 1.0 if right else 0.0, right, (choice,))


def _multiple(q: MultipleChoice, response: object) -> QuestionResult:
    order = tuple(o.id for o in q.options)
    chosen = set(_ids(q.id, response if response is not None else (), order))
    right = chosen == q.correct
    if q.scoring is Scoring.ALL_OR_NOTHING:
        score = 1.0 if right else 0.0
    else:
        hits, misses = len(chosen & q.correct), len(chosen - q.correct)
        score = max(0.0, (hits - misses) / len(q.correct))
    return QuestionResult(q.id, score, right, tuple(o for o in order if o in chosen))


def _true_false(q: TrueFalse, response: object) -> QuestionResult:
    if response is None or response == "":
        return QuestionResult(q.id, 0.0, False, ())
    if isinstance(response, str):
        if response not in ("true", "false"):
            raise InvalidResponse(q.id, ResponseError.FORGED_ID, f"no option {response!r}")
        response = response == "true"
    if not isinstance(response, bool):
        raise InvalidResponse(q.id, ResponseError.MALFORMED, "expected true or false")
    right = response == q.correct
    return QuestionResult(q.id, 1.0 if right else 0.0, right, ("true" if response else "false",))


def _ordering(q: Ordering, response: object) -> QuestionResult:
    key = tuple(o.id for o in q.items)
    order = _ids(q.id, response if response is not None else (), key)
    if not order:
        return QuestionResult(q.id, 0.0, False, ())
    if isinstance(response, set | frozenset) or sorted(order) != sorted(key):
        raise InvalidResponse(q.id, ResponseError.MALFORMED, "expected every item exactly once, in order")
    misplaced = tuple(item for item, want in zip(order, key, strict=True) if item != want)
    return QuestionResult(q.id, 1.0 - len(misplaced) / len(key), not misplaced, misplaced)


def _matching(q: Matching, response: object) -> QuestionResult:
    if response is None:
        response = {}
    if not isinstance(response, Mapping):
        raise InvalidResponse(q.id, ResponseError.MALFORMED, "expected a mapping premise id → choice id")
    premises = {p.id: p.match for p in q.premises}
    choices = {ch.id for ch in q.choices}
    for pid, cid in response.items():
        if not isinstance(pid, str) or not isinstance(cid, str):
            raise InvalidResponse(q.id, ResponseError.MALFORMED, "premise and choice ids must be text")
        if pid not in premises or cid not in choices:
            raise InvalidResponse(q.id, ResponseError.FORGED_ID, f"no pair {pid!r} → {cid!r}")
    wrong = tuple(pid for pid, want in premises.items() if response.get(pid) != want)
    return QuestionResult(q.id, 1.0 - len(wrong) / len(premises), not wrong, wrong)


def _numeric(q: Numeric, response: object) -> QuestionResult:
    if response is None or (isinstance(response, str) and not response.strip()):
        return QuestionResult(q.id, 0.0, False, ())
    value = _number(q.id, response)
    # Relative slack absorbs binary rounding (0.1 + 0.2) without widening the authored tolerance.
    right = abs(value - q.answer) <= q.tolerance + 1e-9 * max(1.0, abs(q.answer))
    return QuestionResult(q.id, 1.0 if right else 0.0, right, ("correct" if right else "incorrect",))


def _number(question_id: str, response: object) -> float:
    """Return the response as a finite float; accepts a Swedish decimal comma in text."""
    if isinstance(response, bool):
        raise InvalidResponse(question_id, ResponseError.MALFORMED, "expected a number")
    if isinstance(response, str):
        try:
            response = float(response.strip().replace(",", ".").replace(" ", ""))
        except ValueError:
            raise InvalidResponse(question_id, ResponseError.MALFORMED, "not a number") from None
    if not isinstance(response, int | float) or not math.isfinite(response):
        raise InvalidResponse(question_id, ResponseError.MALFORMED, "expected a finite number")
    return float(response)


def model_response(question: Question) -> object:
    """A fully right response, in the shape the web layer stores (JSON: lists, "true"/"false")."""
    match question:
        case SingleChoice():
            return question.correct
        case MultipleChoice():
            return sorted(question.correct)
        case TrueFalse():
            return "true" if question.correct else "false"
        case Ordering():
            return [item.id for item in question.items]
        case Matching():
            return {premise.id: premise.match for premise in question.premises}
        case Numeric():
            return f"{question.answer:g}".replace(".", ",")
